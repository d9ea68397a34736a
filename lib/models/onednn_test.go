package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/backend/backendtest"
)

// The same initial weights give the same outputs and gradients with oneDNN
// convolutions (the native convolution, ConvFor) as on the pure-Go backend
// (its patch convolution), within LogitTolerance and GradientTolerance, over
// AgreementCases; and oneDNN really ran them: the forward convolutions and
// both gradients of every network, with none falling back to pure Go.
func TestOneDNNMatchesGoBackend(t *testing.T) {
	dnn := backendtest.OneDNN(t)
	defer dnn.Finalize()
	if got := ConvFor(dnn); got != ConvNative {
		t.Fatalf("ConvFor(oneDNN) = %v, want native", got)
	}
	ran0, fell0 := backend.OneDNNCounts()
	mm0 := backend.OneDNNMatMuls()
	checkAgreement(t, goBackend(t), dnn)
	ran, fell := backend.OneDNNCounts()
	t.Logf("oneDNN ran %d convolutions, %d fell back to pure Go, and %d matrix products", ran-ran0, fell-fell0, backend.OneDNNMatMuls()-mm0)
	if backend.OneDNNMatMuls() == mm0 {
		t.Errorf("oneDNN ran no matrix product: the dense layers and their gradients did not reach sgemm")
	}
	if ran == ran0 || fell != fell0 {
		t.Errorf("oneDNN ran %d convolutions and %d fell back to pure Go; want some and none", ran-ran0, fell-fell0)
	}
	// None on oneDNN's reference kernels: a non-dense source description
	// sent ResNet-20's strided 1×1 shortcuts there and halved its training
	// speed (29-30 Nov 2026). Only where oneDNN may use its best ISA.
	impls := backend.OneDNNImplementations()
	t.Logf("oneDNN plans by implementation: %v", impls)
	if os.Getenv("ONEDNN_MAX_CPU_ISA") == "" {
		for impl, n := range impls {
			if strings.HasPrefix(impl, "ref") {
				t.Errorf("%d convolution plans run on oneDNN's reference implementation %q", n, impl)
			}
		}
	}
}

