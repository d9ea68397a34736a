package theory

import (
	"math"
	"testing"
)

// The Pareto frontier beats the unpruned 1/α law (paper Fig. 1) and, for an
// imperfect probe, f_opt saturates at a larger fraction for a worse probe
// (paper Fig. 2).
func TestFrontierBeatsPowerLaw(t *testing.T) {
	var s Solver
	alphas := []float64{5, 20, 80}
	pts, err := s.Frontier(FrontierConfig{ThetaDeg: 0}, alphas)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pts {
		full, err := s.Solve(Params{AlphaTotal: p.Alpha, F: 1, Keep: KeepRandom}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !(p.Eps < 0.5*full.Eps) {
			t.Errorf("α=%v: frontier ε=%v not below half the unpruned ε=%v", p.Alpha, p.Eps, full.Eps)
		}
		if p.FOpt >= 1 || p.Keep != KeepHard {
			t.Errorf("α=%v: at large α the frontier should keep hard with f < 1, got %v f=%v", p.Alpha, p.Keep, p.FOpt)
		}
	}
}

func TestFMinGrowsWithTheta(t *testing.T) {
	var s Solver
	alphas := LogSpace(5, 40, 4)
	prev := 0.0
	for _, th := range []float64{10, 20, 30} {
		p, err := s.FMin(FrontierConfig{ThetaDeg: th, Keeps: []Keep{KeepHard}, FGrid: LogSpace(0.01, 1, 13), MaxAlphaTotal: 1000, Refine: true}, alphas)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("θ=%v°: f_min ≈ %.3f at α_tot = %.0f", th, p.FOpt, p.AlphaTotal)
		if !(p.FOpt > prev) {
			t.Errorf("θ=%v: f_min=%v not above f_min at the smaller angle (%v)", th, p.FOpt, prev)
		}
		prev = p.FOpt
	}
}

// Keep easy is better for scarce data and keep hard for abundant data.
func TestFMinPerfectProbeIsCapped(t *testing.T) {
	var s Solver
	if _, err := s.FMin(FrontierConfig{ThetaDeg: 0, Keeps: []Keep{KeepHard}}, []float64{20, 50}); err == nil {
		t.Error("θ = 0 has no finite f_min, want an error")
	}
}

func TestCrossover(t *testing.T) {
	var s Solver
	for _, th := range []float64{0, 10} {
		for _, f := range []float64{0.2, 0.5} {
			a, err := s.Crossover(th, f, 0.1, 1000)
			if err != nil {
				t.Fatal(err)
			}
			below, _ := s.Solve(Params{AlphaTotal: a / 2, F: f, ThetaDeg: th, Keep: KeepHard}, nil)
			belowE, _ := s.Solve(Params{AlphaTotal: a / 2, F: f, ThetaDeg: th, Keep: KeepEasy}, nil)
			above, _ := s.Solve(Params{AlphaTotal: a * 2, F: f, ThetaDeg: th, Keep: KeepHard}, nil)
			aboveE, _ := s.Solve(Params{AlphaTotal: a * 2, F: f, ThetaDeg: th, Keep: KeepEasy}, nil)
			if !(belowE.Eps < below.Eps && above.Eps < aboveE.Eps) {
				t.Errorf("θ=%v f=%v crossover α_tot=%v: easy/hard below %v/%v, above %v/%v", th, f, a, belowE.Eps, below.Eps, aboveE.Eps, above.Eps)
			}
		}
	}
}

func TestLogSpace(t *testing.T) {
	xs := LogSpace(0.001, 1, 4)
	for i, want := range []float64{0.001, 0.01, 0.1, 1} {
		if math.Abs(xs[i]-want) > 1e-12 {
			t.Errorf("LogSpace[%d] = %v, want %v", i, xs[i], want)
		}
	}
}
