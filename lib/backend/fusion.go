package backend

import (
	"os"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend/fusion"
)

// UpdateFusionEnv turns the fused optimizer updates of the pure-Go backend off ("0").
const UpdateFusionEnv = "PRUNE_FUSION"

// FuseUpdates makes a pure-Go backend compute each chain of element-wise
// operations of an optimizer's update (momentum SGD's decay, velocity and
// step; Adam's moments and step) in one loop instead of one pass through
// memory per operation, unless PRUNE_FUSION=0, and reports whether it does
// (builds without GOEXPERIMENT=simd have no fused kernels and do not).
// The fused chains compute the same numbers, bit for bit
// (third_party/compute/FORK.md). Graphs compiled on b afterwards are fused;
// other backends are left alone.
func FuseUpdates(b compute.Backend) bool {
	if os.Getenv(UpdateFusionEnv) == "0" {
		return false
	}
	return fusion.Enable(b) == nil
}

// FusionEnabled tells whether b fuses optimizer updates.
func FusionEnabled(b compute.Backend) bool { return fusion.Enabled(b) }

// FusedCounts returns how many fused nodes have run since the process
// started, and how many element-wise operations they computed together.
func FusedCounts() (nodes, operations int64) { return fusion.Counts() }
