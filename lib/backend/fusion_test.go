package backend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// updateChains are the element-wise chains of lib/train's optimizers,
// written as the optimizers write them, on operands w, g, v (one shape) and
// scalars c1, c2 (parameters, as the learning rate is). ops is how many
// operations the chain's fused node computes (0: the chain has no kernel).
var updateChains = []struct {
	name  string
	ops   int
	chain func(w, g, v, c1, c2 *Node) *Node
}{
	{"decay added to the gradient", 2, func(w, g, v, c1, c2 *Node) *Node { return Add(g, MulScalar(w, 5e-4)) }},
	{"momentum velocity", 2, func(w, g, v, c1, c2 *Node) *Node { return Add(MulScalar(v, 0.9), g) }},
	{"Nesterov step", 4, func(w, g, v, c1, c2 *Node) *Node { return Sub(w, Mul(Add(g, MulScalar(v, 0.9)), c1)) }},
	{"heavy-ball velocity with decay", 4, func(w, g, v, c1, c2 *Node) *Node {
		return Add(MulScalar(v, 0.9), Add(g, MulScalar(w, 5e-4)))
	}},
	{"step with decay, no momentum", 4, func(w, g, v, c1, c2 *Node) *Node { return Sub(w, Mul(Add(g, MulScalar(w, 5e-4)), c1)) }},
	{"plain step", 2, func(w, g, v, c1, c2 *Node) *Node { return Sub(w, Mul(v, c1)) }},
	{"Adam first moment", 3, func(w, g, v, c1, c2 *Node) *Node { return Add(MulScalar(v, 0.9), MulScalar(g, 1-0.9)) }},
	{"Adam second moment", 4, func(w, g, v, c1, c2 *Node) *Node {
		return Add(MulScalar(v, 0.999), MulScalar(Square(g), 1-0.999))
	}},
	{"Adam step", 5, func(w, g, v, c1, c2 *Node) *Node { return Sub(w, Div(Mul(g, c1), Add(Sqrt(Abs(v)), c2))) }},
	// AdamW's decoupled decay has no kernel: it stays unfused.
	{"decoupled decay", 0, func(w, g, v, c1, c2 *Node) *Node { return Sub(w, Mul(MulScalar(w, 1e-2), c1)) }},
}

// batchNormChains are the element-wise chains of lib/models' batch norm, as
// it writes them, on operands x, y of the output's shape and per-channel
// operands p, q, r, s (shape [1, ..., 1, C]; a deviation or variance,
// scale, shift and mean). ops is as in updateChains.
var batchNormChains = []struct {
	name  string
	ops   int
	chain func(x, y, p, q, r, s *Node) *Node
}{
	{"training step's output from the normalised input", 2, func(x, y, p, q, r, s *Node) *Node { return Add(Mul(x, q), r) }},
	{"the same and residual sum", 3, func(x, y, p, q, r, s *Node) *Node { return Add(Add(Mul(x, q), r), y) }},
	{"output from the centred input", 3, func(x, y, p, q, r, s *Node) *Node { return Add(Mul(Div(x, p), q), r) }},
	{"the same and residual sum", 4, func(x, y, p, q, r, s *Node) *Node { return Add(Add(Mul(Div(x, p), q), r), y) }},
	{"evaluation-mode output", 4, func(x, y, p, q, r, s *Node) *Node { return Add(Mul(Div(Sub(x, s), p), q), r) }},
	{"evaluation-mode output and residual sum", 5, func(x, y, p, q, r, s *Node) *Node {
		return Add(Add(Mul(Div(Sub(x, s), p), q), r), y)
	}},
	{"input gradient: quotient plus a value twice", 3, func(x, y, p, q, r, s *Node) *Node { return Add(Add(Div(x, p), y), y) }},
	{"input gradient: product with a quotient", 2, func(x, y, p, q, r, s *Node) *Node { return Mul(x, Div(y, p)) }},
}

