package theory

import (
	"sort"
	"testing"
	"time"
)

// BenchmarkPerfectProbe is one θ = 0 point from a cold start (target ≤ 5 ms).
func BenchmarkPerfectProbe(b *testing.B) {
	var s Solver
	for i := 0; b.Loop(); i++ {
		if _, err := s.Solve(Params{AlphaTotal: 20, F: 0.3, Keep: KeepHard}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImperfectProbe solves a spread of θ > 0 points from a cold start
// and reports the median time per point (target ≤ 100 ms).
func BenchmarkImperfectProbe(b *testing.B) {
	var ps []Params
	for _, th := range []float64{5, 10, 20, 30, 45} {
		for _, k := range []Keep{KeepHard, KeepEasy} {
			for _, a := range []float64{0.3, 3, 30, 300} {
				for _, f := range []float64{0.05, 0.3, 0.7} {
					ps = append(ps, Params{AlphaTotal: a, F: f, ThetaDeg: th, Keep: k})
				}
			}
		}
	}
	var ms []float64
	for b.Loop() {
		for _, p := range ps {
			var s Solver
			t0 := time.Now()
			if _, err := s.Solve(p, nil); err != nil {
				b.Fatal(err)
			}
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	sort.Float64s(ms)
	b.ReportMetric(ms[len(ms)/2], "median-ms/point")
	b.ReportMetric(ms[len(ms)*9/10], "p90-ms/point")
}

// BenchmarkImperfectProbeCurve is one θ > 0 point warm-started from its
// neighbour along a curve in α_tot, as the notebooks use it.
func BenchmarkImperfectProbeCurve(b *testing.B) {
	var s Solver
	alphas := LogSpace(1, 100, 40)
	for b.Loop() {
		var warm *Solution
		for _, a := range alphas {
			sol, err := s.Solve(Params{AlphaTotal: a, F: 0.3, ThetaDeg: 10, Keep: KeepHard}, warm)
			if err != nil {
				b.Fatal(err)
			}
			warm = &sol
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(alphas))/1e6, "ms/point")
}
