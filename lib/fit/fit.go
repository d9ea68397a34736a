// Package fit fits power laws to scaling curves, ε(n) = a·n^(−ν) (+ c), with
// bootstrap uncertainties of the exponent and amplitude. Whether pruning
// beats the power law is decided elsewhere, one way only
// (lib/scaling.BeatsPowerLaw), from fits made here.
package fit

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// PowerLaw is ε(n) = A·n^(−Nu) + C.
type PowerLaw struct {
	A, Nu, C float64
	// Bootstrap 68% intervals (16th and 84th percentiles) of the exponent
	// and amplitude, from resampling the points with replacement.
	NuLo, NuHi, ALo, AHi float64
	Offset               bool // whether C was fitted
	RMSLog               float64
}

// Eval is the fitted error at n.
func (p PowerLaw) Eval(n float64) float64 { return p.A*math.Pow(n, -p.Nu) + p.C }

func (p PowerLaw) String() string {
	s := fmt.Sprintf("ε = %.3g·n^(−%.3f [%.3f, %.3f])", p.A, p.Nu, p.NuLo, p.NuHi)
	if p.Offset {
		s += fmt.Sprintf(" + %.3g", p.C)
	}
	return s
}

// Options control Fit.
type Options struct {
	Offset    bool   // also fit the irreducible error c ≥ 0
	Bootstrap int    // resamples (default 200; 0 uses the default, <0 none)
	Seed      uint64 // of the resampling
}

// Fit fits ε = a·n^(−ν) (+ c) by least squares in log ε (errors span
// decades; relative misfit is what matters). Without offset it is linear
// regression of log ε on log n; with offset, c is found by golden-section
// search on [0, min ε) with the regression inside.
func Fit(n, eps []float64, opt Options) (PowerLaw, error) {
	if len(n) != len(eps) {
		return PowerLaw{}, fmt.Errorf("fit: %d sizes for %d errors", len(n), len(eps))
	}
	need := 2
	if opt.Offset {
		need = 3
	}
	if len(n) < need {
		return PowerLaw{}, fmt.Errorf("fit: %d points cannot determine %d parameters", len(n), need)
	}
	for i := range n {
		if !(n[i] > 0) || !(eps[i] > 0) {
			return PowerLaw{}, fmt.Errorf("fit: point %d (n=%g, ε=%g) must have positive size and error", i, n[i], eps[i])
		}
	}
	p, err := fitOnce(n, eps, opt.Offset)
	if err != nil {
		return p, err
	}
	b := opt.Bootstrap
	if b == 0 {
		b = 200
	}
	if b > 0 {
		rng := rand.New(rand.NewPCG(opt.Seed, 0xb007))
		var nus, as []float64
		rn, re := make([]float64, len(n)), make([]float64, len(n))
		for r := 0; r < b; r++ {
			for i := range rn {
				j := rng.IntN(len(n))
				rn[i], re[i] = n[j], eps[j]
			}
			q, err := fitOnce(rn, re, opt.Offset)
			if err != nil || math.IsNaN(q.Nu) {
				continue // a resample with one distinct size
			}
			nus, as = append(nus, q.Nu), append(as, q.A)
		}
		if len(nus) > 10 {
			sort.Float64s(nus)
			sort.Float64s(as)
			p.NuLo, p.NuHi = stat.Quantile(0.16, stat.Empirical, nus, nil), stat.Quantile(0.84, stat.Empirical, nus, nil)
			p.ALo, p.AHi = stat.Quantile(0.16, stat.Empirical, as, nil), stat.Quantile(0.84, stat.Empirical, as, nil)
		}
	}
	return p, nil
}

func fitOnce(n, eps []float64, offset bool) (PowerLaw, error) {
	lin := func(c float64) (PowerLaw, float64) {
		x, y := make([]float64, len(n)), make([]float64, len(n))
		for i := range n {
			x[i], y[i] = math.Log(n[i]), math.Log(eps[i]-c)
		}
		alpha, beta := stat.LinearRegression(x, y, nil, false)
		ss := 0.0
		for i := range x {
			r := math.Log(math.Exp(alpha)*math.Pow(n[i], beta)+c) - math.Log(eps[i])
			ss += r * r
		}
		return PowerLaw{A: math.Exp(alpha), Nu: -beta, C: c, Offset: offset, RMSLog: math.Sqrt(ss / float64(len(n)))}, ss
	}
	distinct := map[float64]bool{}
	for _, v := range n {
		distinct[v] = true
	}
	if len(distinct) < 2 {
		return PowerLaw{}, errors.New("fit: all points have the same size")
	}
	if !offset {
		p, _ := lin(0)
		return p, nil
	}
	hi := math.Inf(1)
	for _, e := range eps {
		hi = math.Min(hi, e)
	}
	lo, up := 0.0, hi*(1-1e-9)
	g := (math.Sqrt(5) - 1) / 2
	a, b := up-g*(up-lo), lo+g*(up-lo)
	_, fa := lin(a)
	_, fb := lin(b)
	for i := 0; i < 100; i++ {
		if fa < fb {
			up, b, fb = b, a, fa
			a = up - g*(up-lo)
			_, fa = lin(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(up-lo)
			_, fb = lin(b)
		}
	}
	p, _ := lin((lo + up) / 2)
	return p, nil
}