// oneDNN's three forms (forward, input gradient, kernel gradient) agree with
// the pure-Go backend's own direct convolution loop on the native
// convolution over strides, kernel sizes, kernel dilations, odd and
// asymmetric paddings, even kernels and sizes that do not divide by the
// stride (GoMLX allows a stride or a dilation, not both), at 1e-5
// (relative to the largest value): each case must run on oneDNN, not fall
// back.
func TestOneDNNConvolutionForms(t *testing.T) {
	dnn := backendtest.OneDNN(t)
	defer dnn.Finalize()
	gob := goBackend(t)
	rng := rand.New(rand.NewPCG(21, 22))
	cases := []struct {
		b, h, w, cin, cout, kh, kw, stride, dilation int
		pad                                          [2][2]int
	}{
		{2, 8, 8, 3, 5, 3, 3, 1, 1, [2][2]int{{1, 1}, {1, 1}}},
		{2, 9, 7, 4, 6, 3, 3, 2, 1, [2][2]int{{1, 1}, {1, 1}}},
		{1, 10, 10, 5, 3, 1, 1, 2, 1, [2][2]int{{0, 0}, {0, 0}}},
		{2, 11, 9, 3, 4, 5, 3, 3, 1, [2][2]int{{2, 1}, {0, 2}}},
		{1, 16, 16, 3, 8, 7, 7, 2, 1, [2][2]int{{3, 3}, {3, 3}}},
		{2, 9, 9, 4, 4, 3, 3, 1, 2, [2][2]int{{2, 2}, {2, 2}}},
		{1, 12, 10, 2, 3, 3, 2, 2, 1, [2][2]int{{1, 0}, {0, 1}}},
		{2, 13, 11, 3, 2, 3, 3, 1, 3, [2][2]int{{1, 2}, {3, 0}}},
	}
	// A grid of "same"-padded ResNet-like layers with channel counts that
	// are and are not multiples of the vector width, on sizes that do and do
	// not divide by the stride.
	for _, k := range []int{1, 3} {
		for _, stride := range []int{1, 2} {
			for _, h := range []int{9, 10, 32} {
				for _, ch := range [][2]int{{3, 5}, {5, 3}, {16, 8}} {
					p := k / 2
					cases = append(cases, struct {
						b, h, w, cin, cout, kh, kw, stride, dilation int
						pad                                          [2][2]int
					}{2, h, h, ch[0], ch[1], k, k, stride, 1, [2][2]int{{p, p}, {p, p}}})
				}
			}
		}
	}
	for _, c := range cases {
		x := normalTensor(rng, c.b, c.h, c.w, c.cin)
		k := normalTensor(rng, c.kh, c.kw, c.cin, c.cout)
		xFlat, kFlat := tensors.MustCopyFlatData[float32](x), tensors.MustCopyFlatData[float32](k)
		conv := func(x, k *Node) *Node {
			return Convolve(x, k).StridePerAxis(c.stride, c.stride).DilationPerAxis(c.dilation, c.dilation).
				PaddingPerDim([][2]int{c.pad[0], c.pad[1]}).Done()
		}
		var outs [2][][]float32
		ran0, fell0 := backend.OneDNNCounts()
		for i, be := range []compute.Backend{gob, dnn} {
			exec, err := NewExec(be, func(x, k *Node) []*Node {
				y := conv(x, k)
				r := Sin(Add(Iota(x.Graph(), y.Shape(), 0), Iota(x.Graph(), y.Shape(), 3))) // a fixed, non-uniform output gradient
				g := Gradient(ReduceAllSum(Mul(y, r)), x, k)
				return []*Node{y, g[0], g[1]}
			})
			if err != nil {
				t.Fatal(err)
			}
			// A tensor belongs to one backend: give each its own copy.
			res, err := exec.Exec(tensors.FromFlatDataAndDimensions(xFlat, x.Shape().Dimensions...), tensors.FromFlatDataAndDimensions(kFlat, k.Shape().Dimensions...))
			if err != nil {
				t.Fatalf("%+v: %v", c, err)
			}
			for _, r := range res {
				outs[i] = append(outs[i], tensors.MustCopyFlatData[float32](r))
			}
		}
		ran, fell := backend.OneDNNCounts()
		if ran-ran0 != 3 || fell != fell0 {
			t.Errorf("%+v: oneDNN ran %d convolutions and %d fell back, want 3 and 0", c, ran-ran0, fell-fell0)
		}
		for j, name := range []string{"output", "input gradient", "kernel gradient"} {
			if d := RelativeDifference(outs[1][j], outs[0][j]); !(d <= 1e-5) {
				t.Errorf("%+v: %s differs from pure Go's by %.2g (relative)", c, name, d)
			}
		}
	}
}

