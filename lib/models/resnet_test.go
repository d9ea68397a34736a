package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// He et al. (2016), Table 6: ResNet-20 has 0.27M parameters, ResNet-56
// 0.85M (with parameter-free shortcuts; the 1×1 projections used here add
// 0.3%). torchvision's ResNet-50 has 25,557,032 parameters at 1000 classes;
// the CIFAR ResNet18 of the EL2N code 11,173,962 at 10 classes.
func TestParameterCounts(t *testing.T) {
	b := goBackend(t)
	for _, c := range []struct {
		name    string
		classes int
		size    int
		want    float64
		exact   bool
	}{
		{"resnet20", 10, 32, 0.27e6, false},
		{"resnet56", 10, 32, 0.85e6, false},
		// The PyTorch peer (bench/peer/resnet_cifar.py) counts 272,474 for
		// ResNet-20 (PyTorch 1.13.1, Debian).
		{"resnet20", 10, 32, 272474, true},
		{"resnet18", 10, 32, 11173962, true},
		{"resnet50", 1000, 64, 25557032, true},
		// 3072·512+512 + 512·256+256 + 256·10+10
		{"mlp", 10, 32, 3072*512 + 512 + 512*256 + 256 + 256*10 + 10, true},
		// 3072·256+256 + 256·10+10
		{"mlp-256", 10, 32, 3072*256 + 256 + 256*10 + 10, true},
	} {
		n := float64(countParams(t, b, c.name, c.classes, c.size))
		if (c.exact && n != c.want) || (!c.exact && math.Abs(n-c.want)/c.want > 0.03) {
			t.Errorf("%s: %.0f parameters, want %.0f (exact %v)", c.name, n, c.want, c.exact)
		}
	}
}

