// Package onednn runs the Go backend's 2-D float32 convolutions, and the
// convolutions GoMLX's autodiff builds for their gradients, with oneDNN, the
// library PyTorch uses on CPUs.
//
// It is a fork addition (beyondscaling): a ConvGeneral executor registered at
// gobackend.PriorityUser that recognises three forms on NHWC data and runs
// each as one oneDNN primitive on the Go buffers themselves (no copies of
// the activations; the input-gradient form copies the small kernel):
//
//   - the forward convolution (any stride, kernel dilation and non-negative
//     left padding);
//   - the input gradient, which GoMLX writes as a convolution of the output
//     gradient with the spatially reversed kernel and input dilation equal to
//     the stride: run as oneDNN's backward-data primitive;
//   - the kernel gradient, which GoMLX writes as a convolution whose batch and
//     channel axes are swapped and whose "kernel" is the output gradient: run
//     as oneDNN's backward-weights primitive.
//
// Anything else (other dtypes or layouts, groups) falls back to the pure-Go
// executor. Products of two float32 matrices (dense layers and their
// gradients) run on oneDNN's sgemm (matmul.go). It is off until Enable is called for a backend, so a process can
// hold a pure-Go backend and an accelerated one side by side. The library is
// opened at run time (libdnnl.so.2, Debian's libdnnl2; ONEDNN_LIBRARY names
// another file); without it, or without cgo, Enable returns why.
package onednn

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/ops"
	"github.com/gomlx/compute/shapes"
	"github.com/pkg/errors"
)

// Forms of convolution a plan runs (the C side's DN_* constants).
const (
	kindForward = iota
	kindBackwardData
	kindBackwardWeights
)

var (
	loadOnce sync.Once
	loadErr  error
	version  string

	enabledMu sync.RWMutex
	enabled   = map[*gobackend.Backend]bool{}

	plansMu sync.Mutex
	plans   = map[geometry]*planEntry{}
	// implementations counts the plans made by the implementation oneDNN
	// chose (Implementations).
	implementations = map[string]int{}

	ran, fellBack atomic.Int64
)

var debug = os.Getenv("ONEDNN_DEBUG") != ""

func init() {
	gobackend.SetNodeExecutor(compute.OpTypeConvGeneral, gobackend.PriorityUser, execConvGeneral)
}

// LibraryPath is the file Load opens: $ONEDNN_LIBRARY, or libdnnl.so.2 found
// by the dynamic loader.
func LibraryPath() string {
	if p := os.Getenv("ONEDNN_LIBRARY"); p != "" {
		return p
	}
	return "libdnnl.so.2"
}

// Load opens the library once and returns its version, or why it cannot be
// used.
func Load() (string, error) {
	loadOnce.Do(func() {
		loadErr = onWorker(func() error {
			var err error
			restore := passiveOpenMP()
			defer restore()
			version, err = load(LibraryPath())
			if err == nil {
				callerThreads = maxThreads() > 0 && threadControl()
			}
			return err
		})
		if loadErr != nil {
			loadErr = errors.WithMessagef(loadErr, "oneDNN (%s)", LibraryPath())
		}
	})
	return version, loadErr
}

// passiveOpenMP sets OMP_WAIT_POLICY=passive while the library (and with it
// OpenMP) is loaded, unless the user set a wait policy: OpenMP's idle
// threads then sleep at once instead of spinning after each parallel
// region, which on a machine with few cores took a core from the Go
// backend's own work between the products (environment.md: two MLP
// trainings at once and one alone trained faster). GNU OpenMP (libgomp, the
// one Debian's oneDNN links) reads the variable when it is loaded; it is
// removed again so that child processes (the PyTorch peer of the
// benchmark) run as configured. Load runs once, early, before the process
// starts others.
func passiveOpenMP() (restore func()) {
	_, policy := os.LookupEnv("OMP_WAIT_POLICY")
	_, spin := os.LookupEnv("GOMP_SPINCOUNT")
	if policy || spin {
		return func() {}
	}
	os.Setenv("OMP_WAIT_POLICY", "passive")
	return func() { os.Unsetenv("OMP_WAIT_POLICY") }
}