// The forms test and the network agreement also hold with the kernels
// oneDNN picks on older CPUs: AVX2 (whose strided 1×1 kernel gradient was
// wrong at odd channel counts until the source was cropped to the rows
// read) and SSE4.1, where convolutions are gemm-based and keep their
// scratchpad in the creating thread's storage (so plans must be made on the
// thread that runs them). The halves of large products must match the
// whole products with those kernels too. Each runs in a child process,
// since oneDNN reads ONEDNN_MAX_CPU_ISA once.
func TestOneDNNOnOtherISAs(t *testing.T) {
	if os.Getenv("ONEDNN_MAX_CPU_ISA") != "" {
		t.Skip("already restricted to " + os.Getenv("ONEDNN_MAX_CPU_ISA"))
	}
	dnn := backendtest.OneDNN(t) // skips (or fails under CI) without the library
	dnn.Finalize()
	// kernel is a kernel name ONEDNN_DEBUG must show, so that the ISA
	// restriction is known to have taken effect.
	for _, c := range []struct{ isa, kernel string }{{"AVX2", ":avx2"}, {"SSE41", "gemm"}} {
		cmd := exec.Command(os.Args[0], "-test.run", "^(TestOneDNNConvolutionForms|TestOneDNNMatchesGoBackend|TestOneDNNProductHalvesMatchWholeProduct)$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "ONEDNN_MAX_CPU_ISA="+c.isa, "ONEDNN_DEBUG=1")
		out, err := cmd.CombinedOutput()
		text := string(out)
		if err != nil || !strings.Contains(text, "--- PASS: TestOneDNNConvolutionForms") || !strings.Contains(text, "--- PASS: TestOneDNNMatchesGoBackend") ||
			(backend.ProductHalvesOn() && backend.OneDNNCallerThreads() && !strings.Contains(text, "--- PASS: TestOneDNNProductHalvesMatchWholeProduct")) {
			t.Errorf("ONEDNN_MAX_CPU_ISA=%s: %v\n%s", c.isa, err, out)
		} else if !strings.Contains(text, c.kernel) {
			t.Errorf("ONEDNN_MAX_CPU_ISA=%s: no %q kernel ran: the restriction did not take effect", c.isa, c.kernel)
		}
	}
}

// oneDNN's sgemm, as the dense layers run it, against a float64 product
// computed here, for the four transpositions and sizes that are not
// multiples of any vector width; the output starts as NaN to show it is
// written, not accumulated into (beta 0). float32 sums of up to 300 terms
// of values in [-1, 1): relative error within 1e-5 of the largest entry.
func TestOneDNNSGEMMMatchesFloat64Product(t *testing.T) {
	dnn := backendtest.OneDNN(t)
	defer dnn.Finalize()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, dims := range [][3]int{{1, 1, 1}, {7, 5, 3}, {128, 10, 256}, {33, 65, 300}, {300, 17, 1}, {128, 200, 256}} {
		m, n, k := dims[0], dims[1], dims[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			a, b := make([]float32, m*k), make([]float32, k*n)
			for i := range a {
				a[i] = 2*rng.Float32() - 1
			}
			for i := range b {
				b[i] = 2*rng.Float32() - 1
			}
			// A(i, p) and B(p, j) as stored: A is k×m when transposed, B n×k.
			at := func(i, p int) float64 {
				if tr[0] {
					return float64(a[p*m+i])
				}
				return float64(a[i*k+p])
			}
			bt := func(p, j int) float64 {
				if tr[1] {
					return float64(b[j*k+p])
				}
				return float64(b[p*n+j])
			}
			want := make([]float64, m*n)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					for p := 0; p < k; p++ {
						want[i*n+j] += at(i, p) * bt(p, j)
					}
				}
			}
			// On the worker with OpenMP's default team (as the roofline
			// runs it), and as the dense layers run it (on the calling
			// thread with one OpenMP thread).
			for _, route := range []string{"worker", "dense layer"} {
				c := make([]float32, m*n)
				for i := range c {
					c[i] = float32(math.NaN())
				}
				var err error
				if route == "worker" {
					err = backend.OneDNNSGEMM(tr[0], tr[1], m, n, k, a, b, c)
				} else {
					err = backend.OneDNNMatMul(tr[0], tr[1], m, n, k, a, b, c)
				}
				if err != nil {
					t.Fatal(err)
				}
				var worst, scale float64
				for i, w := range want {
					scale = max(scale, math.Abs(w))
					d := math.Abs(float64(c[i]) - w)
					if math.IsNaN(d) {
						d = math.Inf(1)
					}
					worst = max(worst, d)
				}
				if worst > 1e-5*max(scale, 1) {
					t.Errorf("sgemm %d×%d×%d, transposed %v, %s: off by %.3g (largest entry %.3g)", m, n, k, tr, route, worst, scale)
				}
			}
		}
	}
}

