package theory

import (
	"errors"
	"math"
	"testing"
)

// The table of Advise is Solve at each (policy, f) with α_tot fixed, and the
// no-cost fraction agrees with an independent brute-force scan of Solve over
// a fine grid of f: the scan's answer f_ref is the smallest grid f such that
// every grid f' ≥ f has ε ≤ (1+T) ε(f = 1); the true threshold lies between
// f_ref and the next grid point below it, so Advise's bisected value must
// too (to the bisection's precision noCostPrecision).
func TestAdviseNoCostMatchesScan(t *testing.T) {
	const scanPoints = 120 // log-spaced in [0.01, 1]: neighbours differ by 3.9%
	scan := LogSpace(0.01, 1, scanPoints)
	for _, q := range []AdviceQuery{
		{AlphaTotal: 100},                // θ = 0: keep hard drops most of the data
		{AlphaTotal: 100, ThetaDeg: 10},  // imperfect metric
		{AlphaTotal: 1, Tolerance: 0.02}, // scarce data: keep easy wins, and dips below the unpruned error
	} {
		adv, err := Advise(q)
		if err != nil {
			t.Fatal(err)
		}
		tol := adv.Query.Tolerance
		limit := (1 + tol) * adv.Unpruned
		var s Solver
		for _, c := range adv.Curves {
			for i, f := range adv.Query.Fractions {
				ref, err := s.Solve(Params{AlphaTotal: q.AlphaTotal, F: f, ThetaDeg: q.ThetaDeg, Keep: c.Keep}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(c.Eps[i]-ref.Eps) > 1e-6*ref.Eps {
					t.Errorf("%+v %v f=%v: table ε=%.9g, Solve ε=%.9g", q, c.Keep, f, c.Eps[i], ref.Eps)
				}
			}
			// Brute force, from f = 1 down, cold starts.
			fRef, fBelow := scan[0], scan[0]
			for j := scanPoints - 1; j >= 0; j-- {
				sol, err := s.Solve(Params{AlphaTotal: q.AlphaTotal, F: scan[j], ThetaDeg: q.ThetaDeg, Keep: c.Keep}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if sol.Eps > limit {
					if j < scanPoints-1 {
						fRef, fBelow = scan[j+1], scan[j]
					} else {
						fRef, fBelow = 1, scan[j]
					}
					break
				}
			}
			if c.NoCostBelowFloor {
				t.Errorf("%+v %v: no-cost fraction reported below the solver's floor", q, c.Keep)
			}
			if !(c.NoCostF <= fRef*(1+noCostPrecision) && c.NoCostF >= fBelow*(1-noCostPrecision)) {
				t.Errorf("%+v %v: no-cost f = %.5g, brute-force scan puts it in (%.5g, %.5g]", q, c.Keep, c.NoCostF, fBelow, fRef)
			}
			if c.NoCostEps > limit {
				t.Errorf("%+v %v: ε = %.6g at the no-cost f exceeds the limit %.6g", q, c.Keep, c.NoCostEps, limit)
			}
			t.Logf("%+v %v: no-cost f = %.4g in (%.4g, %.4g]", q, c.Keep, c.NoCostF, fBelow, fRef)
		}
	}
}

// The better policy per fraction follows the paper: keep easy when data are
// scarce, keep hard when they are abundant (at f = 0.5).
func TestAdviseBetterPolicyFollowsDataSize(t *testing.T) {
	for _, c := range []struct {
		alphaTotal float64
		want       Keep
	}{{1, KeepEasy}, {100, KeepHard}} {
		adv, err := Advise(AdviceQuery{AlphaTotal: c.alphaTotal, Fractions: []float64{0.5}})
		if err != nil {
			t.Fatal(err)
		}
		if got := adv.Better[1]; got != c.want {
			t.Errorf("α_tot=%v, f=0.5: better policy %v, want %v", c.alphaTotal, got, c.want)
		}
	}
}

// The budget answer agrees with an independent brute-force scan of Solve
// over a fine grid of f in [B/α_tot, 1] at α_prune = B, for keep hard and
// keep easy: the same policy, an error no worse than the scan's best and
// within 0.2% of it, and a fraction within 10% of the scan's (ε is flat
// near an interior optimum, so f is less sharply determined than ε).
func TestAdviseBudgetMatchesScan(t *testing.T) {
	for _, c := range []struct {
		q        AdviceQuery
		interior bool // the optimum lies strictly inside (B/α_tot, 1)
	}{
		{AdviceQuery{AlphaTotal: 100, Budget: 20}, false},               // θ = 0: at the data limit
		{AdviceQuery{AlphaTotal: 1000, ThetaDeg: 10, Budget: 20}, true}, // imperfect metric, abundant data
		{AdviceQuery{AlphaTotal: 300, ThetaDeg: 20, Budget: 30}, true},
		{AdviceQuery{AlphaTotal: 1, Budget: 0.5}, false}, // scarce data: keep easy
	} {
		adv, err := Advise(c.q)
		if err != nil {
			t.Fatal(err)
		}
		b := adv.Budget
		fLow := c.q.Budget / c.q.AlphaTotal
		scan := LogSpace(fLow, 1, 100)
		var s Solver
		ref := BudgetChoice{Eps: math.Inf(1)}
		refIndex := 0
		for _, keep := range []Keep{KeepHard, KeepEasy} {
			var warm *Solution
			for j := len(scan) - 1; j >= 0; j-- {
				sol, err := s.Solve(Params{AlphaTotal: c.q.Budget / scan[j], F: scan[j], ThetaDeg: c.q.ThetaDeg, Keep: keep}, warm)
				if err != nil {
					t.Fatal(err)
				}
				warm = &sol
				if sol.Eps < ref.Eps {
					ref = BudgetChoice{Keep: keep, F: scan[j], Eps: sol.Eps}
					refIndex = j
				}
			}
		}
		random, err := s.Solve(Params{AlphaTotal: c.q.AlphaTotal, F: fLow, ThetaDeg: c.q.ThetaDeg, Keep: KeepRandom}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v: advice %v f=%.4g ε=%.6g; scan %v f=%.4g ε=%.6g; random %.6g", c.q, b.Best.Keep, b.Best.F, b.Best.Eps, ref.Keep, ref.F, ref.Eps, random.Eps)
		if got := refIndex > 0 && refIndex < len(scan)-1; got != c.interior {
			t.Fatalf("%+v: the scan's optimum is interior = %v, the case expects %v", c.q, got, c.interior)
		}
		if b.Best.Keep != ref.Keep {
			t.Errorf("%+v: best policy %v, scan %v", c.q, b.Best.Keep, ref.Keep)
		}
		if !(b.Best.Eps <= ref.Eps*(1+1e-6) && b.Best.Eps >= ref.Eps*(1-2e-3)) {
			t.Errorf("%+v: best ε = %.8g, scan's best %.8g", c.q, b.Best.Eps, ref.Eps)
		}
		if math.Abs(math.Log(b.Best.F/ref.F)) > 0.1 {
			t.Errorf("%+v: best f = %.5g, scan's %.5g", c.q, b.Best.F, ref.F)
		}
		if b.Best.F < fLow || b.Best.F > 1 {
			t.Errorf("%+v: best f = %v outside [B/α_tot, 1] = [%v, 1]", c.q, b.Best.F, fLow)
		}
		if b.AtDataLimit == c.interior {
			t.Errorf("%+v: AtDataLimit = %v for an optimum with interior = %v", c.q, b.AtDataLimit, c.interior)
		}
		if math.Abs(b.RandomEps-random.Eps) > 1e-6*random.Eps {
			t.Errorf("%+v: random ε = %.8g, Solve at α_tot, f = B/α_tot gives %.8g", c.q, b.RandomEps, random.Eps)
		}
		best, err := s.Solve(Params{AlphaTotal: c.q.Budget / b.Best.F, F: b.Best.F, ThetaDeg: c.q.ThetaDeg, Keep: b.Best.Keep}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(best.Eps-b.Best.Eps) > 1e-6*best.Eps {
			t.Errorf("%+v: reported ε = %.8g, Solve at the reported f gives %.8g", c.q, b.Best.Eps, best.Eps)
		}
	}
}

// With a perfect metric f_opt falls to whatever lower bound the search has
// (f_min(0) = 0): the frontier figures, searched down to MinFraction, put
// it on that floor. The advice's bound is the data limit B/α_tot, so it
// reports that, never MinFraction.
func TestAdviseNeverReportsSolverFloor(t *testing.T) {
	adv, err := Advise(AdviceQuery{AlphaTotal: 1000, Budget: 2})
	if err != nil {
		t.Fatal(err)
	}
	if b := adv.Budget; b.Best.F != 0.002 || !b.AtDataLimit || b.Best.Keep != KeepHard {
		t.Errorf("θ = 0, α_tot = 1000, B = 2: best %v f = %v (data limit %v), want keep hard at the data limit 0.002", b.Best.Keep, b.Best.F, b.AtDataLimit)
	}
	if adv.FMin != nil {
		t.Errorf("θ = 0: f_min reported as %v, want none", adv.FMin.FOpt)
	}
}

func TestAdviseBadInput(t *testing.T) {
	for _, q := range []AdviceQuery{
		{AlphaTotal: 0},
		{AlphaTotal: 5000},
		{AlphaTotal: 10, ThetaDeg: 60},
		{AlphaTotal: 10, ThetaDeg: -1},
		{AlphaTotal: 10, Tolerance: -0.1},
		{AlphaTotal: 10, Tolerance: 2},
		{AlphaTotal: 10, Budget: 20},    // more than the data
		{AlphaTotal: 1000, Budget: 0.5}, // B/α_tot below the solver's floor
		{AlphaTotal: 10, Budget: math.NaN()},
		{AlphaTotal: 10, Fractions: []float64{0.5, 0}},
	} {
		if _, err := Advise(q); !errors.Is(err, ErrBadInput) {
			t.Errorf("%+v: error %v, want ErrBadInput", q, err)
		}
	}
}

// Advise reads f_min(θ) from the largest α of its grid when that optimum is
// not capped, and from the whole grid otherwise; both must give what FMin
// gives on the whole grid (θ = 5°: the largest α is capped; θ = 20°: not).
func TestAdviseFMinMatchesFullGrid(t *testing.T) {
	if testing.Short() {
		t.Skip("solves the f_min frontier on the whole α grid twice (seconds)")
	}
	for _, th := range []float64{5, 20} {
		adv, err := Advise(AdviceQuery{AlphaTotal: 10, ThetaDeg: th, Fractions: []float64{0.5}})
		if err != nil {
			t.Fatal(err)
		}
		var s Solver
		want, err := s.FMin(FrontierConfig{ThetaDeg: th, Keeps: []Keep{KeepHard}, FGrid: fMinFGrid, MaxAlphaTotal: fMinMaxAlphaTotal, Refine: true}, fMinAlphas)
		if err != nil {
			t.Fatal(err)
		}
		if adv.FMin == nil || *adv.FMin != want {
			t.Errorf("θ = %v°: Advise's f_min %+v (%s), FMin on the whole grid %+v", th, adv.FMin, adv.FMinNote, want)
		}
	}
}