// Enable makes backend b, which must be the Go backend, run its convolutions
// and dense layers with oneDNN, and its nodes one at a time unless its
// configuration chose how. Call it before b executes anything.
func Enable(b compute.Backend) error {
	gb, ok := b.(*gobackend.Backend)
	if !ok {
		return errors.Errorf("oneDNN convolutions need the Go backend, not %q", b.Name())
	}
	if _, err := Load(); err != nil {
		return err
	}
	enabledMu.Lock()
	enabled[gb] = true
	enabledMu.Unlock()
	// One node at a time, unless the configuration chose a mode
	// (go:ops_parallel): with the products and convolutions on oneDNN, running
	// other nodes beside them on the second core was slower on two cores
	// (environment.md, "Large products in halves, one node at a time").
	if gb.OpsExecutionType == gobackend.OpsExecutionDynamic {
		gb.OpsExecutionType = gobackend.OpsExecutionSequential
	}
	return nil
}

// Enabled tells whether Enable succeeded for b.
func Enabled(b compute.Backend) bool {
	gb, ok := b.(*gobackend.Backend)
	if !ok {
		return false
	}
	enabledMu.RLock()
	defer enabledMu.RUnlock()
	return enabled[gb]
}

// Counts returns how many convolutions oneDNN ran and how many, on an enabled
// backend, fell back to the pure-Go executor, since the process started.
func Counts() (ranOnOneDNN, fellBackToGo int64) { return ran.Load(), fellBack.Load() }

// Implementations counts the plans made so far by oneDNN's name for the
// implementation it chose (e.g. "brgconv:avx512_core"; "ref:any" is its slow
// reference code, which a dense NHWC convolution should never need on a CPU
// with AVX2 or better).
func Implementations() map[string]int {
	plansMu.Lock()
	defer plansMu.Unlock()
	return maps.Clone(implementations)
}

func execConvGeneral(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, _ []bool) (*gobackend.Buffer, error) {
	enabledMu.RLock()
	on := enabled[backend]
	enabledMu.RUnlock()
	if !on {
		return nil, gobackend.ErrFallback
	}
	params, ok := ops.ConvGeneralParams(node)
	if !ok {
		return nil, fallBack("no ConvGeneral parameters on node %s", node.Shape)
	}
	g, reverseKernel, ok := geometryOf(params, inputs[0].RawShape, inputs[1].RawShape, node.Shape)
	if !ok {
		return nil, fallBack("%s %s -> %s %+v", inputs[0].RawShape, inputs[1].RawShape, node.Shape, params)
	}
	p, err := planFor(g)
	if err != nil {
		return nil, fallBack("%+v: %v", g, err)
	}
	output, err := backend.GetBuffer(node.Shape)
	if err != nil {
		return nil, err
	}
	if backend.NoOps {
		return output, nil
	}
	a, aok := inputs[0].Flat.([]float32)
	w, wok := inputs[1].Flat.([]float32)
	out, ook := output.Flat.([]float32)
	if !aok || !wok || !ook {
		backend.PutBuffer(output)
		return nil, fallBack("not float32: %s %s -> %s", inputs[0].RawShape, inputs[1].RawShape, node.Shape)
	}
	if reverseKernel {
		w = reverseSpatial(w, inputs[1].RawShape.Dimensions)
	}
	if g.packFrom != ([4]int64{}) {
		packed, err := backend.GetBuffer(shapes.Make(dtypes.Float32, int(g.srcDims[0]*g.srcDims[1]*g.srcDims[2]*g.srcDims[3])))
		if err != nil {
			backend.PutBuffer(output)
			return nil, err
		}
		defer backend.PutBuffer(packed)
		src := a
		a = packed.Flat.([]float32)
		g.packSource(a, src)
	}
	if debug {
		fmt.Fprintf(os.Stderr, "onednn: %+v impl %s\n", g, p.impl)
	}
	if err := onWorker(func() error { return p.run(a, w, out) }); err != nil {
		backend.PutBuffer(output)
		return nil, errors.WithMessage(err, "oneDNN convolution")
	}
	ran.Add(1)
	return output, nil
}

// fallBack counts a convolution left to the pure-Go executor, says why on
// stderr when ONEDNN_DEBUG is set, and returns the error that hands it over.
func fallBack(format string, args ...any) error {
	fellBack.Add(1)
	if debug {
		fmt.Fprintf(os.Stderr, "onednn: falls back: "+format+"\n", args...)
	}
	return gobackend.ErrFallback
}

