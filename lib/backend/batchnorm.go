package backend

import (
	"os"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend/batchnorm"
)

// BatchNormKernelsEnv turns the pure-Go backend's batch-norm kernels off
// ("0"): batch norm is then made of graph operations.
const BatchNormKernelsEnv = "PRUNE_BATCHNORM"

// BatchNormKernels lets a pure-Go backend compute batch norm in training
// steps with two kernels, its forward pass (statistics and output) and its
// gradient, instead of a dozen element-wise passes and reductions, unless
// PRUNE_BATCHNORM=0, and reports whether it does (builds without
// GOEXPERIMENT=simd have no kernels). They agree with the graph operations
// within float32 rounding, not bit for bit (third_party/compute/FORK.md);
// lib/models uses them where BatchNormKernelsEnabled says so. Other
// backends are left alone.
func BatchNormKernels(b compute.Backend) bool {
	if os.Getenv(BatchNormKernelsEnv) == "0" {
		return false
	}
	return batchnorm.Enable(b) == nil
}

// BatchNormKernelsEnabled tells whether b computes training-mode batch
// norm with the kernels.
func BatchNormKernelsEnabled(b compute.Backend) bool { return batchnorm.Enabled(b) }

// BatchNormKernelRuns is how many batch-norm kernel nodes (forward and
// gradient) have run since the process started.
func BatchNormKernelRuns() int64 { return batchnorm.Runs() }

// OpenOneDNNBatchNorm is OpenOneDNN with the batch-norm kernels, the route
// backend.Open takes on the CPU.
func OpenOneDNNBatchNorm() (b compute.Backend, why string, err error) {
	b, why, err = OpenOneDNN()
	if b != nil {
		BatchNormKernels(b)
	}
	return b, why, err
}

// SetBatchNormReLUFusion turns on (the default) or off, for graphs compiled
// from now on, the absorption of a ReLU that follows batch norm, and of its
// gradient, into the batch-norm kernels (the same numbers, bit for bit;
// for tests that compare the two).
func SetBatchNormReLUFusion(on bool) { batchnorm.SetReLUFusion(on) }

// BatchNormReLUsFused is how many ReLU and ReLU gradient nodes have been
// absorbed into batch-norm kernels since the process started.
func BatchNormReLUsFused() int64 { return batchnorm.ReLUsFused() }
