package theory

import (
	"fmt"
	"math"
)

// FrontierConfig says how the Pareto frontier is searched. Every field is
// recorded with the results so that a figure states how it was made.
type FrontierConfig struct {
	ThetaDeg float64
	// Keeps are the policies the envelope ranges over (default hard and easy).
	Keeps []Keep
	// FGrid is the grid of fractions searched before refinement (default: 25
	// points log-spaced in [MinFraction, 1]).
	FGrid []float64
	// MaxAlphaTotal bounds the total data: f ≥ α/MaxAlphaTotal (default 1000).
	MaxAlphaTotal float64
	// Refine turns on golden-section refinement of f between grid points.
	Refine bool
}

func (c *FrontierConfig) defaults() {
	if len(c.Keeps) == 0 {
		c.Keeps = []Keep{KeepHard, KeepEasy}
	}
	if len(c.FGrid) == 0 {
		c.FGrid = LogSpace(MinFraction, 1, 25)
	}
	if c.MaxAlphaTotal == 0 {
		c.MaxAlphaTotal = MaxAlphaTotal
	}
}

// FrontierPoint is the best pruning at one α = f α_tot.
type FrontierPoint struct {
	Alpha      float64 // α_prune
	AlphaTotal float64 // α_prune / FOpt
	FOpt       float64
	Keep       Keep
	Eps        float64
	// AtLimit reports that FOpt is the smallest fraction searched (MinFraction
	// or the data cap α/MaxAlphaTotal): the error was still falling there, so
	// the true optimum lies at or below FOpt and FOpt is a bound, not a value.
	AtLimit bool
}

// LogSpace returns n points log-spaced from lo to hi inclusive.
func LogSpace(lo, hi float64, n int) []float64 {
	if n == 1 {
		return []float64{lo}
	}
	out := make([]float64, n)
	l, h := math.Log(lo), math.Log(hi)
	for i := range out {
		out[i] = math.Exp(l + (h-l)*float64(i)/float64(n-1))
	}
	out[0], out[n-1] = lo, hi
	return out
}

// Frontier returns the lower envelope over f (and over the keep policies) of
// ε at fixed α_prune = alpha, for each alpha: the Pareto frontier of the
// paper's Fig. 1, and f_opt(α_prune). Fractions below α/MaxAlphaTotal are
// excluded (they would need more than MaxAlphaTotal data).
func (s *Solver) Frontier(cfg FrontierConfig, alphas []float64) ([]FrontierPoint, error) {
	cfg.defaults()
	out := make([]FrontierPoint, 0, len(alphas))
	for _, a := range alphas {
		pt, err := s.frontierAt(cfg, a)
		if err != nil {
			return out, err
		}
		out = append(out, pt)
	}
	return out, nil
}

func (s *Solver) frontierAt(cfg FrontierConfig, alpha float64) (FrontierPoint, error) {
	fLo := math.Max(MinFraction, alpha/cfg.MaxAlphaTotal)
	if fLo > 1 {
		return FrontierPoint{}, fmt.Errorf("%w: α_prune = %g exceeds the maximum total data %g", ErrBadInput, alpha, cfg.MaxAlphaTotal)
	}
	fs := []float64{fLo}
	for _, f := range cfg.FGrid {
		if f > fLo && f < 1 {
			fs = append(fs, f)
		}
	}
	fs = append(fs, 1)
	best := FrontierPoint{Alpha: alpha, Eps: math.Inf(1)}
	for _, keep := range cfg.Keeps {
		eps := make([]float64, len(fs))
		sols := make([]Solution, len(fs))
		var warm *Solution
		// From f = 1 down: neighbouring f give neighbouring saddle points.
		for i := len(fs) - 1; i >= 0; i-- {
			sol, err := s.Solve(Params{AlphaTotal: alpha / fs[i], F: fs[i], ThetaDeg: cfg.ThetaDeg, Keep: keep}, warm)
			if err != nil {
				return FrontierPoint{}, err
			}
			eps[i] = sol.Eps
			sols[i] = sol
			warm = &sols[i]
		}
		i := argmin(eps)
		fOpt, eOpt := fs[i], eps[i]
		if cfg.Refine && i > 0 && i < len(fs)-1 {
			f, e, err := s.refineF(cfg, keep, alpha, fs[i-1], fs[i+1], sols[i])
			if err != nil {
				return FrontierPoint{}, err
			}
			if e < eOpt {
				fOpt, eOpt = f, e
			}
		}
		if eOpt < best.Eps {
			best.Eps, best.FOpt, best.Keep = eOpt, fOpt, keep
			best.AtLimit = fOpt == fs[0]
		}
	}
	best.AlphaTotal = alpha / best.FOpt
	return best, nil
}

