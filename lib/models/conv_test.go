package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"beyondscaling/lib/backend"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

func goBackend(t testing.TB) compute.Backend {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// convAndGrads returns the convolution and the gradients of Σ r·conv with
// respect to x and the kernel (r random, so every output matters).
func convAndGrads(t *testing.T, b compute.Backend, impl ConvImpl, stride int, x, k, r *tensors.Tensor) [][]float32 {
	exec, err := NewExec(b, func(x, k, r *Node) []*Node {
		y := Conv2D(x, k, stride, impl)
		loss := ReduceAllSum(Mul(y, r))
		grads := Gradient(loss, x, k)
		return []*Node{y, grads[0], grads[1]}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(x, k, r)
	if err != nil {
		t.Fatal(err)
	}
	res := make([][]float32, len(out))
	for i, o := range out {
		res[i] = tensors.MustCopyFlatData[float32](o)
	}
	return res
}

// The patch formulation computes the same function as the backend's own
// convolution (an independent implementation): outputs and both gradients,
// for strides 1 and 2 and odd kernel sizes.
func TestConvPatchesMatchesNative(t *testing.T) {
	b := goBackend(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ batch, h, w, cin, cout, k, stride int }{
		{2, 8, 8, 3, 4, 3, 1}, {2, 8, 8, 4, 5, 3, 2}, {1, 7, 9, 2, 3, 3, 2}, {2, 6, 6, 3, 2, 1, 2}, {1, 9, 9, 2, 2, 5, 1},
	} {
		ho, wo := OutputSize(c.h, c.stride), OutputSize(c.w, c.stride)
		x := normalTensor(rng, c.batch, c.h, c.w, c.cin)
		k := normalTensor(rng, c.k, c.k, c.cin, c.cout)
		r := normalTensor(rng, c.batch, ho, wo, c.cout)
		native := convAndGrads(t, b, ConvNative, c.stride, x, k, r)
		for _, impl := range []ConvImpl{ConvPatches, ConvPatchesT} {
			patches := convAndGrads(t, b, impl, c.stride, x, k, r)
			for part, name := range []string{"output", "∂/∂x", "∂/∂kernel"} {
				maxDiff, maxVal := 0.0, 0.0
				for i := range native[part] {
					maxDiff = math.Max(maxDiff, math.Abs(float64(native[part][i]-patches[part][i])))
					maxVal = math.Max(maxVal, math.Abs(float64(native[part][i])))
				}
				t.Logf("%+v %s %s: %d values up to %.3g, max difference %.2g", c, impl, name, len(native[part]), maxVal, maxDiff)
				if len(native[part]) != len(patches[part]) {
					t.Fatalf("%+v %s: sizes %d and %d", c, name, len(native[part]), len(patches[part]))
				}
				for i := range native[part] {
					a, p := float64(native[part][i]), float64(patches[part][i])
					if math.Abs(a-p) > 1e-4*math.Max(1, math.Abs(a)) {
						t.Fatalf("%+v %s %s[%d]: native %v, patches %v", c, impl, name, i, a, p)
					}
				}
			}
		}
	}
}

// BenchmarkConvTrainStep times forward + backward of one ResNet-20 layer
// (batch 128, 32×32, 16 → 16 channels, 3×3) in both formulations on the
// pure-Go backend.
func BenchmarkConvTrainStep(b *testing.B) {
	be := goBackend(b)
	rng := rand.New(rand.NewPCG(1, 2))
	x := normalTensor(rng, 128, 32, 32, 16)
	k := normalTensor(rng, 3, 3, 16, 16)
	r := normalTensor(rng, 128, 32, 32, 16)
	for _, impl := range []ConvImpl{ConvPatches, ConvPatchesT, ConvNative} {
		b.Run(impl.String(), func(b *testing.B) {
			exec, err := NewExec(be, func(x, k, r *Node) []*Node {
				g := Gradient(ReduceAllSum(Mul(Conv2D(x, k, 1, impl), r)), x, k)
				return []*Node{g[0], g[1]}
			})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := exec.Exec(x, k, r); err != nil { // compile
				b.Fatal(err)
			}
			t0 := time.Now()
			n := 0
			for b.Loop() {
				out, err := exec.Exec(x, k, r)
				if err != nil {
					b.Fatal(err)
				}
				tensors.MustCopyFlatData[float32](out[1])
				n++
			}
			b.ReportMetric(float64(128*n)/time.Since(t0).Seconds(), "img/s")
		})
	}
}

func TestRelativeDifference(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		a, b []float32
		want float64
	}{
		{[]float32{1, 2}, []float32{1, 2}, 0},
		{[]float32{1.5, -4}, []float32{1, -4}, 0.5 / 4}, // max |a−b| 0.5 over max |b| 4
		{[]float32{0.25, 0}, []float32{0, 0}, 0.25},     // b all zeros: the plain difference
		{[]float32{nan, 1}, []float32{1, 1}, math.NaN()},
		{[]float32{1}, []float32{1, 1}, math.NaN()}, // lengths differ
	} {
		got := RelativeDifference(c.a, c.b)
		if math.IsNaN(c.want) != math.IsNaN(got) || !math.IsNaN(got) && math.Abs(got-c.want) > 1e-12 {
			t.Errorf("RelativeDifference(%v, %v) = %g, want %g", c.a, c.b, got, c.want)
		}
	}
	if (Agreement{Logits: 1e-5, WorstGradient: math.NaN()}).OK() {
		t.Error("a NaN gradient difference passed")
	}
}

// BenchmarkConvGradients splits one convolution layer's training cost into
// its parts (forward, gradient with respect to the input, to the kernel,
// both) for the three ResNet-20 stage shapes (batch 128, stride 1), on the
// backend prune picks (GOMLX_BACKEND overrides) with its formulation
// (ConvFor): where a backend loses time in training, this says which
// gradient costs it. See environment.md, CPU backends.
//
//	GOMLX_BACKEND=onnx:cpu,intra_op_num_threads=2 go test ./lib/models -run - -bench ConvGradients
func BenchmarkConvGradients(b *testing.B) {
	be, err := backend.Open()
	if err != nil {
		b.Fatal(err)
	}
	defer be.Finalize()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ size, in, out int }{{32, 16, 16}, {16, 32, 32}, {8, 64, 64}} {
		x := normalTensor(rng, 128, c.size, c.size, c.in)
		k := normalTensor(rng, 3, 3, c.in, c.out)
		r := normalTensor(rng, 128, c.size, c.size, c.out)
		for _, part := range []string{"forward", "grad-x", "grad-k", "grad-x-k"} {
			b.Run(fmt.Sprintf("%dx%dx%d-%s", c.size, c.size, c.in, part), func(b *testing.B) {
				exec, err := NewExec(be, func(x, k, r *Node) []*Node {
					y := Conv2D(x, k, 1, ConvFor(be))
					loss := ReduceAllSum(Mul(y, r))
					switch part {
					case "grad-x":
						return Gradient(loss, x)
					case "grad-k":
						return Gradient(loss, k)
					case "grad-x-k":
						return Gradient(loss, x, k)
					}
					return []*Node{y}
				})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := exec.Exec(x, k, r); err != nil { // compile
					b.Fatal(err)
				}
				for b.Loop() {
					out, err := exec.Exec(x, k, r)
					if err != nil {
						b.Fatal(err)
					}
					tensors.MustCopyFlatData[float32](out[0])
				}
			})
		}
	}
}