// countParams is the parameter count of the named network on
// size×size×3 input with the given number of classes.
func countParams(t *testing.T, b compute.Backend, name string, classes, size int) int {
	t.Helper()
	net, err := New(name, Options{Classes: classes, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	specs, err := Specs(b, net, 2, size, size, 3)
	if err != nil {
		t.Fatal(err)
	}
	return CountParams(specs)
}

func TestNewRejectsUnknownNames(t *testing.T) {
	for _, name := range []string{"resnet21", "vgg16", "resnet18-w0", "resnet18-wx", "mlp-w3"} {
		if _, err := New(name, Options{Classes: 10, Channels: 3}); err == nil {
			t.Errorf("%q accepted", name)
		}
	}
	net, err := New("resnet18-w16", Options{Classes: 10, Channels: 3})
	if err != nil || net.Name() != "resnet18-w16" {
		t.Errorf("resnet18-w16: %v %v", net, err)
	}
}

// testBN is batch norm in training mode through the Builder.
func testBN(x, scale, shift *Node) *Node {
	b := &Builder{Mode: Train, Param: func(s ParamSpec) *Node {
		if s.Kind == "bn-scale" {
			return scale
		}
		return shift
	}}
	return b.BatchNorm("bn", x)
}

// The batch-norm gradient (through the batch statistics) against central
// finite differences in float64.
func TestBatchNormGradient(t *testing.T) {
	b := goBackend(t)
	rng := rand.New(rand.NewPCG(3, 4))
	mk := func(dims ...int) *tensors.Tensor {
		n := 1
		for _, d := range dims {
			n *= d
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	x, r := mk(4, 3, 3, 2), mk(4, 3, 3, 2)
	scale, shift := mk(2), mk(2)
	lossFn := func(x, r, sc, sh *Node) *Node { return ReduceAllSum(Mul(testBN(x, sc, sh), r)) }
	gradExec, err := NewExec(b, func(x, r, sc, sh *Node) *Node { return Gradient(lossFn(x, r, sc, sh), x)[0] })
	if err != nil {
		t.Fatal(err)
	}
	out, err := gradExec.Exec(x, r, scale, shift)
	if err != nil {
		t.Fatal(err)
	}
	grad := tensors.MustCopyFlatData[float64](out[0])
	lossExec, _ := NewExec(b, lossFn)
	xs := tensors.MustCopyFlatData[float64](x)
	const h = 1e-6
	for _, i := range []int{0, 5, 17, 40, 71} {
		eval := func(d float64) float64 {
			v := append([]float64(nil), xs...)
			v[i] += d
			o, err := lossExec.Exec(tensors.FromFlatDataAndDimensions(v, 4, 3, 3, 2), r, scale, shift)
			if err != nil {
				t.Fatal(err)
			}
			return tensors.MustCopyFlatData[float64](o[0])[0]
		}
		fd := (eval(h) - eval(-h)) / (2 * h)
		if math.Abs(fd-grad[i]) > 1e-6*math.Max(1, math.Abs(fd)) {
			t.Errorf("∂L/∂x[%d]: graph %.10g, finite differences %.10g", i, grad[i], fd)
		}
	}
}

// In evaluation mode with the batch's own statistics, batch norm must
// reproduce training mode exactly.
func TestBatchNormEvalMatchesTrainOnSameStatistics(t *testing.T) {
	b := goBackend(t)
	rng := rand.New(rand.NewPCG(9, 9))
	x := normalTensor(rng, 8, 4, 4, 3)
	exec, err := NewExec(b, func(x *Node) []*Node {
		g := x.Graph()
		param := func(s ParamSpec) *Node {
			v := make([]float32, s.Size())
			for i := range v {
				v[i] = 0.5 + float32(i)
			}
			return Const(g, v)
		}
		collect := &Builder{Mode: Collect, Param: param}
		y1 := collect.BatchNorm("bn", x)
		st := collect.Collected()[0]
		eval := &Builder{Mode: Eval, Param: param, Stats: func(string, int) (*Node, *Node) { return st.Mean, st.Variance }}
		return []*Node{y1, eval.BatchNorm("bn", x)}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(x)
	if err != nil {
		t.Fatal(err)
	}
	a, c := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
	for i := range a {
		if math.Abs(float64(a[i]-c[i])) > 1e-6 {
			t.Fatalf("value %d: train %g, eval %g", i, a[i], c[i])
		}
	}
}

// Every network runs forward on a small batch and gives finite logits of
// the right shape, with features of the documented width.
func TestForwardShapes(t *testing.T) {
	b := goBackend(t)
	for _, c := range []struct {
		name     string
		size, ch int
		dim      int
	}{{"mlp", 28, 1, 256}, {"cnn", 32, 3, 128}, {"resnet8", 32, 3, 64}, {"resnet18-w8", 32, 3, 64}, {"resnet50-w4", 64, 3, 128}} {
		net, err := New(c.name, Options{Classes: 7, Channels: c.ch})
		if err != nil {
			t.Fatal(err)
		}
		specs, err := Specs(b, net, 3, c.size, c.size, c.ch)
		if err != nil {
			t.Fatal(err)
		}
		fn := Functional(net, specs, Train, ConvPatches)
		exec, err := NewExec(b, func(in []*Node) []*Node {
			l, f := fn(in[:len(in)-1], in[len(in)-1])
			return []*Node{l, f}
		})
		if err != nil {
			t.Fatal(err)
		}
		args := []any{}
		for _, p := range InitParams(specs, 1) {
			args = append(args, p)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		out, err := exec.Exec(append(args, normalTensor(rng, 3, c.size, c.size, c.ch))...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d := out[0].Shape().Dimensions; d[0] != 3 || d[1] != 7 {
			t.Errorf("%s: logits %v", c.name, d)
		}
		if d := out[1].Shape().Dimensions; d[1] != c.dim {
			t.Errorf("%s: features %v, want width %d", c.name, d, c.dim)
		}
		for _, v := range tensors.MustCopyFlatData[float32](out[0]) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s: non-finite logit", c.name)
			}
		}
	}
}

// Stats against a hand computation: margins, correctness, losses.
func TestExampleStats(t *testing.T) {
	b := goBackend(t)
	logits := tensors.FromFlatDataAndDimensions([]float32{2, 1, 0, 0, 3, 1}, 2, 3)
	labels := tensors.FromFlatDataAndDimensions([]int32{0, 2}, 2)
	exec, err := NewExec(b, func(l, y *Node) []*Node {
		s := Stats(l, y)
		return []*Node{s.Loss, s.Correct, s.Margin, CrossEntropyPerExample(l, y, 0.1)}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(logits, labels)
	if err != nil {
		t.Fatal(err)
	}
	lse := func(v ...float64) float64 {
		s := 0.0
		for _, x := range v {
			s += math.Exp(x)
		}
		return math.Log(s)
	}
	wantLoss := []float64{lse(2, 1, 0) - 2, lse(0, 3, 1) - 1}
	wantSmooth := []float64{0.9*wantLoss[0] + 0.1/3*(3*lse(2, 1, 0)-3), 0.9*wantLoss[1] + 0.1/3*(3*lse(0, 3, 1)-4)}
	got := [][]float32{tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1]), tensors.MustCopyFlatData[float32](out[2]), tensors.MustCopyFlatData[float32](out[3])}
	for i := 0; i < 2; i++ {
		if math.Abs(float64(got[0][i])-wantLoss[i]) > 1e-5 || math.Abs(float64(got[3][i])-wantSmooth[i]) > 1e-5 {
			t.Errorf("example %d: loss %g smoothed %g, want %g %g", i, got[0][i], got[3][i], wantLoss[i], wantSmooth[i])
		}
	}
	if got[1][0] != 1 || got[1][1] != 0 || got[2][0] != 1 || got[2][1] != -2 {
		t.Errorf("correct %v margins %v, want [1 0] [1 -2]", got[1], got[2])
	}
}
