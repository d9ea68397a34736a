// Package settings is the single table of profile settings: which training
// recipe a network gets for a dataset, model and profile; the probe
// networks of the pruning metrics; the sizes, fractions and seeds of the
// notebooks' sweeps; the held-out validation split; and the versions of the
// metric definitions that caches compare. Everything here is plain data
// (no GoMLX, no I/O) so that every package, and a newcomer, can read it:
// settings.go is the one file to open.
//
// The small-subset rule. A recipe's batch is never shrunk for a small
// training set: a pruned set trains with the recipe's batch and, at equal
// epochs, for fewer steps (Recipe.Steps); sweeps that want equal steps set
// equal_iterations. A set smaller than one batch is refused with the fix.
// A batch changed on purpose (a sweep spec's batch) scales the learning
// rate linearly (Recipe.WithBatch), the rule of the paper's ImageNet
// recipe, and the result is recorded.
package settings
