package fusedops

// ReLU into batch norm: a compile-time pass that lets the batch-norm
// kernels (ops/batchnorm.go) apply a ReLU that follows BatchNormForTraining
// to its output, and take the ReLU's gradient that feeds BatchNormGradient
// as a mask on the output's gradient, so that neither ReLU node makes a
// pass of its own over the activations (at 128×32×32×16, 8 MB written and
// 8 or 16 MB read each).
//
// Forward: when a BatchNormForTraining node's output is used by one ReLU
// and otherwise only by ReLU gradients (which autodiff gives the ReLU's
// output and its input), the node applies the ReLU and every user of the
// ReLU reads the node's output instead. A ReLU gradient that now reads the
// ReLU's output where it read its input computes the same numbers:
// max(0, v) > 0 exactly where v > 0.
//
// Backward: when a BatchNormGradient node's output gradient is a ReLU
// gradient used by nothing else, the node reads the ReLU gradient's own
// inputs, dy where the mask (the ReLU's output, or its input) is positive
// and 0 elsewhere, the ReLU gradient's rule (activations' vjpRelu).
//
// The ReLU nodes are left without users and never run. The results are
// the same numbers, bit for bit, as with the ReLU nodes. The pass runs only
// for backends whose batch-norm kernels are enabled (ops.EnableBatchNorm).

import (
	"sync/atomic"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/ops"
)

func init() {
	gobackend.RegisterTransformation(45, batchNormReLUFusion{})
}

type batchNormReLUFusion struct{}

// batchNormReLUOff turns the pass off (SetBatchNormReLUFusion), for tests
// that compare the two.
var batchNormReLUOff atomic.Bool

// SetBatchNormReLUFusion turns the pass on (the default) or off for graphs
// compiled from now on.
func SetBatchNormReLUFusion(on bool) { batchNormReLUOff.Store(!on) }

// batchNormReLUFused counts the ReLU nodes and ReLU gradients the pass has
// absorbed.
var batchNormReLUFused atomic.Int64

// BatchNormReLUFused is how many ReLU nodes and ReLU gradient nodes the
// pass has absorbed into batch-norm nodes since the process started.
func BatchNormReLUFused() int64 { return batchNormReLUFused.Load() }

func (batchNormReLUFusion) Name() string { return "BatchNormReLUFusion" }

// Apply implements gobackend.GraphTransformation.
func (batchNormReLUFusion) Apply(b *gobackend.Builder) (bool, error) {
	if b.Backend == nil || !ops.BatchNormEnabled(b.Backend) || batchNormReLUOff.Load() {
		return false, nil
	}
	for _, f := range b.Functions {
		// Closures are compiled before the passes run (see ops'
		// elementwiseFusion): leave them alone.
		if f.Compiled == nil {
			fuseReLUIntoBatchNorm(f)
		}
	}
	return false, nil
}

// isReLU says whether n is a float32 FusedActivation ReLU (grad false) or
// its gradient (grad true).
func isReLU(n *gobackend.Node, grad bool) bool {
	if n.Shape.DType != dtypes.Float32 {
		return false
	}
	if grad {
		d, ok := n.Data.(*nodeFusedActivationVJP)
		return ok && n.OpType == compute.OpTypeFusedActivationVJP && d.cfg.Type == compute.ActivationRelu && len(n.Inputs) >= 2
	}
	d, ok := n.Data.(*nodeFusedActivation)
	return ok && n.OpType == compute.OpTypeFusedActivation && d.cfg.Type == compute.ActivationRelu
}

func fuseReLUIntoBatchNorm(f *gobackend.Function) {
	users := map[*gobackend.Node][]*gobackend.Node{}
	pinned := map[*gobackend.Node]bool{} // outputs and closure captures: keep as they are
	for _, o := range f.Outputs {
		pinned[o] = true
	}
	for _, n := range f.Nodes {
		for _, in := range n.Inputs {
			users[in] = append(users[in], n)
		}
		for _, cs := range n.CapturedInputs {
			for _, c := range cs {
				pinned[c] = true
			}
		}
	}
	for _, n := range f.Nodes {
		switch {
		case n.OpType == compute.OpTypeBatchNormForTraining && len(n.MultiOutputsNodes) == 3:
			out := n.MultiOutputsNodes[0]
			if pinned[out] {
				continue
			}
			var relu *gobackend.Node
			ok := true
			for _, u := range users[out] {
				switch {
				case isReLU(u, false) && relu == nil:
					relu = u
				case isReLU(u, true) && u.Inputs[len(u.Inputs)-1] != out:
					// A ReLU gradient reading the output as the ReLU's input.
				default:
					ok = false
				}
			}
			if !ok || relu == nil || pinned[relu] || !ops.FuseReLUIntoBatchNorm(n) {
				continue
			}
			for _, u := range users[relu] {
				for i, in := range u.Inputs {
					if in == relu {
						u.Inputs[i] = out
					}
				}
				u.ClearCachedExecutor()
			}
			users[out] = append(users[out], users[relu]...)
			users[relu] = nil
			batchNormReLUFused.Add(1)
		case n.OpType == compute.OpTypeBatchNormGradient && len(n.Inputs) == 5:
			dy := n.Inputs[4]
			if pinned[dy] || len(users[dy]) != 1 || !isReLU(dy, true) {
				continue
			}
			// The gradient's inputs: the ReLU's output and/or input, then
			// the gradient of its output.
			if ops.FuseReLUGradientIntoBatchNorm(n, dy.Inputs[0], dy.Inputs[len(dy.Inputs)-1]) {
				batchNormReLUFused.Add(1)
			}
		}
	}
}
