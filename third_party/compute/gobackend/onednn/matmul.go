package onednn

import (
	"fmt"
	"os"
	"sync/atomic"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/dot"
	"github.com/gomlx/compute/internal/gobackend/ops"
	"github.com/gomlx/compute/shapeinference"
	"github.com/gomlx/compute/shapes"
	"github.com/pkg/errors"
)

// Dense layers and their gradients are DotGenerals of two float32 matrices
// with one contracting axis each: forward x·W, input gradient dy·Wᵀ, weight
// gradient xᵀ·dy. The Go backend's builder turns the transposed forms into an
// explicit transpose followed by its own matmul; oneDNN's sgemm reads either
// operand transposed in place, so this builder, registered above the Go
// backend's, makes one node that runs sgemm directly. Every other DotGeneral
// (batch axes, higher ranks, other dtypes, a backend without oneDNN) goes to
// the Go backend's builder unchanged.
//
// GoMLX's autodiff writes a dense layer's weight gradient as dyᵀ·x followed
// by a transpose; the transpose builder below makes that one product,
// xᵀ·dy, instead ((AB)ᵀ = BᵀAᵀ; the unused product is never run, since the
// Go backend runs only what the outputs need).
func init() {
	gobackend.RegisterDotGeneral.Register(dotGeneral, gobackend.PriorityUser)
	gobackend.RegisterTranspose.Register(transpose, gobackend.PriorityUser)
	gobackend.SetNodeExecutor(compute.OpTypeDotGeneral, gobackend.PriorityUser, execMatMul)
}

var matmulsRan atomic.Int64

// MatMulCount is how many matrix products oneDNN's sgemm has run since the
// process started.
func MatMulCount() int64 { return matmulsRan.Load() }

// matmul is the node data of a DotGeneral that sgemm runs: the output (m×n)
// is op(lhs)·op(rhs), where lhs is m×k (k×m when transA) and rhs is k×n (n×k
// when transB).
type matmul struct {
	transA, transB bool
	m, n, k        int
}

// EqualNodeData lets the graph builder merge identical products.
func (d *matmul) EqualNodeData(other gobackend.NodeDataComparable) bool {
	return *d == *other.(*matmul)
}

// matmulOf recognises a DotGeneral sgemm can run.
func matmulOf(lhs, rhs *gobackend.Node, lhsContracting, lhsBatch, rhsContracting, rhsBatch []int, config compute.DotGeneralConfig) (*matmul, bool) {
	if lhs.Shape.DType != dtypes.Float32 || rhs.Shape.DType != dtypes.Float32 ||
		lhs.Shape.Rank() != 2 || rhs.Shape.Rank() != 2 ||
		len(lhsContracting) != 1 || len(rhsContracting) != 1 || len(lhsBatch) != 0 || len(rhsBatch) != 0 {
		return nil, false
	}
	if (config.AccumulatorDType != dtypes.InvalidDType && config.AccumulatorDType != dtypes.Float32) ||
		(config.OutputDType != dtypes.InvalidDType && config.OutputDType != dtypes.Float32) {
		return nil, false
	}
	for _, d := range append(lhs.Shape.Dimensions[:2:2], rhs.Shape.Dimensions...) {
		if d < 0 { // dynamic
			return nil, false
		}
	}
	cl, cr := lhsContracting[0], rhsContracting[0]
	ld, rd := lhs.Shape.Dimensions, rhs.Shape.Dimensions
	mm := &matmul{transA: cl == 0, transB: cr == 1, m: ld[1-cl], k: ld[cl], n: rd[1-cr]}
	if rd[cr] != mm.k {
		return nil, false // shape inference reports the mismatch
	}
	return mm, true
}

func dotGeneral(f *gobackend.Function, lhsValue compute.Value, lhsContracting, lhsBatch []int,
	rhsValue compute.Value, rhsContracting, rhsBatch []int, config compute.DotGeneralConfig) (compute.Value, error) {
	generic := func() (compute.Value, error) {
		return dot.DotGeneral(f, lhsValue, lhsContracting, lhsBatch, rhsValue, rhsContracting, rhsBatch, config)
	}
	if f.RawBuilder == nil || !enabledFor(f.RawBuilder.Backend) {
		return generic()
	}
	nodes, err := f.VerifyAndCastValues("DotGeneral", lhsValue, rhsValue)
	if err != nil {
		return nil, err
	}
	lhs, rhs := nodes[0], nodes[1]
	mm, ok := matmulOf(lhs, rhs, lhsContracting, lhsBatch, rhsContracting, rhsBatch, config)
	if !ok {
		return generic()
	}
	outputShape, err := shapeinference.DotGeneral(lhs.Shape, lhsContracting, lhsBatch, rhs.Shape, rhsContracting, rhsBatch, config)
	if err != nil {
		return nil, err
	}
	if outputShape.DType != dtypes.Float32 || outputShape.Rank() != 2 || outputShape.Dimensions[0] != mm.m || outputShape.Dimensions[1] != mm.n {
		return nil, errors.Errorf("oneDNN matmul: DotGeneral of %s and %s gives %s, not %d×%d float32", lhs.Shape, rhs.Shape, outputShape, mm.m, mm.n)
	}
	node, _ := f.GetOrCreateNode(compute.OpTypeDotGeneral, outputShape, []*gobackend.Node{lhs, rhs}, mm)
	return node, nil
}

