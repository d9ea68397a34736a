package theory

import (
	"fmt"
	"math"
	"sort"
)

// AdviceQuery is a researcher's question "how much of my data should I
// keep?", put to the perceptron model.
type AdviceQuery struct {
	// AlphaTotal is the data you have, α_tot = P/N, in [MinAlphaTotal, MaxAlphaTotal].
	AlphaTotal float64
	// ThetaDeg is the pruning metric's error, as the probe's angle to the
	// teacher in degrees (0: a perfect metric).
	ThetaDeg float64
	// Tolerance is the relative error increase that counts as "no cost"
	// (default DefaultAdviceTolerance, 1%).
	Tolerance float64
	// Budget is the training budget α_prune = B ≤ AlphaTotal (0: not asked).
	Budget float64
	// Fractions is the grid of f at which the errors are tabulated
	// (default DefaultAdviceFractions; 1 is always added).
	Fractions []float64
}

// DefaultAdviceTolerance is the default relative tolerance of AdviceQuery.
const DefaultAdviceTolerance = 0.01

// DefaultAdviceFractions is the default grid of fractions kept.
var DefaultAdviceFractions = []float64{1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01}

// Advice is the model's answer to an AdviceQuery: question 1 (what the data
// you have can lose at no cost) and, when a budget is given, question 2
// (how to spend a training budget).
type Advice struct {
	Query AdviceQuery // with defaults filled in; Fractions descending from 1
	// Unpruned is ε at f = 1 (the same for every policy).
	Unpruned float64
	// Curves are keep hard, keep easy and random, in that order.
	Curves []PolicyCurve
	// Better is, for each fraction, the policy with the lowest ε; at f = 1,
	// where all policies coincide, it is KeepRandom.
	Better []Keep
	// FMin is f_min(θ) for θ > 0 (nil otherwise, or when it could not be
	// resolved: FMinNote then says why).
	FMin     *FrontierPoint
	FMinNote string
	// Budget answers question 2 (nil without a budget).
	Budget *BudgetAdvice
}

// PolicyCurve is one policy's test error at fixed α_tot over the grid of f,
// and the smallest fraction that costs nothing.
type PolicyCurve struct {
	Keep Keep
	Eps  []float64 // ε at Advice.Query.Fractions[i]
	// NoCostF is the smallest f such that every f' in [f, 1] on the grid
	// has ε within the tolerance of the unpruned ε; it is refined by
	// bisection between the last grid point within tolerance and the first
	// outside, to a relative precision of noCostPrecision.
	NoCostF   float64
	NoCostEps float64
	// NoCostBelowFloor is true when ε is within tolerance even at the
	// solver's smallest fraction MinFraction: the true no-cost fraction is
	// smaller than NoCostF, which is then only a bound.
	NoCostBelowFloor bool
}

// BudgetAdvice answers question 2: with a training budget α_prune = B and
// α_tot of data, which policy and fraction f ≥ B/α_tot give the lowest ε?
// A fraction f uses α_tot' = B/f ≤ α_tot of the data (a random part of it,
// then pruned to f).
type BudgetAdvice struct {
	Budget float64
	FLow   float64 // B/α_tot, the smallest fraction the data allow
	// Best is the best of PerPolicy.
	Best BudgetChoice
	// PerPolicy are keep hard and keep easy, each at its own best f.
	PerPolicy []BudgetChoice
	// RandomEps is ε after training on a random B/α_tot of the data (the
	// same as any random f at budget B).
	RandomEps float64
	// AtDataLimit is true when the best f is FLow: all the data are used,
	// and more data would lower the error further.
	AtDataLimit bool
}

// BudgetChoice is one policy's best fraction at a training budget.
type BudgetChoice struct {
	Keep       Keep
	F          float64
	AlphaTotal float64 // data used, B/F
	Eps        float64
}

// noCostPrecision is the relative width at which the no-cost bisection stops.
const noCostPrecision = 1e-3

// f_min(θ) is read off the frontier on the grid the figures' cpu profile
// uses (theory/curves.PlanFor): α_prune in [2, 40], α_tot ≤ 1000.
var (
	fMinAlphas = LogSpace(2, 40, 8)
	fMinFGrid  = LogSpace(0.005, 1, 25)
)

const fMinMaxAlphaTotal = 1000

// Advise answers q with a fresh Solver.
func Advise(q AdviceQuery) (Advice, error) {
	var s Solver
	return s.Advise(q)
}

