package ops

// Element-wise fusion: a compile-time pass that turns the chains of float32
// element-wise operations that optimizers' updates and batch norm are made
// of into single nodes, each computed by one loop over its operands.
//
// Why: the Go backend runs every element-wise operation as a node of its
// own, a full pass through memory with its own output buffer. An update of
// a large weight matrix (mlp-256's 784×256 first layer: 800 KB per operand)
// is a dozen such passes (Adam: the two moments, their square root and the
// step; momentum SGD: decay, velocity and step), operands that no longer fit
// in a core's cache and come back from the shared cache or the other core's;
// batch norm's output (divide, scale, shift) is three passes over a
// ResNet's activations (8 MB at 128×32×32×16). One loop per chain reads
// each operand once and keeps the intermediate values in registers.
//
// A chain is a node and the operands only it uses (every absorbed value is
// used once, inside the chain, and is not an output), of one shape, with
// scalar operands and per-channel operands (shape [1, ..., 1, C] for an
// output [..., C]) allowed; the pass takes the longest such chain ending at
// each node. A chain is fused only when its operations, their operand order
// and the kinds of its operands are exactly those of a kernel below
// (fusedKernels), wherever it is in the graph (one of the loss's gradient
// has the plain step's form); every other chain stays as it was, and so
// does a chain that merely contains a kernel's (AdamW's decay feeds its
// step, so AdamW's step stays unfused; so would an update whose two scalars
// are equal constants, which GoMLX makes one node). Only the main function
// is fused: closures are compiled before the passes run. Each
// kernel computes the same operations in the same order as the unfused
// nodes, one IEEE 754 rounding per operation (Add, Sub, Mul, Div and Sqrt
// are exactly rounded, and the vector kernels never contract a
// multiplication and an addition), so a fused graph computes the same
// numbers, bit for bit.
//
// The pass runs only for backends named by EnableElementwiseFusion.

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/pkg/errors"
)

func init() {
	// After ImplicitBroadcastFusion (100): a scalar or per-channel operand
	// that pass reads in place instead of through a BroadcastInDim (batch
	// norm's gradient broadcasts its per-channel values so) is one value,
	// or one row of channels, here too.
	gobackend.RegisterTransformation(50, elementwiseFusion{})
	for _, op := range fusibleOps {
		gobackend.SetNodeExecutor(op, gobackend.PriorityUser, execFusedElementwise)
	}
}

// fusibleOps are the operations a fused chain may contain.
var fusibleOps = []compute.OpType{
	compute.OpTypeAdd, compute.OpTypeSub, compute.OpTypeMul, compute.OpTypeDiv, compute.OpTypeSqrt,
}

var debugFusion = os.Getenv("PRUNE_FUSION_DEBUG") == "1"

var (
	fusionMu      sync.RWMutex
	fusionEnabled = map[*gobackend.Backend]bool{}
)

// EnableElementwiseFusion makes graphs compiled on b from now on fuse the
// chains that have a kernel.
func EnableElementwiseFusion(b *gobackend.Backend) {
	fusionMu.Lock()
	fusionEnabled[b] = true
	fusionMu.Unlock()
}

// ElementwiseFusionAvailable tells whether this build has kernels to fuse
// with (it has none without GOEXPERIMENT=simd).
func ElementwiseFusionAvailable() bool { return len(fusedKernels) > 0 }

// ElementwiseFusionEnabled tells whether EnableElementwiseFusion was called for b.
func ElementwiseFusionEnabled(b *gobackend.Backend) bool {
	fusionMu.RLock()
	defer fusionMu.RUnlock()
	return fusionEnabled[b]
}

// fusedRuns counts the runs of fused nodes by signature.
var fusedRuns sync.Map // signature → *fusedRunCount

// fusedRunCount is how many times fused nodes of one signature have run,
// and how many operations the signature has.
type fusedRunCount struct {
	runs atomic.Int64
	ops  int64
}

// FusedElementwiseCounts returns how many fused nodes have run since the
// process started, and how many operations they computed together.
func FusedElementwiseCounts() (nodes, operations int64) {
	fusedRuns.Range(func(_, v any) bool {
		c := v.(*fusedRunCount)
		n := c.runs.Load()
		nodes += n
		operations += n * c.ops
		return true
	})
	return nodes, operations
}

// FusedElementwiseRuns returns how many times fused nodes of each
// signature have run since the process started.
func FusedElementwiseRuns() map[string]int64 {
	out := map[string]int64{}
	fusedRuns.Range(func(k, v any) bool {
		out[k.(string)] = v.(*fusedRunCount).runs.Load()
		return true
	})
	return out
}

// fusedKernel computes a fused chain over all of out's elements, whose last
// axis has channels entries: vectors holds the operands of out's size and
// the per-channel operands (channels values, repeated along the other axes),
// nil for scalars; scalars the scalar operands' values (by operand number).
// out may be one of the operands of its size.
type fusedKernel func(vectors [][]float32, scalars []float32, out []float32, channels int)