// transpose turns the transpose of a matmul node into the transposed
// product; any other transpose goes to the Go backend's builder.
func transpose(f *gobackend.Function, x compute.Value, permutation ...int) (compute.Value, error) {
	if n, ok := x.(*gobackend.Node); ok && n.Function == f && n.OpType == compute.OpTypeDotGeneral &&
		len(permutation) == 2 && permutation[0] == 1 && permutation[1] == 0 {
		if mm, ok := n.Data.(*matmul); ok {
			t := &matmul{transA: !mm.transB, transB: !mm.transA, m: mm.n, n: mm.m, k: mm.k}
			node, _ := f.GetOrCreateNode(compute.OpTypeDotGeneral, shapes.Make(dtypes.Float32, mm.n, mm.m), []*gobackend.Node{n.Inputs[1], n.Inputs[0]}, t)
			return node, nil
		}
	}
	return ops.Transpose(f, x, permutation...)
}

func enabledFor(b *gobackend.Backend) bool {
	enabledMu.RLock()
	defer enabledMu.RUnlock()
	return enabled[b]
}

// execMatMul runs the nodes dotGeneral made; the Go backend's own
// DotGeneral nodes fall back to its executor.
func execMatMul(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, _ []bool) (*gobackend.Buffer, error) {
	mm, ok := node.Data.(*matmul)
	if !ok {
		return nil, gobackend.ErrFallback
	}
	output, err := backend.GetBuffer(node.Shape)
	if err != nil {
		return nil, err
	}
	if backend.NoOps {
		return output, nil
	}
	a, aok := inputs[0].Flat.([]float32)
	b, bok := inputs[1].Flat.([]float32)
	c, cok := output.Flat.([]float32)
	if !aok || !bok || !cok {
		backend.PutBuffer(output)
		return nil, errors.Errorf("oneDNN matmul: inputs %s, %s are not float32", inputs[0].RawShape, inputs[1].RawShape)
	}
	if debug {
		fmt.Fprintf(os.Stderr, "onednn: sgemm %+v\n", *mm)
	}
	if rows, at, halves := halvesOf(mm); halves && callerThreads {
		err = runHalves(backend, mm, rows, at, a, b, c)
	} else {
		err = runSGEMM(mm, a, b, c)
	}
	if err != nil {
		backend.PutBuffer(output)
		return nil, errors.WithMessage(err, "oneDNN matmul")
	}
	matmulsRan.Add(1)
	return output, nil
}

// SGEMM sets c (m×n) to op(a)·op(b) with oneDNN's sgemm on its worker thread
// and OpenMP's default team (the matmul nodes run their products on one
// thread: MatMul): a is m×k (k×m when transA), b is k×n (n×k
// when transB), row-major. For measurements (the roofline of `prune bench
// train`) and tests.
func SGEMM(transA, transB bool, m, n, k int, a, b, c []float32) error {
	if _, err := Load(); err != nil {
		return err
	}
	return sgemmOnWorker(transA, transB, m, n, k, a, b, c)
}

// sgemmOnWorker runs sgemm on the worker thread with OpenMP's default team.
func sgemmOnWorker(transA, transB bool, m, n, k int, a, b, c []float32) error {
	return onWorker(func() error { return sgemm(0, transA, transB, m, n, k, a, b, c) })
}

// Threads of the matrix products.
//
// A product runs on the goroutine that needs it (one cgo call, which sets
// OpenMP's thread count for its thread to one and runs sgemm) instead of on
// the oneDNN worker thread: handing each call to that thread and back cost
// two thread wake-ups (tens of microseconds, more than a dense layer's small
// products take), and two trainings at once (sweep workers) queued behind
// each other there. sgemm keeps no state between calls, so any thread may
// run it.
//
// Every product runs on one thread, whatever its size. A team of both cores
// sped no training up: the Go backend runs other nodes beside a product,
// and sweeps train two networks at once, so a team's second thread waited
// for a core and every thread of the team for it (environment.md, "One
// thread per product"). Measured on mlp-256: one training alone as fast
// with one thread as with a team, two at once about 1.4-1.5 times as fast.
// One thread also keeps every OpenMP region of several threads on the
// worker (convolutions, the roofline's SGEMM): such regions started from
// several threads at once deadlocked. A large product uses the second core
// another way: in two halves, each a product on one thread (halves.go).
var callerThreads bool // products run on their callers' threads (OpenMP's thread count can be set)

// runSGEMM computes a matmul node's product on the calling goroutine's
// thread with one OpenMP thread (on the worker when OpenMP's thread count
// cannot be set).
func runSGEMM(mm *matmul, a, b, c []float32) error {
	if !callerThreads {
		return sgemmOnWorker(mm.transA, mm.transB, mm.m, mm.n, mm.k, a, b, c)
	}
	return sgemm(1, mm.transA, mm.transB, mm.m, mm.n, mm.k, a, b, c)
}

// MatMul is SGEMM as the matmul nodes run it: on the calling goroutine's
// thread with one OpenMP thread (on the worker when CallerThreads is
// false). For tests.
func MatMul(transA, transB bool, m, n, k int, a, b, c []float32) error {
	if _, err := Load(); err != nil {
		return err
	}
	return runSGEMM(&matmul{transA: transA, transB: transB, m: m, n: n, k: k}, a, b, c)
}

// CallerThreads reports whether products run on their callers' threads
// (OpenMP's thread count can be set).
func CallerThreads() bool {
	if _, err := Load(); err != nil {
		return false
	}
	return callerThreads
}