// Advise answers q. Every number is a prediction of the teacher-student
// perceptron model, not a measurement on a network.
func (s *Solver) Advise(q AdviceQuery) (Advice, error) {
	q, err := q.normalise()
	if err != nil {
		return Advice{}, err
	}
	adv := Advice{Query: q}
	unpruned, err := s.Solve(Params{AlphaTotal: q.AlphaTotal, F: 1, ThetaDeg: q.ThetaDeg, Keep: KeepRandom}, nil)
	if err != nil {
		return Advice{}, err
	}
	adv.Unpruned = unpruned.Eps
	limit := (1 + q.Tolerance) * adv.Unpruned
	for _, keep := range []Keep{KeepHard, KeepEasy, KeepRandom} {
		c, err := s.policyCurve(q, keep, limit)
		if err != nil {
			return Advice{}, err
		}
		adv.Curves = append(adv.Curves, c)
	}
	adv.Better = make([]Keep, len(q.Fractions))
	for i, f := range q.Fractions {
		adv.Better[i] = KeepRandom
		if f == 1 {
			continue
		}
		best := math.Inf(1)
		for _, c := range adv.Curves {
			if c.Eps[i] < best {
				best, adv.Better[i] = c.Eps[i], c.Keep
			}
		}
	}
	if q.ThetaDeg > 0 {
		cfg := FrontierConfig{ThetaDeg: q.ThetaDeg, Keeps: []Keep{KeepHard}, FGrid: fMinFGrid,
			MaxAlphaTotal: fMinMaxAlphaTotal, Refine: true}
		// FMin reads f_opt at the largest α_tot = α/f_opt whose optimum is
		// not capped. f_opt falls as α grows, so α_tot grows with α and the
		// largest α answers alone unless its optimum is capped: try it first
		// (one frontier point instead of the whole grid).
		p, err := s.FMin(cfg, fMinAlphas[len(fMinAlphas)-1:])
		if err != nil {
			p, err = s.FMin(cfg, fMinAlphas)
		}
		if err != nil {
			adv.FMinNote = err.Error()
		} else {
			adv.FMin = &p
		}
	}
	if q.Budget > 0 {
		b, err := s.budgetAdvice(q)
		if err != nil {
			return Advice{}, err
		}
		adv.Budget = &b
	}
	return adv, nil
}

// normalise fills defaults and checks q, with errors that say the fix.
func (q AdviceQuery) normalise() (AdviceQuery, error) {
	switch {
	case !(q.AlphaTotal >= MinAlphaTotal && q.AlphaTotal <= MaxAlphaTotal):
		return q, fmt.Errorf("%w: α_tot = %v must be in [%v, %v] (examples per dimension, P/N)", ErrBadInput, q.AlphaTotal, MinAlphaTotal, MaxAlphaTotal)
	case !(q.ThetaDeg >= 0 && q.ThetaDeg <= MaxThetaDeg):
		return q, fmt.Errorf("%w: probe angle θ = %v° must be in [0°, %v°]", ErrBadInput, q.ThetaDeg, MaxThetaDeg)
	case !(q.Tolerance >= 0 && q.Tolerance < 1):
		return q, fmt.Errorf("%w: tolerance %v must be a relative error increase in [0, 1), e.g. 0.01 for 1%%", ErrBadInput, q.Tolerance)
	case !(q.Budget >= 0 && q.Budget <= q.AlphaTotal):
		return q, fmt.Errorf("%w: budget α_prune = %v must be in (0, α_tot = %v]: you cannot train on more data than you have", ErrBadInput, q.Budget, q.AlphaTotal)
	case q.Budget > 0 && q.Budget/q.AlphaTotal < MinFraction:
		return q, fmt.Errorf("%w: budget/α_tot = %v/%v = %.3g is below the solver's smallest fraction %v: raise the budget to at least %.3g", ErrBadInput, q.Budget, q.AlphaTotal, q.Budget/q.AlphaTotal, MinFraction, MinFraction*q.AlphaTotal)
	}
	if q.Tolerance == 0 {
		q.Tolerance = DefaultAdviceTolerance
	}
	fs := q.Fractions
	if len(fs) == 0 {
		fs = DefaultAdviceFractions
	}
	grid := []float64{1}
	for _, f := range fs {
		if !(f >= MinFraction && f <= 1) {
			return q, fmt.Errorf("%w: fraction %v on the grid must be in [%v, 1]", ErrBadInput, f, MinFraction)
		}
		if f < 1 {
			grid = append(grid, f)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(grid)))
	q.Fractions = grid
	return q, nil
}

