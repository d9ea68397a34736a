// Package models holds the project's GoMLX networks and their losses: the
// graph-building half of training, with no optimiser or data loop (those are
// in package train).
//
//   - nets.go: the classifiers by name (New, Names): an MLP, a small CNN, the
//     CIFAR ResNets (resnet8/20/56) and the ImageNet-style ResNet18/50, each
//     with an optional "-wN" width. Forward returns the logits and the
//     penultimate features, the embedding that prototype metrics use.
//   - builder.go: a Net is written once against a Builder, which hands out
//     parameters by name (ParamSpec, including whether weight decay applies)
//     and knows the batch-norm Mode. The same definition therefore serves a
//     functional graph (Functional, parameters as inputs: tests and
//     benchmarks) and a GoMLX model store (training).
//   - conv.go: 2-D convolution in two formulations. The pure-Go backend's
//     built-in Convolve is a direct loop that trains about 10x slower than
//     an im2col product, so Conv2D offers both and ConvFor picks one per
//     backend.
//   - loss.go: cross-entropy (per example, with label smoothing, and its
//     mean) and the per-example statistics (loss, correctness, margin,
//     probabilities) that the training-dynamics metrics record.
package models