// fusedElementwise is the node data of a fused chain.
type fusedElementwise struct {
	signature string // the chain's operations and operand kinds, the key of fusedKernels
	kinds     []byte // each input's kind: operandFull, operandScalar or operandPerChannel
	kernel    fusedKernel
	runs      *fusedRunCount // fusedRuns' counter of the signature
}

// EqualNodeData implements gobackend.NodeDataComparable.
func (p *fusedElementwise) EqualNodeData(other gobackend.NodeDataComparable) bool {
	o, ok := other.(*fusedElementwise)
	return ok && p.signature == o.signature
}

type elementwiseFusion struct{}

func (elementwiseFusion) Name() string { return "ElementwiseFusion" }

// isFusibleOp says whether n is an element-wise float32 operation a chain
// may contain, with operands of n's shape, scalars, or per-channel operands.
func isFusibleOp(n *gobackend.Node) bool {
	if n.Shape.DType != dtypes.Float32 || n.Shape.IsDynamic() || n.Shape.Size() <= 1 ||
		len(n.MultiOutputsShapes) != 0 || len(n.CapturedInputs) != 0 {
		return false
	}
	known := false
	for _, op := range fusibleOps {
		known = known || n.OpType == op
	}
	if !known {
		return false
	}
	switch n.Data.(type) {
	case nil, *gobackend.BroadcastConfig:
	default:
		return false // already fused, or data this pass does not know
	}
	wantInputs := 2
	if n.OpType == compute.OpTypeSqrt {
		wantInputs = 1
	}
	if len(n.Inputs) != wantInputs {
		return false
	}
	for _, in := range n.Inputs {
		if operandKind(in.Shape, n.Shape) == 0 {
			return false
		}
	}
	return true
}

// Operand kinds, the letters of a signature.
const (
	operandFull       = 'F' // of the output's shape
	operandScalar     = 'S' // one value
	operandPerChannel = 'C' // of shape [1, ..., 1, C] for an output [..., C]: batch norm's statistics and parameters
)

// operandKind is how an operand of shape s maps onto an output of shape
// out (0: in none of the ways a chain takes).
func operandKind(s, out shapes.Shape) byte {
	switch {
	case s.DType != dtypes.Float32 || s.IsDynamic():
		return 0
	case s.Equal(out):
		return operandFull
	case s.Size() == 1:
		return operandScalar
	case s.Rank() == out.Rank() && s.Rank() >= 2 && s.Size() == out.Dimensions[out.Rank()-1] &&
		s.Dimensions[s.Rank()-1] == out.Dimensions[out.Rank()-1]:
		return operandPerChannel
	}
	return 0
}

// Apply implements gobackend.GraphTransformation.
func (elementwiseFusion) Apply(b *gobackend.Builder) (bool, error) {
	if b.Backend == nil || !ElementwiseFusionEnabled(b.Backend) {
		return false, nil
	}
	for _, f := range b.Functions {
		// Closures and named functions are compiled when they return, before
		// the passes run: their executables count inputs and uses of the
		// graph as it was, so they are left alone.
		if f.Compiled == nil {
			fuseFunction(f)
		}
	}
	// Fused nodes keep their place in the order; absorbed nodes are left
	// without users and are never run.
	return false, nil
}

func fuseFunction(f *gobackend.Function) {
	// Uses by live nodes only (nodes an earlier pass left unused do not count).
	live := make(map[*gobackend.Node]bool, len(f.Nodes))
	var mark func(n *gobackend.Node)
	mark = func(n *gobackend.Node) {
		if n == nil || live[n] {
			return
		}
		live[n] = true
		for _, in := range n.Inputs {
			mark(in)
		}
		for _, cs := range n.CapturedInputs {
			for _, c := range cs {
				mark(c)
			}
		}
		for _, m := range n.MultiOutputsNodes {
			mark(m)
		}
	}
	isOutput := make(map[*gobackend.Node]bool, len(f.Outputs))
	for _, o := range f.Outputs {
		isOutput[o] = true
		mark(o)
	}
	uses := make(map[*gobackend.Node]int, len(f.Nodes))
	for _, n := range f.Nodes {
		if !live[n] {
			continue
		}
		for _, in := range n.Inputs {
			uses[in]++
		}
		for _, cs := range n.CapturedInputs {
			for _, c := range cs {
				uses[c]++
			}
		}
	}
	absorbed := make(map[*gobackend.Node]bool)
	for i := len(f.Nodes) - 1; i >= 0; i-- {
		root := f.Nodes[i]
		if !live[root] || absorbed[root] || !isFusibleOp(root) {
			continue
		}
		g := chainBuilder{root: root, uses: uses, isOutput: isOutput, absorbed: absorbed, inputIndex: map[*gobackend.Node]int{}}
		g.emit(root)
		if len(g.ops) < 2 {
			continue
		}
		kinds := g.kinds()
		signature := g.signature(kinds)
		kernel := fusedKernels[signature]
		if debugFusion {
			fmt.Fprintf(os.Stderr, "fusion: %s %s, kernel: %v\n", root.Shape, signature, kernel != nil)
		}
		if kernel == nil {
			continue
		}
		for _, n := range g.interior {
			absorbed[n] = true
		}
		root.Inputs = g.inputs
		runs, _ := fusedRuns.LoadOrStore(signature, &fusedRunCount{ops: int64(len(g.ops))})
		root.Data = &fusedElementwise{signature: signature, kinds: kinds, kernel: kernel, runs: runs.(*fusedRunCount)}
		root.ClearCachedExecutor()
	}
}