// policyCurve tabulates ε for one policy at fixed α_tot and finds its
// no-cost fraction (ε ≤ limit).
func (s *Solver) policyCurve(q AdviceQuery, keep Keep, limit float64) (PolicyCurve, error) {
	c := PolicyCurve{Keep: keep, Eps: make([]float64, len(q.Fractions))}
	solve := func(f float64, warm *Solution) (Solution, error) {
		return s.Solve(Params{AlphaTotal: q.AlphaTotal, F: f, ThetaDeg: q.ThetaDeg, Keep: keep}, warm)
	}
	var warm *Solution
	in, out := -1, -1 // last grid index within the limit, first outside
	var inSol Solution
	for i, f := range q.Fractions {
		sol, err := solve(f, warm)
		if err != nil {
			return c, err
		}
		warm = &sol
		c.Eps[i] = sol.Eps
		if out < 0 {
			if sol.Eps <= limit {
				in, inSol = i, sol
			} else {
				out = i
			}
		}
	}
	if in < 0 {
		// Not even f = 1 is within the limit (a tolerance below the
		// solver's own differences between policies at f = 1): nothing can
		// be dropped at no cost.
		c.NoCostF, c.NoCostEps = 1, c.Eps[0]
		return c, nil
	}
	hi, hiEps := q.Fractions[in], c.Eps[in]
	var lo float64
	if out >= 0 {
		lo = q.Fractions[out]
	} else {
		// Within the limit down to the grid's end: look below it.
		floor, err := solve(MinFraction, &inSol)
		if err != nil {
			return c, err
		}
		if floor.Eps <= limit {
			c.NoCostF, c.NoCostEps, c.NoCostBelowFloor = MinFraction, floor.Eps, true
			return c, nil
		}
		lo = MinFraction
	}
	for hi/lo > 1+noCostPrecision {
		mid := math.Sqrt(hi * lo)
		sol, err := solve(mid, &inSol)
		if err != nil {
			return c, err
		}
		if sol.Eps <= limit {
			hi, hiEps, inSol = mid, sol.Eps, sol
		} else {
			lo = mid
		}
	}
	c.NoCostF, c.NoCostEps = hi, hiEps
	return c, nil
}

// budgetAdvice minimises ε at α_prune = q.Budget over f in [B/α_tot, 1],
// for keep hard and keep easy: a scan of 25 log-spaced fractions, then a
// golden-section refinement around the best one. The lower end of the
// search is the data limit B/α_tot, never the solver's floor MinFraction
// (which normalise guarantees it is at or above).
func (s *Solver) budgetAdvice(q AdviceQuery) (BudgetAdvice, error) {
	b := BudgetAdvice{Budget: q.Budget, FLow: q.Budget / q.AlphaTotal}
	random, err := s.Solve(Params{AlphaTotal: q.Budget, F: 1, ThetaDeg: q.ThetaDeg, Keep: KeepRandom}, nil)
	if err != nil {
		return b, err
	}
	b.RandomEps = random.Eps
	fs := []float64{1}
	if b.FLow < 1 {
		fs = LogSpace(b.FLow, 1, 25)
	}
	cfg := FrontierConfig{ThetaDeg: q.ThetaDeg}
	b.Best.Eps = math.Inf(1)
	for _, keep := range []Keep{KeepHard, KeepEasy} {
		eps := make([]float64, len(fs))
		sols := make([]Solution, len(fs))
		var warm *Solution
		// From f = 1 down: neighbouring f give neighbouring saddle points.
		for i := len(fs) - 1; i >= 0; i-- {
			sol, err := s.Solve(Params{AlphaTotal: q.Budget / fs[i], F: fs[i], ThetaDeg: q.ThetaDeg, Keep: keep}, warm)
			if err != nil {
				return b, err
			}
			eps[i], sols[i] = sol.Eps, sol
			warm = &sols[i]
		}
		i := argmin(eps)
		choice := BudgetChoice{Keep: keep, F: fs[i], Eps: eps[i]}
		if len(fs) >= 3 {
			lo, hi := fs[max(i-1, 0)], fs[min(i+1, len(fs)-1)]
			f, e, err := s.refineF(cfg, keep, q.Budget, lo, hi, sols[i])
			if err != nil {
				return b, err
			}
			if e < choice.Eps {
				choice.F, choice.Eps = f, e
			}
		}
		choice.AlphaTotal = q.Budget / choice.F
		b.PerPolicy = append(b.PerPolicy, choice)
		if choice.Eps < b.Best.Eps {
			b.Best = choice
		}
	}
	b.AtDataLimit = b.Best.F == b.FLow
	return b, nil
}
