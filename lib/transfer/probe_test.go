package transfer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// blobs are n examples of dim features in classes Gaussian clusters.
func blobs(n, dim, classes int, spread float64, seed uint64) ([]float32, []int32) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([][]float64, classes)
	for c := range centres {
		centres[c] = make([]float64, dim)
		for d := range centres[c] {
			centres[c][d] = 3 * rng.NormFloat64()
		}
	}
	x := make([]float32, n*dim)
	y := make([]int32, n)
	for i := range y {
		c := i % classes
		y[i] = int32(c)
		for d := 0; d < dim; d++ {
			x[i*dim+d] = float32(centres[c][d] + spread*rng.NormFloat64())
		}
	}
	return x, y
}

// At the fitted weights the objective is at its minimum: every partial
// derivative, taken by central finite differences of the loss (not the
// analytic gradient the fit used), is below 1e-5; and the probe classifies
// held-out blobs that overlap a little at least as well as assigning each
// to the nearest class mean (within 2 points).
func TestLinearProbeIsAtTheMinimum(t *testing.T) {
	const dim, classes = 6, 3
	x, y := blobs(600, dim, classes, 2.5, 1)
	p, err := FitLinearProbe(x, y, dim, classes, DefaultProbeL2)
	if err != nil {
		t.Fatal(err)
	}
	obj := probeObjective{x: p.design(x, len(y)), labels: y, classes: classes, l2: DefaultProbeL2}
	w := append([]float64(nil), p.W.RawMatrix().Data...)
	const h = 1e-5
	for i := range w {
		w0 := w[i]
		w[i] = w0 + h
		up := obj.loss(w)
		w[i] = w0 - h
		down := obj.loss(w)
		w[i] = w0
		if d := (up - down) / (2 * h); math.Abs(d) > 1e-5 {
			t.Errorf("∂loss/∂w[%d] = %.3g by finite differences at the fit, want ≈ 0", i, d)
		}
	}
	xt, yt := blobsFrom(x, y, dim, classes, 2.5, 7) // fresh examples around the same means
	pred, err := p.Predict(xt)
	if err != nil {
		t.Fatal(err)
	}
	probe, nearest := accuracy(pred, yt), accuracy(nearestMean(x, y, xt, dim, classes), yt)
	if probe < nearest-0.02 {
		t.Errorf("probe accuracy %.3f, nearest class mean %.3f", probe, nearest)
	}
	t.Logf("held-out accuracy: probe %.3f, nearest class mean %.3f", probe, nearest)
}

// blobsFrom draws new examples around the class means of (x, y).
func blobsFrom(x []float32, y []int32, dim, classes int, spread float64, seed uint64) ([]float32, []int32) {
	means := classMeans(x, y, dim, classes)
	rng := rand.New(rand.NewPCG(seed, 2))
	n := len(y)
	xt := make([]float32, n*dim)
	yt := make([]int32, n)
	for i := range yt {
		c := i % classes
		yt[i] = int32(c)
		for d := 0; d < dim; d++ {
			xt[i*dim+d] = float32(means[c][d] + spread*rng.NormFloat64())
		}
	}
	return xt, yt
}

func classMeans(x []float32, y []int32, dim, classes int) [][]float64 {
	means := make([][]float64, classes)
	counts := make([]float64, classes)
	for c := range means {
		means[c] = make([]float64, dim)
	}
	for i, l := range y {
		counts[l]++
		for d := 0; d < dim; d++ {
			means[l][d] += float64(x[i*dim+d])
		}
	}
	for c := range means {
		for d := range means[c] {
			means[c][d] /= counts[c]
		}
	}
	return means
}

func nearestMean(x []float32, y []int32, xt []float32, dim, classes int) []int32 {
	means := classMeans(x, y, dim, classes)
	out := make([]int32, len(xt)/dim)
	for i := range out {
		best, bestD := 0, math.Inf(1)
		for c := range means {
			var s float64
			for d := 0; d < dim; d++ {
				v := float64(xt[i*dim+d]) - means[c][d]
				s += v * v
			}
			if s < bestD {
				best, bestD = c, s
			}
		}
		out[i] = int32(best)
	}
	return out
}

func accuracy(pred, y []int32) float64 {
	var ok int
	for i := range y {
		if pred[i] == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(y))
}

func TestLinearProbeRejectsBadInput(t *testing.T) {
	x, y := blobs(10, 2, 2, 1, 1)
	for name, f := range map[string]func() error{
		"short features": func() error { _, err := FitLinearProbe(x[:5], y, 2, 2, 0); return err },
		"label too big":  func() error { _, err := FitLinearProbe(x, append(y[:9:9], 5), 2, 2, 0); return err },
		"one class":      func() error { _, err := FitLinearProbe(x, y, 2, 1, 0); return err },
	} {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
