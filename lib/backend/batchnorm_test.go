package backend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute/gobackend/batchnorm"
)

// batchNormReference is batch norm computed in float64 from the
// definitions: per channel, mean and biased variance over the rows,
// y = (x - mean)/√(var+ε)·scale + offset, and the gradients of Σ y·dy by
// the textbook formulas.
func batchNormReference(x, scale, offset, dy []float32, eps float64, ch int) (y, mean, variance, dx, dscale, doffset []float64) {
	rows := len(x) / ch
	n := float64(rows)
	mean, variance = make([]float64, ch), make([]float64, ch)
	for i, v := range x {
		mean[i%ch] += float64(v)
	}
	for c := range mean {
		mean[c] /= n
	}
	for i, v := range x {
		d := float64(v) - mean[i%ch]
		variance[i%ch] += d * d
	}
	for c := range variance {
		variance[c] /= n
	}
	y, dx = make([]float64, len(x)), make([]float64, len(x))
	dscale, doffset = make([]float64, ch), make([]float64, ch)
	xhat := make([]float64, len(x))
	for i, v := range x {
		c := i % ch
		xhat[i] = (float64(v) - mean[c]) / math.Sqrt(variance[c]+eps)
		y[i] = xhat[i]*float64(scale[c]) + float64(offset[c])
		doffset[c] += float64(dy[i])
		dscale[c] += float64(dy[i]) * xhat[i]
	}
	for i := range x {
		c := i % ch
		dx[i] = float64(scale[c]) / math.Sqrt(variance[c]+eps) * (float64(dy[i]) - doffset[c]/n - xhat[i]*dscale[c]/n)
	}
	return
}

// maxAbs is the largest |v|.
func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

// TestBatchNormKernelsMatchFloat64 checks the batch-norm kernels against
// batchNormReference on shapes whose channel counts are and are not
// multiples of a vector's length (1, 3, 16, 17, 64), row counts that are
// odd and that do and do not fill the kernels' blocks of 64 rows, inputs
// with a mean far from zero (the centred sums must not cancel), and both
// with the second half of the rows on another goroutine and without: the
// two must be equal bit for bit; each without and with a ReLU (the output
// max(0, y), the gradient masked by it). Tolerances, relative to the largest
// reference value of each output: 2e-6 for the statistics and y, 2e-5 for
// the gradients (float32 accumulation over up to 131,072 rows).
func TestBatchNormKernelsMatchFloat64(t *testing.T) {
	if !batchnorm.Available() {
		t.Skip("no batch-norm kernels in a build without GOEXPERIMENT=simd")
	}
	ReserveHeapSlack() // the kernels' partial vectors read past the test's slices
	for _, tc := range []struct{ rows, ch int }{
		{1, 3}, {7, 1}, {65, 17}, {128 * 8 * 8, 64}, {128*32*32 + 1, 3}, {128 * 32 * 32, 16}, {1000, 10}, {2049, 64},
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.rows, tc.ch), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.rows), uint64(tc.ch)))
			n := tc.rows * tc.ch
			x, dy := make([]float32, n), make([]float32, n)
			scale, offset := make([]float32, tc.ch), make([]float32, tc.ch)
			shift := make([]float32, tc.ch)
			for c := range scale {
				scale[c], offset[c] = float32(0.5+r.Float64()), float32(r.NormFloat64())
				shift[c] = float32(3 * r.NormFloat64())
			}
			for i := range x {
				x[i] = shift[i%tc.ch] + float32(r.NormFloat64()*(0.5+float64(i%tc.ch)/8))
				dy[i] = float32(r.NormFloat64())
			}
			const eps = 1e-5
			for _, relu := range []bool{false, true} {
				checkBatchNormKernels(t, x, scale, offset, dy, eps, tc.ch, relu)
			}
		})
	}
}