// refineF minimises ε over log f in [lo, hi] by golden-section search.
func (s *Solver) refineF(cfg FrontierConfig, keep Keep, alpha, lo, hi float64, warm Solution) (float64, float64, error) {
	eval := func(lf float64) (float64, error) {
		f := math.Exp(lf)
		sol, err := s.Solve(Params{AlphaTotal: alpha / f, F: f, ThetaDeg: cfg.ThetaDeg, Keep: keep}, &warm)
		return sol.Eps, err
	}
	const g = 0.6180339887498949
	a, b := math.Log(lo), math.Log(hi)
	c, d := b-g*(b-a), a+g*(b-a)
	fc, err := eval(c)
	if err != nil {
		return 0, 0, err
	}
	fd, err := eval(d)
	if err != nil {
		return 0, 0, err
	}
	for b-a > 1e-3 {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			if fc, err = eval(c); err != nil {
				return 0, 0, err
			}
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			if fd, err = eval(d); err != nil {
				return 0, 0, err
			}
		}
	}
	if fc < fd {
		return math.Exp(c), fc, nil
	}
	return math.Exp(d), fd, nil
}

func argmin(xs []float64) int {
	best := 0
	for i, x := range xs {
		if x < xs[best] {
			best = i
		}
	}
	return best
}

// FMin returns f_min(θ), the limit of f_opt at large total data: among the
// frontier points at alphas whose f_opt is an interior optimum (above the
// data cap α/MaxAlphaTotal, so not forced by it), the one with the largest
// α_tot. For θ = 0 f_opt keeps falling to the cap (f_min(0) = 0 in the
// limit), so FMin reports an error there, as it does wherever the cap binds.
func (s *Solver) FMin(cfg FrontierConfig, alphas []float64) (FrontierPoint, error) {
	cfg.defaults()
	pts, err := s.Frontier(cfg, alphas)
	if err != nil {
		return FrontierPoint{}, err
	}
	best := FrontierPoint{}
	for _, p := range pts {
		fLo := math.Max(MinFraction, p.Alpha/cfg.MaxAlphaTotal)
		if p.FOpt > fLo*1.02 && p.AlphaTotal > best.AlphaTotal {
			best = p
		}
	}
	if best.FOpt == 0 {
		return best, fmt.Errorf("θ = %g°: f_opt sits at the data cap α/%g at every α: raise MaxAlphaTotal or lower the α grid", cfg.ThetaDeg, cfg.MaxAlphaTotal)
	}
	return best, nil
}

// Crossover returns the α_tot at which keep hard becomes better than keep
// easy for fraction f at probe angle θ, searched in [lo, hi]. It returns an
// error if the two curves do not cross there.
func (s *Solver) Crossover(thetaDeg, f, lo, hi float64) (float64, error) {
	diff := func(a float64) (float64, error) {
		h, err := s.Solve(Params{AlphaTotal: a, F: f, ThetaDeg: thetaDeg, Keep: KeepHard}, nil)
		if err != nil {
			return 0, err
		}
		e, err := s.Solve(Params{AlphaTotal: a, F: f, ThetaDeg: thetaDeg, Keep: KeepEasy}, nil)
		if err != nil {
			return 0, err
		}
		return h.Eps - e.Eps, nil
	}
	// Scan a log grid for the first sign change from easy-better to hard-better.
	grid := LogSpace(lo, hi, 24)
	prev, err := diff(grid[0])
	if err != nil {
		return 0, err
	}
	for i := 1; i < len(grid); i++ {
		cur, err := diff(grid[i])
		if err != nil {
			return 0, err
		}
		if prev > 0 && cur <= 0 {
			a, b := math.Log(grid[i-1]), math.Log(grid[i])
			for b-a > 1e-6 {
				m := (a + b) / 2
				dm, err := diff(math.Exp(m))
				if err != nil {
					return 0, err
				}
				if dm > 0 {
					a = m
				} else {
					b = m
				}
			}
			return math.Exp((a + b) / 2), nil
		}
		prev = cur
	}
	return 0, fmt.Errorf("keep hard does not overtake keep easy for f = %g, θ = %g° in α_tot ∈ [%g, %g]", f, thetaDeg, lo, hi)
}
