// Package fusion turns the chains of float32 element-wise operations that
// optimizers' updates (momentum SGD's decay, velocity and step; Adam's
// moments and step) and batch norm (its output, and two chains of its
// gradient) are made of into single nodes of the Go backend, each computed
// by one loop over its operands: the same numbers, bit for bit, with one
// pass through memory instead of one per operation.
//
// Only chains with a dedicated kernel are fused (their operations, operand
// order and kinds of operands must match one exactly); every other chain
// runs as before. Builds without GOEXPERIMENT=simd have no kernels and fuse
// nothing.
//
// It is off until Enable is called for a backend; graphs compiled on that
// backend afterwards are fused.
package fusion

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/ops"
	"github.com/pkg/errors"
)

// Enable fuses the chains of every graph compiled on b from now on. b must
// be the Go backend, and the build must have the kernels
// (GOEXPERIMENT=simd).
func Enable(b compute.Backend) error {
	gb, ok := b.(*gobackend.Backend)
	if !ok {
		return errors.Errorf("fusing element-wise chains needs the Go backend, not %q", b.Name())
	}
	if !ops.ElementwiseFusionAvailable() {
		return errors.New("fusing element-wise chains needs the SIMD kernels of a GOEXPERIMENT=simd build")
	}
	ops.EnableElementwiseFusion(gb)
	return nil
}

// Enabled tells whether Enable was called for b.
func Enabled(b compute.Backend) bool {
	gb, ok := b.(*gobackend.Backend)
	return ok && ops.ElementwiseFusionEnabled(gb)
}

// Counts returns how many fused nodes have run since the process started,
// and how many element-wise operations they computed together.
func Counts() (nodes, operations int64) { return ops.FusedElementwiseCounts() }

// Runs returns how many times fused nodes of each chain signature (its
// operations, then one letter per operand: F of the output's shape, S
// scalar, C per channel) have run since the process started.
func Runs() map[string]int64 { return ops.FusedElementwiseRuns() }