// checkBatchNormKernels runs the kernels on one input, with the second
// half of the rows on another goroutine and without, and compares them
// with each other and with batchNormReference. With relu the forward
// output is max(0, y) and the gradient is taken through the ReLU, the
// kernels' output as the mask (so that the reference masks the same
// elements).
func checkBatchNormKernels(t *testing.T, x, scale, offset, dy []float32, eps float64, ch int, relu bool) {
	t.Helper()
	n := len(x)
	var got [2][6][]float32
	for k, split := range []bool{false, true} {
		y, mean, variance := make([]float32, n), make([]float32, ch), make([]float32, ch)
		if err := batchnorm.Forward(x, scale, offset, float32(eps), ch, y, mean, variance, relu, split); err != nil {
			t.Fatal(err)
		}
		var mask []float32
		if relu {
			mask = y
		}
		dx, dscale, doffset := make([]float32, n), make([]float32, ch), make([]float32, ch)
		if err := batchnorm.Backward(x, scale, mean, variance, dy, mask, float32(eps), ch, dx, dscale, doffset, split); err != nil {
			t.Fatal(err)
		}
		got[k] = [6][]float32{y, mean, variance, dx, dscale, doffset}
	}
	names := []string{"y", "mean", "variance", "dx", "dscale", "doffset"}
	for i := range names {
		if !slices.Equal(got[0][i], got[1][i]) {
			t.Errorf("relu %v: %s differs between one goroutine and two", relu, names[i])
		}
	}
	dyIn := dy
	if relu {
		dyIn = make([]float32, n)
		for i, v := range got[0][0] {
			if v > 0 {
				dyIn[i] = dy[i]
			}
		}
	}
	wy, wmean, wvar, wdx, wdscale, wdoffset := batchNormReference(x, scale, offset, dyIn, eps, ch)
	if relu {
		for i, v := range wy {
			wy[i] = max(0, v)
		}
	}
	for i, want := range [][]float64{wy, wmean, wvar, wdx, wdscale, wdoffset} {
		tol := 2e-6
		if i >= 3 {
			tol = 2e-5
		}
		scaleOf := max(maxAbs(want), 1e-30)
		worst, at := 0.0, -1
		for j, w := range want {
			if d := math.Abs(float64(got[0][i][j])-w) / scaleOf; d > worst {
				worst, at = d, j
			}
		}
		t.Logf("relu %v: %s within %.2g of the largest |value|", relu, names[i], worst)
		if worst > tol {
			t.Errorf("relu %v: %s[%d] = %g, want %g: %.2g of the largest |value| %g, above %g", relu, names[i], at, got[0][i][at], want[at], worst, scaleOf, tol)
		}
	}
}

// TestBatchNormKernelsRefuseBadShapes checks the kernels' argument checks.
func TestBatchNormKernelsRefuseBadShapes(t *testing.T) {
	if !batchnorm.Available() {
		t.Skip("no batch-norm kernels in a build without GOEXPERIMENT=simd")
	}
	two, three := make([]float32, 2), make([]float32, 3)
	six := make([]float32, 6)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"rows not whole", batchnorm.Forward(make([]float32, 5), two, two, 1e-5, 2, make([]float32, 5), two, two, false, false)},
		{"short output", batchnorm.Forward(six, two, two, 1e-5, 2, make([]float32, 4), two, two, false, false)},
		{"scale of another channel count", batchnorm.Forward(six, three, two, 1e-5, 2, six, two, two, false, false)},
		{"dy of another size", batchnorm.Backward(six, two, two, two, make([]float32, 4), nil, 1e-5, 2, six, two, two, false)},
		{"mask of another size", batchnorm.Backward(six, two, two, two, six, two, 1e-5, 2, six, two, two, false)},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// BenchmarkBatchNormKernels times the kernels on ResNet-20's largest
// activations (128×32×32×16, 8 MB), on one goroutine and with the second
// half of the rows on another, forward and backward (through a ReLU, as in
// a residual block's first half).
func BenchmarkBatchNormKernels(b *testing.B) {
	if !batchnorm.Available() {
		b.Skip("no batch-norm kernels in a build without GOEXPERIMENT=simd")
	}
	ReserveHeapSlack()
	const ch = 16
	n := 128 * 32 * 32 * ch
	r := rand.New(rand.NewPCG(1, 2))
	x, dy, y, dx := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], dy[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	scale, offset, mean, variance := make([]float32, ch), make([]float32, ch), make([]float32, ch), make([]float32, ch)
	dscale, doffset := make([]float32, ch), make([]float32, ch)
	for c := range scale {
		scale[c] = 1
	}
	for _, split := range []bool{false, true} {
		b.Run(fmt.Sprintf("forward/split=%v", split), func(b *testing.B) {
			b.SetBytes(int64(4 * 3 * n)) // two reads, one write
			for b.Loop() {
				if err := batchnorm.Forward(x, scale, offset, 1e-5, ch, y, mean, variance, true, split); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("backward/split=%v", split), func(b *testing.B) {
			b.SetBytes(int64(4 * 7 * n)) // three reads, three reads and a write
			for b.Loop() {
				if err := batchnorm.Backward(x, scale, mean, variance, dy, y, 1e-5, ch, dx, dscale, doffset, split); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
