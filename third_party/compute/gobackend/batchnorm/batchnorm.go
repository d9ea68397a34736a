// Package batchnorm computes batch norm in training steps of the Go
// backend with dedicated kernels: BatchNormForTraining (the batch's
// per-channel mean and biased variance, and the normalised, scaled and
// shifted output) and BatchNormGradient (the gradients of the operand, the
// scale and the shift), the pair GoMLX's autodiff builds from
// graph.InternalBatchNormForTraining. Written with graph operations, batch
// norm is a dozen passes over the activations per training step; the
// kernels read them twice forward and twice backward.
//
// The kernels take float32 operands whose features are on the last axis.
// Their sums are accumulated in float32 over blocks of 64 rows and in
// float64 across blocks, in two halves of the rows that may run on two
// cores (the numbers are the same either way), so they agree with batch
// norm written as graph operations within float32 rounding, not bit for
// bit. Builds without GOEXPERIMENT=simd have no kernels.
//
// It is off until Enable is called for a backend; graphs built on that
// backend afterwards can use the two operations.
package batchnorm

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/fusedops"
	"github.com/gomlx/compute/internal/gobackend/ops"
	"github.com/pkg/errors"
)

// Enable lets graphs built on b from now on compute BatchNormForTraining
// and BatchNormGradient. b must be the Go backend, and the build must have
// the kernels (GOEXPERIMENT=simd).
func Enable(b compute.Backend) error {
	gb, ok := b.(*gobackend.Backend)
	if !ok {
		return errors.Errorf("batch-norm kernels need the Go backend, not %q", b.Name())
	}
	if !ops.BatchNormAvailable() {
		return errors.New("batch-norm kernels need a GOEXPERIMENT=simd build")
	}
	ops.EnableBatchNorm(gb)
	return nil
}

// Enabled tells whether Enable was called for b.
func Enabled(b compute.Backend) bool {
	gb, ok := b.(*gobackend.Backend)
	return ok && ops.BatchNormEnabled(gb)
}

// Available tells whether this build has the kernels (it has none without
// GOEXPERIMENT=simd).
func Available() bool { return ops.BatchNormAvailable() }

// Runs is how many batch-norm nodes (forward and gradient) have run since
// the process started.
func Runs() int64 { return ops.BatchNormRuns() }

// Forward is the forward kernel on flat data, rows×channels values
// (channels last): each channel's mean and biased variance over the rows,
// and y = (x - mean)·(scale/√(variance+ε)) + offset, or max(0, y) with
// relu. With split the second half of the rows runs on another goroutine;
// the numbers are the same. Like the Go backend's other SIMD kernels, the
// partial vectors at the ends of rows read up to 64 bytes past a slice
// (its last row's): backend buffers have that room; other callers give
// their slices the capacity, or map the heap slack (environment.md, "The
// SIMD crash").
func Forward(x, scale, offset []float32, epsilon float32, channels int, y, mean, variance []float32, relu, split bool) error {
	if err := checkFlat(len(x), channels, len(y), scale, offset, mean, variance); err != nil {
		return err
	}
	ops.BatchNormForward(x, scale, offset, epsilon, channels, y, mean, variance, relu, split)
	return nil
}

// Backward is the gradient kernel on flat data: from dy, the gradient of
// Forward's y, and the batch's mean and variance, the gradients of x, the
// scale and the offset. With mask (not nil; mask is a ReLU's output or
// input) dy is taken as 0 where mask is not positive, the gradient through
// a ReLU after batch norm.
func Backward(x, scale, mean, variance, dy, mask []float32, epsilon float32, channels int, dx, dscale, doffset []float32, split bool) error {
	if err := checkFlat(len(x), channels, len(dx), scale, mean, variance, dscale, doffset); err != nil {
		return err
	}
	if len(dy) != len(x) || (mask != nil && len(mask) != len(x)) {
		return errors.Errorf("batch norm: dy has %d values and the mask %d, x %d", len(dy), len(mask), len(x))
	}
	ops.BatchNormBackward(x, scale, mean, variance, dy, mask, epsilon, channels, dx, dscale, doffset, split)
	return nil
}

// SetReLUFusion turns on (the default) or off, for graphs compiled from now
// on, the pass that lets the kernels apply a ReLU after batch norm and take
// its gradient as a mask, so that the ReLU nodes make no pass of their own
// (the same numbers, bit for bit).
func SetReLUFusion(on bool) { fusedops.SetBatchNormReLUFusion(on) }

// ReLUsFused is how many ReLU and ReLU gradient nodes the pass has absorbed
// since the process started.
func ReLUsFused() int64 { return fusedops.BatchNormReLUFused() }

func checkFlat(n, channels, out int, perChannel ...[]float32) error {
	if !ops.BatchNormAvailable() {
		return errors.New("batch-norm kernels need a GOEXPERIMENT=simd build")
	}
	if channels <= 0 || n == 0 || n%channels != 0 || out != n {
		return errors.Errorf("batch norm: %d values (output %d) are not rows of %d channels", n, out, channels)
	}
	for i, p := range perChannel {
		if len(p) != channels {
			return errors.Errorf("batch norm: per-channel slice %d has %d values, want %d", i, len(p), channels)
		}
	}
	return nil
}