// Loading and every convolution primitive (creation and execution) run on
// one goroutine locked to its OS thread. Two reasons: oneDNN's OpenMP thread
// teams deadlocked (a hang within a few hundred calls) when the Go backend's
// concurrent ops started parallel regions from several OS threads; and some
// oneDNN implementations (gemm-based convolutions) keep their scratchpad in
// thread-local storage sized when the primitive is created, so a primitive
// must run on the thread that created it. sgemm, which keeps no state, runs
// on its callers' threads with one OpenMP thread each (matmul.go), so that
// every OpenMP region of several threads starts on this one.
var (
	workerOnce sync.Once
	work       chan func()
)

// onWorker runs f on the oneDNN thread and returns its error; a panic in f
// comes back as an error rather than killing the worker.
func onWorker(f func() error) error {
	workerOnce.Do(func() {
		work = make(chan func())
		go func() {
			runtime.LockOSThread()
			for job := range work {
				job()
			}
		}()
	})
	done := make(chan error, 1)
	work <- func() {
		defer func() {
			if r := recover(); r != nil {
				done <- errors.Errorf("oneDNN: %v", r)
			}
		}()
		done <- f()
	}
	return <-done
}

// planEntry is one geometry's plan, made once (on the worker) by whichever
// caller needs it first; a geometry oneDNN refused keeps its error, so that
// it falls back without asking again.
type planEntry struct {
	once sync.Once
	p    *plan
	err  error
}

// planFor returns the plan for g, making it on first use. The map lock is
// not held while the plan is made (that JIT-compiles kernels).
func planFor(g geometry) (*plan, error) {
	plansMu.Lock()
	e, ok := plans[g]
	if !ok {
		e = &planEntry{}
		plans[g] = e
	}
	plansMu.Unlock()
	e.once.Do(func() {
		e.err = onWorker(func() error {
			var err error
			e.p, err = makePlan(g)
			return err
		})
		if e.err == nil {
			plansMu.Lock()
			implementations[e.p.impl]++
			plansMu.Unlock()
		}
	})
	return e.p, e.err
}

