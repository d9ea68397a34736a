// Package data reads the datasets of the paper in their official formats
// (CIFAR-10/100 binary, SVHN MATLAB files, ImageNet folders and downsampled
// batches, MNIST/Fashion-MNIST IDX), fetches and verifies them, and feeds
// training with deterministic augmentation.
//
// Every reader returns a *Dataset: uint8 images in height × width × channel
// order, integer labels, class names, and a stable example ID per image (the
// same on every machine and run; score files are keyed by it). Readers reject
// missing, truncated or corrupt files with errors that name the file, what
// was expected and how to fix it.
package data
