package ops

// Batch norm as two operations: BatchNormForTraining (the batch's
// per-channel mean and biased variance, and the normalised, scaled and
// shifted output) and BatchNormGradient (the gradients of the operand, the
// scale and the shift), which GoMLX's autodiff pairs with it.
//
// Why: written with graph operations, batch norm in a training step is a
// dozen passes over the activations (the mean, the centred input, its
// square, the variance, the division, scale and shift; in the gradient the
// broadcasts, products, sums and the two gradients of the statistics), each
// with its own output buffer: at 128×32×32×16 every pass moves 8 MB. These
// kernels read the operand twice in the forward direction (both moments in
// one pass, then the output) and twice with the output's gradient in the
// backward direction, and write one tensor each.
//
// They are not the graph's numbers bit for bit: the sums are accumulated
// in a different order (float32 over blocks of rows, float64 across
// blocks, in two fixed halves of the rows), the variance comes from the
// moments about each channel's first value (Σ (x - k) and Σ (x - k)²)
// instead of a second pass over the centred values, and the output multiplies by
// scale/σ instead of dividing by σ and then multiplying by the scale. They
// agree within float32 rounding, and the result never depends on which
// thread computed which half.
//
// Only float32 operands whose feature axis is the last one are taken (NHWC
// activations, [batch, features] vectors); the builders return
// compute.ErrNotImplemented for anything else, and for backends that
// EnableBatchNorm was not called for.

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/pkg/errors"
)

func init() {
	gobackend.RegisterBatchNormForTraining.Register(batchNormForTraining, gobackend.PriorityUser)
	gobackend.RegisterBatchNormGradient.Register(batchNormGradient, gobackend.PriorityUser)
	gobackend.MultiOutputsNodeExecutors[compute.OpTypeBatchNormForTraining] = execBatchNormForTraining
	gobackend.MultiOutputsNodeExecutors[compute.OpTypeBatchNormGradient] = execBatchNormGradient
}

var (
	batchNormMu      sync.RWMutex
	batchNormEnabled = map[*gobackend.Backend]bool{}
	batchNormRuns    atomic.Int64 // forward and gradient nodes run
)

// EnableBatchNorm makes graphs built on b from now on compute
// BatchNormForTraining and BatchNormGradient with the kernels here.
func EnableBatchNorm(b *gobackend.Backend) {
	batchNormMu.Lock()
	batchNormEnabled[b] = true
	batchNormMu.Unlock()
}

// BatchNormEnabled tells whether EnableBatchNorm was called for b.
func BatchNormEnabled(b *gobackend.Backend) bool {
	batchNormMu.RLock()
	defer batchNormMu.RUnlock()
	return batchNormEnabled[b]
}

// BatchNormAvailable tells whether this build has the kernels (it has none
// without GOEXPERIMENT=simd).
func BatchNormAvailable() bool { return batchNormKernelsBuilt }

// BatchNormRuns is how many batch-norm nodes (forward and gradient) have
// run since the process started.
func BatchNormRuns() int64 { return batchNormRuns.Load() }

// batchNormConfig is the node data of both operations.
type batchNormConfig struct {
	epsilon  float32
	channels int
	// relu (forward): the output is max(0, ·), a ReLU that followed the
	// node absorbed (FuseReLUIntoBatchNorm).
	relu bool
	// reluMask (gradient): the output's gradient is input 4 where input 5
	// is positive and 0 elsewhere, the ReLU's gradient that preceded the
	// node absorbed (FuseReLUGradientIntoBatchNorm).
	reluMask bool
}

// FuseReLUIntoBatchNorm makes the BatchNormForTraining node n apply a ReLU
// to its output; the caller moves the ReLU's users to n's output. It
// reports false, changing nothing, when n is not such a node or already
// applies one.
func FuseReLUIntoBatchNorm(n *gobackend.Node) bool {
	cfg, ok := n.Data.(*batchNormConfig)
	if !ok || n.OpType != compute.OpTypeBatchNormForTraining || cfg.relu {
		return false
	}
	fused := *cfg
	fused.relu = true
	n.Data = &fused
	return true
}