// A dense layer's large product is computed as two halves of its output,
// one per core, cut by the product's shape alone. Which thread computes a
// half must not change a number: each half gives the same bits on the
// calling thread and on the helper. The halves agree with the whole
// product within float32 rounding (1e-5 of its largest entry; oneDNN's
// gemm driver picks its blocking by the matrices' sizes, so some shapes
// round differently in halves, a few others here and more with other
// kernels). Checked on every dense product the project's networks run: the
// MLPs' layers (forward, weight gradient, input gradient) on both image
// shapes at every batch size a training with batch 128 or an evaluation
// with batch 256 produces (its last batch is any smaller size), and every
// network's head on 10, 100 and 1000 classes at a sample of batch sizes; and
// on uneven shapes in all four transpositions. TestOneDNNOnOtherISAs runs it
// again with AVX2 and SSE4.1 kernels (on fewer batch sizes). The whole
// product is checked against a float64 product in
// TestOneDNNSGEMMMatchesFloat64Product.
func TestOneDNNProductHalvesMatchWholeProduct(t *testing.T) {
	dnn := backendtest.OneDNNHalves(t)
	defer dnn.Finalize()
	type product struct {
		transA, transB bool
		m, n, k        int
	}
	var products []product
	layer := func(batch, in, out int) {
		products = append(products,
			product{false, false, batch, out, in}, // forward: x·W
			product{true, false, in, out, batch},  // weight gradient: xᵀ·dy
			product{false, true, batch, in, out})  // input gradient: dy·Wᵀ
	}
	sampled := []int{1, 2, 3, 7, 16, 31, 64, 100, 127, 128, 200, 255, 256, 257, 500}
	mlpBatches := sampled
	if os.Getenv("ONEDNN_MAX_CPU_ISA") == "" {
		mlpBatches = nil
		for b := 1; b <= 257; b++ {
			mlpBatches = append(mlpBatches, b)
		}
	}
	for _, name := range []string{"mlp", "mlp-256"} {
		net, err := New(name, Options{Classes: 10, Channels: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, inputs := range []int{28 * 28, 32 * 32 * 3} {
			widths := append([]int{inputs}, append(slices.Clone(net.(MLP).Hidden), 10)...)
			for _, batch := range mlpBatches {
				for l := range len(widths) - 1 {
					layer(batch, widths[l], widths[l+1])
				}
			}
		}
	}
	for _, name := range Names() {
		for _, classes := range []int{10, 100, 1000} {
			net, err := New(name, Options{Classes: classes, Channels: 3})
			if err != nil {
				t.Fatal(err)
			}
			cost, err := CostOf(dnn, net, 32, 32, 3)
			if err != nil {
				t.Fatal(err)
			}
			last := cost.Layers[len(cost.Layers)-1]
			if last.Name != "head" || last.MACs%int64(classes) != 0 {
				t.Fatalf("%s: last layer %+v is not a dense head over %d classes", name, last, classes)
			}
			for _, batch := range sampled {
				layer(batch, int(last.MACs)/classes, classes)
			}
		}
	}
	for _, dims := range [][3]int{{1000, 37, 77}, {37, 1000, 77}, {129, 4097, 5}, {4097, 129, 5}, {33, 33, 2000}} {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			products = append(products, product{tr[0], tr[1], dims[0], dims[1], dims[2]})
		}
	}
	// Operands are prefixes of two random slices, as large as the largest.
	var maxA, maxB int
	for _, p := range products {
		maxA, maxB = max(maxA, p.m*p.k), max(maxB, p.k*p.n)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	randoms := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 2*rng.Float32() - 1
		}
		return v
	}
	randA, randB := randoms(maxA), randoms(maxB)
	cut, differ, helped := 0, 0, backend.ProductHalvesHelped()
	var worst float64
	for _, p := range products {
		a, b := randA[:p.m*p.k], randB[:p.k*p.n]
		whole := make([]float32, p.m*p.n)
		if err := backend.OneDNNMatMul(p.transA, p.transB, p.m, p.n, p.k, a, b, whole); err != nil {
			t.Fatal(err)
		}
		var halves [2][]float32 // both on the caller; the first on the helper
		for h, onHelper := range []bool{false, true} {
			halves[h] = make([]float32, p.m*p.n)
			for i := range halves[h] {
				halves[h][i] = float32(math.NaN()) // an element neither half writes stays NaN
			}
			ok, err := backend.OneDNNProductHalves(onHelper, p.transA, p.transB, p.m, p.n, p.k, a, b, halves[h])
			if err != nil {
				t.Fatal(err)
			}
			if big := p.m*p.n*p.k >= 1<<21; ok != big {
				t.Fatalf("%+v: cut into halves %v, want %v (%d multiply-adds)", p, ok, big, p.m*p.n*p.k)
			}
			if !ok {
				halves[h] = nil
				break
			}
		}
		if halves[0] == nil {
			continue
		}
		cut++
		var scale, off float64
		for i := range whole {
			if math.Float32bits(halves[1][i]) != math.Float32bits(halves[0][i]) {
				t.Fatalf("%+v: element %d (row %d) is %g with the first half on the helper, %g on the caller",
					p, i, i/p.n, halves[1][i], halves[0][i])
			}
			scale = max(scale, math.Abs(float64(whole[i])))
			d := math.Abs(float64(halves[0][i]) - float64(whole[i]))
			if math.IsNaN(d) {
				d = math.Inf(1)
			}
			off = max(off, d)
		}
		if off > 0 {
			differ++
		}
		worst = max(worst, off/max(scale, 1))
		if off > 1e-5*max(scale, 1) {
			t.Fatalf("%+v: halves off the whole product by %.3g (largest entry %.3g)", p, off, scale)
		}
	}
	t.Logf("%d products, %d cut into halves; %d of those differ from the whole product in rounding, by at most %.2g of the largest entry",
		len(products), cut, differ, worst)
	if cut == 0 {
		t.Fatal("no product was cut into halves")
	}
	if !backend.ProductHalvesHelperRunning() {
		t.Fatal("the helper thread did not start")
	}
	// The helper takes the first half of each product offered to it first,
	// and the second too when it is quicker than the caller.
	if got := backend.ProductHalvesHelped() - helped; got < int64(cut) {
		t.Fatalf("the helper computed %d halves of %d products it was to start", got, cut)
	}
}

