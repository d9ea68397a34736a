// Package transfer is the paper's Fig. 4 at small scale: pruning the data a
// representation is learned from, and the data it is fine-tuned on.
//
// A dataset's classes are split into an upstream task and a downstream
// task (data.ClassSplit), so that the encoder never sees a downstream
// class and transfer is a real question. Fig. 4B: a SimCLR encoder
// (lib/ssl) is pretrained on the upstream examples kept by self-supervised
// prototypes (keep hard) or at random at several fractions, and graded by
// a linear probe (LinearProbe, on its frozen features) on the downstream
// task. Fig. 4A: the encoder pretrained on all the upstream data starts a
// network fine-tuned on the downstream examples kept by EL2N (from the
// pretrained model's own fine-tuning) or at random. Runner.Run caches every
// result by content; Points and Effects turn the results into curves and
// claims judged by the project's verdict rule (lib/verdict).
package transfer