// FuseReLUGradientIntoBatchNorm makes the BatchNormGradient node g take as
// its output's gradient dOut where mask is positive and 0 elsewhere (a
// ReLU's gradient, from the ReLU's output or input as mask), in place of
// its input 4. It reports false, changing nothing, when g is not such a
// node, already does so, or the shapes differ.
func FuseReLUGradientIntoBatchNorm(g, mask, dOut *gobackend.Node) bool {
	cfg, ok := g.Data.(*batchNormConfig)
	if !ok || g.OpType != compute.OpTypeBatchNormGradient || cfg.reluMask || len(g.Inputs) != 5 ||
		!mask.Shape.Equal(g.Inputs[0].Shape) || !dOut.Shape.Equal(g.Inputs[0].Shape) {
		return false
	}
	fused := *cfg
	fused.reluMask = true
	g.Data = &fused
	g.Inputs = append(g.Inputs[:4:4], dOut, mask)
	return true
}

// EqualNodeData implements gobackend.NodeDataComparable.
func (c *batchNormConfig) EqualNodeData(other gobackend.NodeDataComparable) bool {
	o, ok := other.(*batchNormConfig)
	return ok && *c == *o
}

// checkBatchNorm checks that operand is a float32 tensor of static shape
// whose feature axis is its last, and that the per-channel inputs are
// float32 vectors of its channel count.
func checkBatchNorm(f *gobackend.Function, op string, operand *gobackend.Node, featureAxis int, perChannel ...*gobackend.Node) (channels int, err error) {
	if !BatchNormEnabled(f.RawBuilder.Backend) || !batchNormKernelsBuilt {
		return 0, errors.Wrapf(compute.ErrNotImplemented, "%s: batch-norm kernels are not enabled on this backend", op)
	}
	s := operand.Shape
	if s.DType != dtypes.Float32 || s.IsDynamic() || s.Rank() < 2 || featureAxis != s.Rank()-1 {
		return 0, errors.Wrapf(compute.ErrNotImplemented, "%s: operand %s, feature axis %d: the kernels take float32 with the features last", op, s, featureAxis)
	}
	channels = s.Dimensions[featureAxis]
	for i, p := range perChannel {
		if !p.Shape.Equal(shapes.Make(dtypes.Float32, channels)) {
			return 0, errors.Errorf("%s: per-channel input %d is %s, want (Float32)[%d]", op, i, p.Shape, channels)
		}
	}
	return channels, nil
}

func batchNormForTraining(f *gobackend.Function, operand, scale, offset compute.Value, epsilon float32, featureAxis int) (normalized, batchMean, batchVariance compute.Value, err error) {
	nodes, err := f.VerifyAndCastValues("BatchNormForTraining", operand, scale, offset)
	if err != nil {
		return nil, nil, nil, err
	}
	channels, err := checkBatchNorm(f, "BatchNormForTraining", nodes[0], featureAxis, nodes[1], nodes[2])
	if err != nil {
		return nil, nil, nil, err
	}
	stat := shapes.Make(dtypes.Float32, channels)
	node := f.NewMultiOutputsNode(compute.OpTypeBatchNormForTraining, []shapes.Shape{nodes[0].Shape, stat, stat}, nodes...)
	node.Data = &batchNormConfig{epsilon: epsilon, channels: channels}
	return node.MultiOutputsNodes[0], node.MultiOutputsNodes[1], node.MultiOutputsNodes[2], nil
}

func batchNormGradient(f *gobackend.Function, operand, scale, mean, variance, gradOutput compute.Value, epsilon float32, featureAxis int) (gradOperand, gradScale, gradOffset compute.Value, err error) {
	nodes, err := f.VerifyAndCastValues("BatchNormGradient", operand, scale, mean, variance, gradOutput)
	if err != nil {
		return nil, nil, nil, err
	}
	channels, err := checkBatchNorm(f, "BatchNormGradient", nodes[0], featureAxis, nodes[1], nodes[2], nodes[3])
	if err != nil {
		return nil, nil, nil, err
	}
	if !nodes[4].Shape.Equal(nodes[0].Shape) {
		return nil, nil, nil, errors.Errorf("BatchNormGradient: output gradient %s, operand %s: want equal shapes", nodes[4].Shape, nodes[0].Shape)
	}
	stat := shapes.Make(dtypes.Float32, channels)
	node := f.NewMultiOutputsNode(compute.OpTypeBatchNormGradient, []shapes.Shape{nodes[0].Shape, stat, stat}, nodes...)
	node.Data = &batchNormConfig{epsilon: epsilon, channels: channels}
	return node.MultiOutputsNodes[0], node.MultiOutputsNodes[1], node.MultiOutputsNodes[2], nil
}