// Dense layers' products run on their callers' threads, one OpenMP thread
// each, while convolutions run on the oneDNN worker with OpenMP's team.
// Products large and small from two goroutines beside convolutions and
// their gradients from a third finish (a deadlock panics after two minutes)
// and give the same numbers as alone.
func TestOneDNNProductsBesideConvolutions(t *testing.T) {
	dnn := backendtest.OneDNN(t)
	defer dnn.Finalize()
	if !backend.OneDNNCallerThreads() {
		t.Skip("OpenMP's thread count cannot be set: products run on the worker, nothing runs side by side")
	}
	watchdog := time.AfterFunc(2*time.Minute, func() { panic("oneDNN products beside convolutions: no progress in 2 minutes (deadlock)") })
	defer watchdog.Stop()
	rng := rand.New(rand.NewPCG(5, 6))
	type product struct {
		transA, transB bool
		m, n, k        int
		a, b, want     []float32
	}
	var products []product
	// The products of mlp-256's dense layers on a batch of 128, large and
	// small, and the input gradient of a first layer like its own.
	for _, d := range [][5]int{{0, 0, 128, 256, 784}, {1, 0, 784, 256, 128}, {0, 1, 128, 784, 256}, {0, 0, 128, 10, 256}, {1, 0, 256, 10, 128}, {0, 1, 128, 256, 10}} {
		p := product{transA: d[0] == 1, transB: d[1] == 1, m: d[2], n: d[3], k: d[4]}
		p.a, p.b = make([]float32, p.m*p.k), make([]float32, p.k*p.n)
		for i := range p.a {
			p.a[i] = 2*rng.Float32() - 1
		}
		for i := range p.b {
			p.b[i] = 2*rng.Float32() - 1
		}
		p.want = make([]float32, p.m*p.n)
		if err := backend.OneDNNMatMul(p.transA, p.transB, p.m, p.n, p.k, p.a, p.b, p.want); err != nil {
			t.Fatal(err)
		}
		products = append(products, p)
	}
	conv, err := NewExec(dnn, func(x, k *Node) []*Node {
		y := Convolve(x, k).StridePerAxis(1, 1).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
		g := Gradient(ReduceAllSum(Mul(y, y)), x, k)
		return []*Node{y, g[0], g[1]}
	})
	if err != nil {
		t.Fatal(err)
	}
	x, k := normalTensor(rng, 8, 16, 16, 16), normalTensor(rng, 3, 3, 16, 16)
	ran0, _ := backend.OneDNNCounts()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for g := range 2 {
		wg.Go(func() {
			for i := range 600 {
				p := products[(i+g)%len(products)]
				c := make([]float32, p.m*p.n)
				if err := backend.OneDNNMatMul(p.transA, p.transB, p.m, p.n, p.k, p.a, p.b, c); err != nil {
					errs <- err
					return
				}
				if !slices.Equal(c, p.want) {
					errs <- fmt.Errorf("product %d×%d×%d gave other numbers beside other work", p.m, p.n, p.k)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 40 {
			res, err := conv.Exec(x, k)
			if err != nil {
				errs <- err
				return
			}
			for _, r := range res {
				r.FinalizeAll()
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ran, _ := backend.OneDNNCounts(); ran-ran0 < 40*3 {
		t.Errorf("oneDNN ran %d convolutions beside the products, want at least %d", ran-ran0, 40*3)
	}
}
