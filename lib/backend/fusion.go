package backend

import (
	"os"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend/fusion"
)

// ChainFusionEnv turns the fused element-wise chains of the pure-Go backend
// off ("0").
const ChainFusionEnv = "PRUNE_FUSION"

// FuseChains makes a pure-Go backend compute each of the chains of
// element-wise operations that optimizers and batch norm are made of
// (momentum SGD's decay, velocity and step; Adam's moments and step; batch
// norm's normalisation, scale and shift, with a residual sum, and two
// chains of its gradient) in one loop instead of one pass through memory
// per operation, unless PRUNE_FUSION=0, and reports whether it does (builds
// without GOEXPERIMENT=simd have no fused kernels and do not).
// The fused chains compute the same numbers, bit for bit
// (third_party/compute/FORK.md). Graphs compiled on b afterwards are fused;
// other backends are left alone.
func FuseChains(b compute.Backend) bool {
	if os.Getenv(ChainFusionEnv) == "0" {
		return false
	}
	return fusion.Enable(b) == nil
}

// FusionEnabled tells whether b fuses element-wise chains.
func FusionEnabled(b compute.Backend) bool { return fusion.Enabled(b) }

// FusedCounts returns how many fused nodes have run since the process
// started, and how many element-wise operations they computed together.
func FusedCounts() (nodes, operations int64) { return fusion.Counts() }

// FusedRuns returns how many times fused nodes of each chain signature
// have run since the process started (PRUNE_FUSION_DEBUG=1 prints the
// signatures as graphs are compiled).
func FusedRuns() map[string]int64 { return fusion.Runs() }