// geometryOf maps a ConvGeneral node onto one of the three oneDNN forms, or
// returns ok=false. reverseKernel says the kernel operand must be reversed
// spatially first (the input-gradient form).
func geometryOf(p ops.ConvParams, in, kernel, out shapes.Shape) (g geometry, reverseKernel, ok bool) {
	if in.DType != dtypes.Float32 || kernel.DType != dtypes.Float32 || out.DType != dtypes.Float32 ||
		in.Rank() != 4 || kernel.Rank() != 4 || out.Rank() != 4 ||
		p.ChannelGroupCount > 1 || p.BatchGroupCount > 1 ||
		len(p.Strides) != 2 || len(p.Paddings) != 2 || len(p.InputDilations) != 2 {
		return g, false, false
	}
	ax := p.Axes
	xd, kd, od := in.Dimensions, kernel.Dimensions, out.Dimensions
	if in.Size() == 0 || kernel.Size() == 0 || out.Size() == 0 {
		return g, false, false // nothing to compute; the pure-Go executor handles empty tensors
	}
	xs, ks, os := elementStrides(xd), elementStrides(kd), elementStrides(od)
	kernelDilation := [2]int{1, 1}
	if len(p.KernelDilations) == 2 {
		kernelDilation = [2]int{p.KernelDilations[0], p.KernelDilations[1]}
	}
	ones := func(v []int) bool { return slices.Equal(v, []int{1, 1}) }
	// nhwc describes an NHWC tensor as oneDNN's logical (N, C, H, W).
	nhwc := func(d []int, s [4]int64) (dims, strides [4]int64) {
		return [4]int64{int64(d[0]), int64(d[3]), int64(d[1]), int64(d[2])}, [4]int64{s[0], s[3], s[1], s[2]}
	}
	for i := range 2 {
		g.strides[i] = int64(p.Strides[i])
	}

	switch {
	case ax.InputBatch == 0 && ax.InputChannels == 3 && slices.Equal(ax.InputSpatial, []int{1, 2}) &&
		ax.OutputBatch == 0 && ax.OutputChannels == 3 && slices.Equal(ax.OutputSpatial, []int{1, 2}) &&
		slices.Equal(ax.KernelSpatial, []int{0, 1}) &&
		(ax.KernelInputChannels == 2 && ax.KernelOutputChannels == 3 || ax.KernelInputChannels == 3 && ax.KernelOutputChannels == 2):
		kin, kout := ax.KernelInputChannels, ax.KernelOutputChannels
		if ones(p.InputDilations) {
			// The forward convolution itself.
			g.kind = kindForward
			g.srcDims, g.srcStrides = nhwc(xd, xs)
			g.dstDims, g.dstStrides = nhwc(od, os)
			g.wDims = [4]int64{int64(kd[kout]), int64(kd[kin]), int64(kd[0]), int64(kd[1])}
			g.wStrides = [4]int64{ks[kout], ks[kin], ks[0], ks[1]}
			for i := range 2 {
				g.dilates[i] = int64(kernelDilation[i] - 1)
				kEff := (kd[i]-1)*kernelDilation[i] + 1
				if !g.setPadding(i, xd[1+i], od[1+i], kEff, p.Strides[i], p.Paddings[i][0], false) &&
					!g.setPadding(i, xd[1+i], od[1+i], kEff, p.Strides[i], p.Paddings[i][0], true) {
					return g, false, false
				}
			}
			g.packIfCropped(xd)
			return g, false, true
		}
		if kernelDilation != [2]int{1, 1} || !ones(p.Strides) {
			return g, false, false
		}
		// The input gradient: this op's input is the forward output's
		// gradient, its output the forward input's gradient, its kernel the
		// forward kernel reversed with input and output channels swapped.
		g.kind = kindBackwardData
		g.srcDims, g.srcStrides = nhwc(od, os)
		g.dstDims, g.dstStrides = nhwc(xd, xs)
		g.wDims = [4]int64{int64(kd[kin]), int64(kd[kout]), int64(kd[0]), int64(kd[1])}
		g.wStrides = [4]int64{ks[kin], ks[kout], ks[0], ks[1]}
		for i := range 2 {
			g.strides[i] = int64(p.InputDilations[i])
			if !g.setPadding(i, od[1+i], xd[1+i], kd[i], p.InputDilations[i], kd[i]-1-p.Paddings[i][0], false) {
				return g, false, false
			}
		}
		return g, true, true

	case ax.InputBatch == 3 && ax.InputChannels == 0 && slices.Equal(ax.InputSpatial, []int{1, 2}) &&
		ax.KernelInputChannels == 0 && ax.KernelOutputChannels == 3 && slices.Equal(ax.KernelSpatial, []int{1, 2}) &&
		slices.Equal(ax.OutputSpatial, []int{0, 1}) &&
		(ax.OutputBatch == 2 && ax.OutputChannels == 3 || ax.OutputBatch == 3 && ax.OutputChannels == 2) &&
		ones(p.InputDilations):
		// The kernel gradient: input is the forward input (NHWC, batch and
		// channels swapped in the roles), kernel the forward output's
		// gradient, output the forward kernel's gradient; the forward
		// stride became this op's kernel dilation and the forward kernel
		// dilation its stride.
		g.kind = kindBackwardWeights
		g.srcDims, g.srcStrides = nhwc(xd, xs)
		g.dstDims, g.dstStrides = nhwc(kd, ks)
		ob, oc := ax.OutputBatch, ax.OutputChannels
		g.wDims = [4]int64{int64(od[oc]), int64(od[ob]), int64(od[0]), int64(od[1])}
		g.wStrides = [4]int64{os[oc], os[ob], os[0], os[1]}
		for i := range 2 {
			// The forward kernel dilation became this op's stride.
			g.strides[i] = int64(kernelDilation[i])
			g.dilates[i] = int64(p.Strides[i] - 1)
			kEff := (od[i]-1)*p.Strides[i] + 1
			if !g.setPadding(i, xd[1+i], kd[1+i], kEff, kernelDilation[i], p.Paddings[i][0], true) {
				return g, false, false
			}
		}
		g.packIfCropped(xd)
		return g, false, true
	}
	return g, false, false
}