// getBuffers returns a new buffer for each shape.
func getBuffers(backend *gobackend.Backend, ss ...shapes.Shape) ([]*gobackend.Buffer, error) {
	out := make([]*gobackend.Buffer, len(ss))
	for i, s := range ss {
		b, err := backend.GetBuffer(s)
		if err != nil {
			for _, got := range out[:i] {
				backend.PutBuffer(got)
			}
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func execBatchNormForTraining(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, _ []bool) ([]*gobackend.Buffer, error) {
	cfg := node.Data.(*batchNormConfig)
	outs, err := getBuffers(backend, node.MultiOutputsShapes...)
	if err != nil || backend.NoOps {
		return outs, err
	}
	x, scale, offset := inputs[0].Flat.([]float32), inputs[1].Flat.([]float32), inputs[2].Flat.([]float32)
	y, mean, variance := outs[0].Flat.([]float32), outs[1].Flat.([]float32), outs[2].Flat.([]float32)
	BatchNormForward(x, scale, offset, cfg.epsilon, cfg.channels, y, mean, variance, cfg.relu, splitFor(backend))
	batchNormRuns.Add(1)
	return outs, nil
}

func execBatchNormGradient(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, owned []bool) ([]*gobackend.Buffer, error) {
	cfg := node.Data.(*batchNormConfig)
	var dxBuf *gobackend.Buffer
	if owned[4] && inputs[4].RawShape.Equal(node.MultiOutputsShapes[0]) {
		// The output's gradient is read element by element just before
		// the operand's gradient is written at the same place.
		dxBuf, inputs[4] = inputs[4], nil
	}
	need := node.MultiOutputsShapes
	if dxBuf != nil {
		need = need[1:]
	}
	outs, err := getBuffers(backend, need...)
	if err != nil {
		if dxBuf != nil {
			backend.PutBuffer(dxBuf)
		}
		return nil, err
	}
	if dxBuf != nil {
		outs = append([]*gobackend.Buffer{dxBuf}, outs...)
	}
	if backend.NoOps {
		return outs, nil
	}
	dyBuf := inputs[4]
	if dyBuf == nil {
		dyBuf = dxBuf
	}
	x, scale, mean, variance := inputs[0].Flat.([]float32), inputs[1].Flat.([]float32), inputs[2].Flat.([]float32), inputs[3].Flat.([]float32)
	dy := dyBuf.Flat.([]float32)
	var mask []float32
	if cfg.reluMask {
		mask = inputs[5].Flat.([]float32)
	}
	dx, dscale, doffset := outs[0].Flat.([]float32), outs[1].Flat.([]float32), outs[2].Flat.([]float32)
	BatchNormBackward(x, scale, mean, variance, dy, mask, cfg.epsilon, cfg.channels, dx, dscale, doffset, splitFor(backend))
	batchNormRuns.Add(1)
	return outs, nil
}

// BatchNormForward computes, for x of rows×channels values (channels
// last), each channel's mean and biased variance over the rows, and
// y = (x - mean)·(scale/√(variance+ε)) + offset, or max(0, y) with relu.
// y may be x. With split, the second half of the rows of each pass runs on
// another goroutine (the numbers are the same either way).
func BatchNormForward(x, scale, offset []float32, epsilon float32, channels int, y, mean, variance []float32, relu, split bool) {
	rows := len(x) / channels
	split = split && len(x) >= minSplitValues
	// One pass for both moments, shifted by the first row: Σ (x - k) and
	// Σ (x - k)². The variance is their difference, which cancels as much
	// as k is off the mean: its relative error grows with ((k - mean)/σ)².
	// k is one of the channel's own values, in activations within a few
	// deviations of the mean; a channel constant but for an outlier in
	// its first row would lose up to about n·2⁻²⁴ of its variance.
	k := perChannel(channels)
	copy(k, x[:channels])
	sums := make([]float64, 2*channels)
	channelSumsInHalves(x, nil, nil, k, channels, sums, sumShifted, split)
	a := perChannel(channels)
	for c := range channels {
		d := sums[c] / float64(rows)
		mean[c] = float32(float64(k[c]) + d)
		variance[c] = float32(max(0, sums[channels+c]/float64(rows)-d*d))
		a[c] = float32(float64(scale[c]) / math.Sqrt(float64(variance[c])+float64(epsilon)))
	}
	inHalves(rows, split, func(from, to int) {
		bnNormalize(x[from*channels:to*channels], mean, a, offset, channels, y[from*channels:to*channels], relu)
	})
}

// BatchNormBackward computes the gradients of BatchNormForward's y with
// respect to x, scale and offset from dy, the gradient of y, with the
// batch's mean and variance: with σ = √(variance+ε) and x̂ = (x - mean)/σ,
// doffset = Σ dy, dscale = Σ dy·x̂ and
// dx = (scale/σ)·(dy - Σ dy/n - (x - mean)·Σ dy·(x - mean)/(n·σ²)).
// With mask (not nil), dy is taken as 0 wherever mask is not positive (a
// ReLU's gradient before batch norm's). dx may be dy. split is as for
// BatchNormForward.
func BatchNormBackward(x, scale, mean, variance, dy, mask []float32, epsilon float32, channels int, dx, dscale, doffset []float32, split bool) {
	rows := len(x) / channels
	split = split && len(x) >= minSplitValues
	sums := make([]float64, 2*channels)
	channelSumsInHalves(dy, x, mask, mean, channels, sums, sumGradient, split)
	n := float64(rows)
	k1, c0, k2 := perChannel(channels), perChannel(channels), perChannel(channels)
	for c := range channels {
		v := float64(variance[c]) + float64(epsilon)
		sigma := math.Sqrt(v)
		sdy, sdyc := sums[c], sums[channels+c]
		doffset[c] = float32(sdy)
		dscale[c] = float32(sdyc / sigma)
		k1[c] = float32(float64(scale[c]) / sigma)
		c0[c] = float32(sdy / n)
		k2[c] = float32(sdyc / (n * v))
	}
	inHalves(rows, split, func(from, to int) {
		var m []float32
		if mask != nil {
			m = mask[from*channels : to*channels]
		}
		bnGradient(x[from*channels:to*channels], dy[from*channels:to*channels], m, mean, c0, k2, k1, channels, dx[from*channels:to*channels])
	})
}

// perChannel allocates a slice of n values with room for a whole vector
// past its end: the kernels' partial vector loads read up to a vector's
// length past a slice (environment.md, "The SIMD crash").
func perChannel(n int) []float32 { return make([]float32, n+16)[:n] }

// The sums channelSumsInHalves computes.
const (
	sumShifted  = iota // Σ (a - k) and Σ (a - k)², into sums[:channels] and sums[channels:]
	sumGradient        // Σ a and Σ a·(b - mean), likewise
)

// channelSumsInHalves accumulates per-channel sums over a's rows into sums,
// each half of the rows on its own (the second perhaps on another core)
// and then the two added, so that the result does not depend on where
// each half ran.
func channelSumsInHalves(a, b, mask, shift []float32, channels int, sums []float64, kind int, split bool) {
	rows := len(a) / channels
	half := rows / 2
	other := make([]float64, len(sums))
	clear(sums)
	run := func(part []float64, from, to int) {
		var bp, mp []float32
		if b != nil {
			bp = b[from*channels : to*channels]
		}
		if mask != nil {
			mp = mask[from*channels : to*channels]
		}
		bnSums(a[from*channels:to*channels], bp, mp, shift, channels, part, kind)
	}
	twoWays(split, func() { run(sums, 0, half) }, func() { run(other, half, rows) })
	for i := range sums {
		sums[i] += other[i]
	}
}

// inHalves calls fn on the first and on the second half of rows, the
// second perhaps on another core.
func inHalves(rows int, split bool, fn func(from, to int)) {
	half := rows / 2
	twoWays(split, func() { fn(0, half) }, func() { fn(half, rows) })
}

// minSplitValues is the smallest tensor whose halves are worth a second
// goroutine: below it the hand-over costs more than the half saves.
const minSplitValues = 1 << 16

// splitFor tells whether a batch-norm node of backend may hand half its
// rows to another goroutine: when there is a second core and no other
// execution of the backend runs beside this one (sweeps train two
// networks at once, one per core).
func splitFor(backend *gobackend.Backend) bool {
	return runtime.GOMAXPROCS(0) > 1 && backend.NumLiveExecutions.Load() <= 1
}

// twoWays runs first and second, second on another goroutine if split.
func twoWays(split bool, first, second func()) {
	if !split {
		first()
		second()
		return
	}
	done := make(chan struct{})
	go func() {
		second()
		close(done)
	}()
	first()
	<-done
}