// chainBuilder collects the operations of one chain, depth first, so that
// every operation comes after the operations it reads.
type chainBuilder struct {
	root       *gobackend.Node
	uses       map[*gobackend.Node]int
	isOutput   map[*gobackend.Node]bool
	absorbed   map[*gobackend.Node]bool
	ops        []string // "Mul(in1,in2)": operation and operands (inN: input N, tN: operation N's result)
	inputs     []*gobackend.Node
	inputIndex map[*gobackend.Node]int
	interior   []*gobackend.Node
}

func (g *chainBuilder) absorbable(n *gobackend.Node) bool {
	return n.Function == g.root.Function && g.uses[n] == 1 && !g.isOutput[n] && !g.absorbed[n] &&
		n.Shape.Equal(g.root.Shape) && isFusibleOp(n)
}

func (g *chainBuilder) operand(n *gobackend.Node) string {
	if g.absorbable(n) {
		g.interior = append(g.interior, n)
		return fmt.Sprintf("t%d", g.emit(n))
	}
	i, ok := g.inputIndex[n]
	if !ok {
		i = len(g.inputs)
		g.inputIndex[n] = i
		g.inputs = append(g.inputs, n)
	}
	return fmt.Sprintf("in%d", i)
}

// emit adds n's operation (after those of its absorbed operands) and
// returns its number.
func (g *chainBuilder) emit(n *gobackend.Node) int {
	args := make([]string, len(n.Inputs))
	for i, in := range n.Inputs {
		args[i] = g.operand(in)
	}
	g.ops = append(g.ops, fmt.Sprintf("%s(%s)", n.OpType, strings.Join(args, ",")))
	return len(g.ops) - 1
}

// kinds is each input's operand kind.
func (g *chainBuilder) kinds() []byte {
	kinds := make([]byte, len(g.inputs))
	for i, in := range g.inputs {
		kinds[i] = operandKind(in.Shape, g.root.Shape)
	}
	return kinds
}

// signature is the chain's operations followed by one letter per input,
// its kind (kinds, from g.kinds): F for an operand of the output's shape, S
// for a scalar, C for a per-channel operand. For example "Mul(in1,in2) Add(in0,t0) FFS" is
// in0 + in1·in2 with in2 a scalar.
func (g *chainBuilder) signature(kinds []byte) string {
	return strings.Join(g.ops, " ") + " " + string(kinds)
}

// execFusedElementwise runs a fused chain; other nodes of the fusible
// operation types go to the next executor.
func execFusedElementwise(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, inputsOwned []bool) (*gobackend.Buffer, error) {
	prog, ok := node.Data.(*fusedElementwise)
	if !ok {
		return nil, gobackend.ErrFallback
	}
	var output *gobackend.Buffer
	for i, in := range inputs {
		// An owned operand of the output's shape is written in place: each
		// element is read before the kernel writes it.
		if inputsOwned[i] && prog.kinds[i] == operandFull && in.RawShape.Equal(node.Shape) {
			output, inputs[i] = in, nil
			break
		}
	}
	if output == nil {
		var err error
		if output, err = backend.GetBuffer(node.Shape); err != nil {
			return nil, err
		}
	}
	if backend.NoOps {
		return output, nil
	}
	out, ok := output.Flat.([]float32)
	if !ok {
		return nil, errors.Errorf("fused element-wise node: output is %s, not float32", output.RawShape)
	}
	channels := node.Shape.Dimensions[node.Shape.Rank()-1]
	vectors := make([][]float32, len(inputs))
	scalars := make([]float32, len(inputs))
	for i, buf := range inputs {
		if buf == nil {
			buf = output
		}
		flat, ok := buf.Flat.([]float32)
		if !ok {
			return nil, errors.Errorf("fused element-wise node: input %d is %s, not float32", i, buf.RawShape)
		}
		switch prog.kinds[i] {
		case operandScalar:
			scalars[i] = flat[0]
		case operandPerChannel:
			vectors[i] = flat[:channels]
		default:
			vectors[i] = flat[:len(out)]
		}
	}
	prog.kernel(vectors, scalars, out, channels)
	prog.runs.runs.Add(1)
	return output, nil
}
