package fit

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Fits recover known exponents from synthetic data with 5% multiplicative
// noise, and the bootstrap interval covers the truth.
func TestFitRecoversExponents(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct {
		a, nu, c float64
		offset   bool
	}{{2, 0.5, 0, false}, {5, 1.0, 0, false}, {3, 0.35, 0, false}, {4, 0.6, 0.05, true}} {
		var n, eps []float64
		for _, s := range []float64{1000, 2000, 4000, 8000, 16000, 32000, 64000} {
			for k := 0; k < 3; k++ {
				n = append(n, s)
				eps = append(eps, (c.a*math.Pow(s, -c.nu)+c.c)*math.Exp(0.05*rng.NormFloat64()))
			}
		}
		p, err := Fit(n, eps, Options{Offset: c.offset, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("truth ν=%.2f c=%.2f: %v", c.nu, c.c, p)
		if math.Abs(p.Nu-c.nu) > 0.06 {
			t.Errorf("ν = %.3f, truth %.3f", p.Nu, c.nu)
		}
		if !(p.NuLo <= c.nu+0.02 && c.nu-0.02 <= p.NuHi) {
			t.Errorf("interval [%.3f, %.3f] misses %.3f", p.NuLo, p.NuHi, c.nu)
		}
		if c.offset && math.Abs(p.C-c.c) > 0.01 {
			t.Errorf("c = %.4f, truth %.4f", p.C, c.c)
		}
	}
	// Exact data: exact recovery.
	p, _ := Fit([]float64{10, 100, 1000}, []float64{1, 0.1, 0.01}, Options{Bootstrap: -1})
	if math.Abs(p.Nu-1) > 1e-12 || math.Abs(p.A-10) > 1e-9 {
		t.Errorf("exact power law: %+v", p)
	}
}

func TestFitBadInput(t *testing.T) {
	for _, c := range [][2][]float64{
		{{1, 2}, {0.1}},
		{{100}, {0.1}},
		{{100, 100}, {0.1, 0.2}},
		{{100, -5}, {0.1, 0.2}},
		{{100, 200}, {0.1, 0}},
	} {
		if _, err := Fit(c[0], c[1], Options{}); err == nil {
			t.Errorf("%v accepted", c)
		}
	}
}
