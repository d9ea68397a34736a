package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute/gobackend/batchnorm"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/backend/backendtest"
)

// Batch norm in Train mode as the backend's operation (its kernels, and
// the gradient GoMLX's autodiff pairs with it) against batch norm made of
// graph operations, on the same backend: the loss Σ y·r and its gradients
// with respect to x, the scale and the shift, for y = BN(x), on
// activations of a ResNet's shapes (channels a multiple of a vector's
// length) and of odd ones, with inputs whose mean is far from zero.
// Tolerance: 1e-4 of the largest |value| of each result, the bound the
// convolution routes keep for outputs (1e-3 for gradients). Measured: up to 2.4e-5, almost all of it the graph's float32 reductions
// over up to 131,072 values; the kernels are within 2e-6 of float64
// (lib/backend's TestBatchNormKernelsMatchFloat64, with a ReLU too). For
// y = ReLU(BN(x)) the kernels absorb the ReLU and its gradient (the
// forward and the gradient node each one), and the results are bit for bit
// those with the ReLU nodes kept apart. (Against graph operations a ReLU
// adds nothing to compare but kinks: where BN(x) rounds to either side of
// 0 the two routes take different branches.)
func TestBatchNormOpMatchesGraphOps(t *testing.T) {
	b := backendtest.OneDNNBatchNorm(t)
	defer b.Finalize()
	reluPassOn := true
	defer batchnorm.SetReLUFusion(true)
	if !BatchNormOpFor(b) {
		t.Fatal("BatchNormOpFor is false on a backend with the batch-norm kernels")
	}
	for _, dims := range [][]int{{128, 32, 32, 16}, {128, 8, 8, 64}, {5, 3, 3, 7}, {32, 10}} {
		t.Run(fmt.Sprint(dims), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(len(dims)), uint64(dims[0])))
			ch := dims[len(dims)-1]
			x, r := normalTensor(rng, dims...), normalTensor(rng, dims...)
			xs := tensors.MustCopyFlatData[float32](x)
			for i := range xs {
				xs[i] = 2*xs[i] + float32(i%ch) - 3 // per-channel means from -3 to ch-4
			}
			x = tensors.FromFlatDataAndDimensions(xs, dims...)
			scale, shift := normalTensor(rng, ch), normalTensor(rng, ch)
			results := func(op, relu bool) [][]float32 {
				exec, err := NewExec(b, func(x, r, scale, shift *Node) []*Node {
					bn := &Builder{Mode: Train, BatchNormOp: op, Param: func(s ParamSpec) *Node {
						if s.Kind == "bn-scale" {
							return scale
						}
						return shift
					}}
					y := bn.BatchNorm("bn", x)
					if relu {
						y = activation.Relu(y)
					}
					// The loss, not y itself, is the output: a ReLU that is an
					// output of the graph stays a node of its own.
					loss := ReduceAllSum(Mul(y, r))
					grads := Gradient(loss, x, scale, shift)
					return append([]*Node{loss}, grads...)
				})
				if err != nil {
					t.Fatal(err)
				}
				before, fusedBefore := backend.BatchNormKernelRuns(), batchnorm.ReLUsFused()
				out, err := exec.Exec(x, r, scale, shift)
				if err != nil {
					t.Fatal(err)
				}
				if ran := backend.BatchNormKernelRuns() - before; op != (ran == 2) || (!op && ran != 0) {
					t.Fatalf("BatchNormOp %v: %d kernel nodes ran, want 2 with it and 0 without", op, ran)
				}
				// With the pass on, the kernels absorb the ReLU and its gradient.
				if fused := batchnorm.ReLUsFused() - fusedBefore; fused != 0 && fused != 2 || (fused == 2) != (op && relu && reluPassOn) {
					t.Fatalf("BatchNormOp %v, ReLU %v: %d ReLU nodes absorbed", op, relu, fused)
				}
				flat := make([][]float32, len(out))
				for i, o := range out {
					flat[i] = tensors.MustCopyFlatData[float32](o)
				}
				return flat
			}
			compareBatchNorm(t, results(false, false), results(true, false))
			// The ReLU absorbed into the kernels computes the same numbers as
			// the ReLU nodes after them.
			reluPassOn = false
			batchnorm.SetReLUFusion(false)
			apart := results(true, true)
			reluPassOn = true
			batchnorm.SetReLUFusion(true)
			fused := results(true, true)
			for i := range apart {
				if !slices.Equal(apart[i], fused[i]) {
					t.Errorf("result %d: the ReLU absorbed into the kernels changes it", i)
				}
			}
		})
	}
}

// compareBatchNorm compares the output and gradients of the two routes.
func compareBatchNorm(t *testing.T, want, got [][]float32) {
	t.Helper()
	for i, name := range []string{"Σ y·r", "∂/∂x", "∂/∂scale", "∂/∂shift"} {
		largest := 0.0
		for _, v := range want[i] {
			largest = max(largest, math.Abs(float64(v)))
		}
		worst, at := 0.0, 0
		for j := range want[i] {
			if d := math.Abs(float64(got[i][j]-want[i][j])) / largest; d > worst {
				worst, at = d, j
			}
		}
		t.Logf("%s differs by at most %.2g of the largest |value| %.3g", name, worst, largest)
		if worst > 1e-4 {
			t.Errorf("%s[%d]: kernels %g, graph operations %g: %.2g of the largest |value| %g, above 1e-4",
				name, at, got[i][at], want[i][at], worst, largest)
		}
	}
}