// setPadding sets spatial axis i's paddings of a forward convolution from
// an input of size h to an output of size ho, with effective kernel size
// kEff, stride s and left padding padL. The windows read (output j reads
// input rows j·s−padL onwards) do not depend on the right padding, which
// only has to give ho outputs; GoMLX writes it negative where a gradient
// drops unread rows, oneDNN wants it non-negative. With crop (allowed where
// the source is only read: the forward and kernel-gradient forms) the
// source is described without the rows no window reads, so the right
// padding is exact; this also avoids a wrong strided 1×1 kernel gradient of
// oneDNN 2.6.3's AVX2 kernels at channel counts that are not multiples of 8
// (found by TestOneDNNConvolutionForms with ONEDNN_MAX_CPU_ISA=AVX2).
// Otherwise the smallest non-negative right padding that gives ho outputs
// is used. It returns false when none does. srcDims must be set first.
func (g *geometry) setPadding(i, h, ho, kEff, s, padL int, crop bool) bool {
	if padL < 0 || s < 1 || ho < 1 {
		return false
	}
	if read := (ho-1)*s + kEff - padL; crop && read < h {
		h = read
		g.srcDims[2+i] = int64(read)
	}
	padR := max(0, (ho-1)*s+kEff-h-padL)
	if (h+padL+padR-kEff)/s+1 != ho {
		return false
	}
	g.padL[i], g.padR[i] = int64(padL), int64(padR)
	return true
}

// packIfCropped: when setPadding cropped the source (whose buffer has the
// NHWC dimensions d), the source is described as a dense copy, made before
// each run (packFrom). oneDNN 2.6.3 runs a cropped, non-dense source only on
// its reference kernels: ResNet-20 trained at half speed that way.
func (g *geometry) packIfCropped(d []int) {
	if g.srcDims[2] == int64(d[1]) && g.srcDims[3] == int64(d[2]) {
		return
	}
	g.packFrom = g.srcStrides
	// The same axis order as in the buffer, densely.
	order := axesByStride(g.packFrom)
	acc := int64(1)
	for k := 3; k >= 0; k-- {
		g.srcStrides[order[k]] = acc
		acc *= g.srcDims[order[k]]
	}
}

// packSource copies the cropped source out of its buffer into dst (the
// dense layout of g.srcStrides).
func (g *geometry) packSource(dst, src []float32) {
	order := axesByStride(g.srcStrides)
	d, from, to := g.srcDims, g.packFrom, g.srcStrides
	a0, a1, a2, a3 := order[0], order[1], order[2], order[3]
	run := d[a3]
	for i0 := range d[a0] {
		for i1 := range d[a1] {
			for i2 := range d[a2] {
				f := i0*from[a0] + i1*from[a1] + i2*from[a2]
				t := i0*to[a0] + i1*to[a1] + i2*to[a2]
				if from[a3] == 1 {
					copy(dst[t:t+run], src[f:f+run])
					continue
				}
				for i3 := range run {
					dst[t+i3] = src[f+i3*from[a3]]
				}
			}
		}
	}
}

// axesByStride orders the four axes from the largest stride to the smallest
// (the buffer's order from outermost to innermost).
func axesByStride(strides [4]int64) [4]int {
	order := [4]int{0, 1, 2, 3}
	slices.SortStableFunc(order[:], func(a, b int) int { return cmp.Compare(strides[b], strides[a]) })
	return order
}

// elementStrides are a row-major tensor's strides, in elements.
func elementStrides(d []int) [4]int64 {
	var s [4]int64
	acc := int64(1)
	for i := 3; i >= 0; i-- {
		s[i] = acc
		acc *= int64(d[i])
	}
	return s
}

// reverseSpatial returns a copy of kernel [kh, kw, a, b] with both spatial
// axes reversed.
func reverseSpatial(kernel []float32, d []int) []float32 {
	kh, kw, block := d[0], d[1], d[2]*d[3]
	r := make([]float32, len(kernel))
	for y := range kh {
		for x := range kw {
			src := ((kh-1-y)*kw + (kw - 1 - x)) * block
			dst := (y*kw + x) * block
			copy(r[dst:dst+block], kernel[src:src+block])
		}
	}
	return r
}

// Version is the loaded library's version ("" before a successful Load).
func Version() string {
	v, _ := Load()
	return v
}

// IsGoBackend tells whether b is the pure-Go backend (the only one this
// package accelerates).
func IsGoBackend(b compute.Backend) bool {
	_, ok := b.(*gobackend.Backend)
	return ok
}