// Fused chains compute the same numbers as the unfused nodes, bit for bit:
// every optimizer and batch-norm chain, as one fused node of all its
// operations, on operands whose size is not a multiple of the vector length (the last,
// partial vector) and with values from denormal to large, of both signs,
// given as parameters or computed in the graph (then the fused node writes
// its result over one of them). The operands are independent of one
// another: a kernel that read the wrong one, or a scalar in the wrong
// place, differs.
func TestFusedChainsComputeTheSameNumbers(t *testing.T) {
	ReserveHeapSlack()
	fused, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	defer fused.Finalize()
	if !FuseChains(fused) {
		t.Skip("chains are not fused here (" + ChainFusionEnv + "=0, or a build without GOEXPERIMENT=simd)")
	}
	plain, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Finalize()
	if FusionEnabled(plain) || !FusionEnabled(fused) {
		t.Fatalf("fusion enabled: %v on the fused backend, %v on the other", FusionEnabled(fused), FusionEnabled(plain))
	}
	rng := rand.New(rand.NewPCG(7, 8))
	operand := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			switch i % 7 {
			case 0:
				x[i] = float32(rng.NormFloat64()) * 1e-39 // denormal
			case 1:
				x[i] = 0
			case 2:
				x[i] = float32(rng.NormFloat64()) * 1e4
			default:
				x[i] = float32(rng.NormFloat64())
			}
		}
		return x
	}
	for _, dims := range [][]int{{7, 37}, {64, 16}, {2, 3, 3, 20}} { // a partial vector at the end, none, and one per row of channels
		n := 1
		for _, d := range dims {
			n *= d
		}
		w, g, v := operand(n), operand(n), operand(n)
		for _, tc := range updateChains {
			// computed: the operands are negations computed in the graph, buffers
			// the fused node owns and writes its result into.
			for _, computed := range []bool{false, true} {
				run := func(b compute.Backend) []float32 {
					e := MustNewExec(b, func(w, g, v, c1, c2 *Node) *Node {
						if computed {
							w, g, v = Neg(w), Neg(g), Neg(v)
						}
						return tc.chain(w, g, v, c1, c2)
					})
					defer e.Finalize()
					out := e.MustExec(tensors.FromFlatDataAndDimensions(w, dims...), tensors.FromFlatDataAndDimensions(g, dims...),
						tensors.FromFlatDataAndDimensions(v, dims...), tensors.FromScalar(float32(0.05)), tensors.FromScalar(float32(1e-8)))
					return tensors.MustCopyFlatData[float32](out[0])
				}
				sameFusedNumbers(t, fmt.Sprintf("%s %v (operands computed: %v)", tc.name, dims, computed), tc.ops, plain, fused, run)
			}
		}
		channels := dims[len(dims)-1]
		perChannel := slices.Repeat([]int{1}, len(dims))
		perChannel[len(dims)-1] = channels
		p, q, r, m := operand(channels), operand(channels), operand(channels), operand(channels)
		for i := range p {
			p[i] = float32(math.Abs(float64(p[i]))) + 0.1
		}
		for _, tc := range batchNormChains {
			for _, computed := range []bool{false, true} {
				run := func(b compute.Backend) []float32 {
					e := MustNewExec(b, func(x, y, p, q, r, s *Node) *Node {
						if computed {
							x, y = Neg(x), Neg(y)
						}
						return tc.chain(x, y, p, q, r, s)
					})
					defer e.Finalize()
					out := e.MustExec(tensors.FromFlatDataAndDimensions(w, dims...), tensors.FromFlatDataAndDimensions(g, dims...),
						tensors.FromFlatDataAndDimensions(p, perChannel...), tensors.FromFlatDataAndDimensions(q, perChannel...),
						tensors.FromFlatDataAndDimensions(r, perChannel...), tensors.FromFlatDataAndDimensions(m, perChannel...))
					return tensors.MustCopyFlatData[float32](out[0])
				}
				sameFusedNumbers(t, fmt.Sprintf("%s %v (operands computed: %v)", tc.name, dims, computed), tc.ops, plain, fused, run)
			}
		}
	}
}

// sameFusedNumbers runs a graph (run) on the unfused and the fused backend
// and fails the test unless the fused run ran one fused node of ops
// operations (none when ops is 0) and gave the same bits.
func sameFusedNumbers(t *testing.T, what string, ops int, plain, fused compute.Backend, run func(compute.Backend) []float32) {
	t.Helper()
	want := run(plain)
	nodes0, ops0 := FusedCounts()
	got := run(fused)
	nodes1, ops1 := FusedCounts()
	wantNodes := 0
	if ops > 0 {
		wantNodes = 1
	}
	if nodes1-nodes0 != int64(wantNodes) || ops1-ops0 != int64(ops) {
		t.Errorf("%s: %d fused nodes of %d operations ran, want %d of %d", what, nodes1-nodes0, ops1-ops0, wantNodes, ops)
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d: fused %g, unfused %g", what, i, got[i], want[i])
		}
	}
}
