package theory

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

// bvnByQuadrature is Φ₂(h, k; r) = ∫_{-∞}^{h} φ(x) Φ((k - r x)/√(1-r²)) dx,
// integrated numerically: an independent check of Genz's algorithm.
func bvnByQuadrature(h, k, r float64) float64 {
	s := math.Sqrt(1 - r*r)
	f := func(x float64) float64 { return normPDF(x) * normCDF((k-r*x)/s) }
	lo := math.Min(h, -12)
	return quad.Fixed(f, lo, h, 20000, nil, 0)
}

func TestBVNAgainstQuadrature(t *testing.T) {
	const tol = 1e-11 // absolute; Genz's method is accurate to about 1e-15
	for _, c := range []struct{ h, k, r float64 }{
		{0, 0, 0.5}, {0.3, -0.7, 0.2}, {-1, 2, -0.6}, {1.5, 1.5, 0.9},
		{-0.4, 0.8, 0.95}, {0.4, -0.8, -0.95}, {-2, -2, -0.999}, {2, -1.9, -0.9999},
		{-3, 1, 0.99}, {0.1, 0.1, -0.3}, {5, -5, -0.97},
	} {
		got := bvnCDF(c.h, c.k, c.r)
		want := bvnByQuadrature(c.h, c.k, c.r)
		if math.Abs(got-want) > tol {
			t.Errorf("Φ₂(%v, %v; %v) = %.15g, quadrature %.15g", c.h, c.k, c.r, got, want)
		}
	}
}

func TestBVNClosedForms(t *testing.T) {
	// Φ₂(0, 0; r) = 1/4 + asin(r)/(2π) (Sheppard's formula).
	for _, r := range []float64{-0.99, -0.5, 0, 0.3, 0.8, 0.95} {
		want := 0.25 + math.Asin(r)/(2*math.Pi)
		if got := bvnCDF(0, 0, r); math.Abs(got-want) > 1e-14 {
			t.Errorf("Φ₂(0,0;%v) = %.16g, want %.16g", r, got, want)
		}
	}
	// r = 0 factorises; r = ±1 are the degenerate limits.
	if got, want := bvnCDF(0.7, -0.2, 0), normCDF(0.7)*normCDF(-0.2); math.Abs(got-want) > 1e-15 {
		t.Errorf("independent case: %v want %v", got, want)
	}
	if got, want := bvnCDF(0.7, -0.2, 1), normCDF(-0.2); math.Abs(got-want) > 1e-15 {
		t.Errorf("r = 1: %v want %v", got, want)
	}
	if got, want := bvnCDF(0.7, 0.2, -1), normCDF(0.7)-normCDF(-0.2); math.Abs(got-want) > 1e-15 {
		t.Errorf("r = -1: %v want %v", got, want)
	}
}

// momentsByQuadrature integrates E[(a-X)₊ⁿ 1{W<h}] over w, conditioning on W
// (X | W=w ~ N(cw, 1-c²)), with closed forms of the inner Gaussian integrals.
func momentsByQuadrature(a, h, c float64) (a1, a2 float64) {
	s := math.Sqrt(1 - c*c)
	f1 := func(w float64) float64 {
		b := (a - c*w) / s
		return normPDF(w) * s * (b*normCDF(b) + normPDF(b))
	}
	f2 := func(w float64) float64 {
		b := (a - c*w) / s
		return normPDF(w) * s * s * ((1+b*b)*normCDF(b) + b*normPDF(b))
	}
	lo := math.Min(h, -14)
	return quad.Fixed(f1, lo, h, 200000, nil, 0), quad.Fixed(f2, lo, h, 200000, nil, 0)
}

func TestPositivePartMoments(t *testing.T) {
	rule := newNodeRule(12)
	for _, c := range []struct{ a, h, c float64 }{
		{0.5, 0.2, 0.3}, {-0.5, 1, -0.8}, {1.2, -0.4, 0.95}, // closed form
		{0.0058, 0, -0.99997}, {-0.28, 0.28, -0.99997}, {0.57, -0.57, -0.99997}, // direct quadrature, c → -1
		{-1.1, 1.1, -0.9999}, {0.3, 0.9, 0.9995}, {12, 0.5, -0.9}, {15, -1, -0.99999},
	} {
		a1, a2 := positivePartMoments(c.a, c.h, c.c, rule)
		w1, w2 := momentsByQuadrature(c.a, c.h, c.c)
		// relative 1e-7 where the moment is not negligible, else absolute 1e-16
		if math.Abs(a1-w1) > 1e-7*math.Abs(w1)+1e-16 || math.Abs(a2-w2) > 1e-7*math.Abs(w2)+1e-16 {
			t.Errorf("a=%v h=%v c=%v: A1=%.12g (quad %.12g), A2=%.12g (quad %.12g)", c.a, c.h, c.c, a1, w1, a2, w2)
		}
	}
}
