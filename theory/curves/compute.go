package curves

import (
	"fmt"
	"math"

	"beyondscaling/lib/progress"
	"beyondscaling/theory"
	"beyondscaling/theory/simulate"
)

// Curve is ε along α_prune at a fixed fraction kept.
type Curve struct {
	ThetaDeg   float64
	Keep       theory.Keep
	F          float64
	AlphaPrune []float64
	AlphaTotal []float64
	Eps        []float64
}

// TheoryCurves solves the theory along alphas (α_prune) for each fraction,
// warm-starting each point from its neighbour.
func TheoryCurves(thetaDeg float64, keep theory.Keep, fs, alphas []float64) ([]Curve, error) {
	out := make([]Curve, len(fs))
	err := simulate.ForEach(len(fs), func(i int) error {
		var s theory.Solver
		c := Curve{ThetaDeg: thetaDeg, Keep: keep, F: fs[i]}
		var warm *theory.Solution
		for _, a := range alphas {
			sol, err := s.Solve(theory.Params{AlphaTotal: a / fs[i], F: fs[i], ThetaDeg: thetaDeg, Keep: keep}, warm)
			if err != nil {
				return err
			}
			warm = &sol
			c.AlphaPrune = append(c.AlphaPrune, a)
			c.AlphaTotal = append(c.AlphaTotal, a/fs[i])
			c.Eps = append(c.Eps, sol.Eps)
		}
		out[i] = c
		return nil
	})
	return out, err
}

// Dots are simulation means with standard errors at fixed f.
type Dots struct {
	ThetaDeg   float64
	Keep       theory.Keep
	F          float64
	AlphaPrune []float64
	Mean, SEM  []float64
	N, Seeds   int
}

// SimulationDots runs the teacher-student simulation at every (f, α_prune),
// reporting progress.
func SimulationDots(thetaDeg float64, keep theory.Keep, fs, alphas []float64, n, seeds int) ([]Dots, error) {
	bar := progress.New(fmt.Sprintf("simulate keep %v θ=%g°", keep, thetaDeg), len(fs)*len(alphas), "points")
	defer bar.Done()
	out := make([]Dots, len(fs))
	for i, f := range fs {
		d := Dots{ThetaDeg: thetaDeg, Keep: keep, F: f, N: n, Seeds: seeds}
		for _, a := range alphas {
			st, err := simulate.Run(simulate.Config{N: n, AlphaTotal: a / f, F: f, ThetaDeg: thetaDeg, Keep: keep}, seeds, simulate.Options{})
			if err != nil {
				return nil, err
			}
			d.AlphaPrune = append(d.AlphaPrune, a)
			d.Mean = append(d.Mean, st.EpsMean)
			d.SEM = append(d.SEM, st.EpsSEM)
			bar.Add(1)
		}
		out[i] = d
	}
	return out, nil
}

// Phase is ε_hard - ε_easy over (α_tot, f) and the crossover α_tot(f).
type Phase struct {
	ThetaDeg   float64
	AlphaTotal []float64
	F          []float64
	Diff       [][]float64 // Diff[i][j] at (F[i], AlphaTotal[j]); < 0: keep hard is better
	Crossover  []float64   // α_tot at which keep hard overtakes keep easy (NaN if none)
}

// PhaseDiagram computes the keep-hard minus keep-easy map of Fig. 1.
func PhaseDiagram(thetaDeg float64, alphaTotals, fs []float64) (Phase, error) {
	ph := Phase{ThetaDeg: thetaDeg, AlphaTotal: alphaTotals, F: fs, Diff: make([][]float64, len(fs)), Crossover: make([]float64, len(fs))}
	err := simulate.ForEach(len(fs), func(i int) error {
		var s theory.Solver
		row := make([]float64, len(alphaTotals))
		var wh, we *theory.Solution
		for j, a := range alphaTotals {
			h, err := s.Solve(theory.Params{AlphaTotal: a, F: fs[i], ThetaDeg: thetaDeg, Keep: theory.KeepHard}, wh)
			if err != nil {
				return err
			}
			e, err := s.Solve(theory.Params{AlphaTotal: a, F: fs[i], ThetaDeg: thetaDeg, Keep: theory.KeepEasy}, we)
			if err != nil {
				return err
			}
			wh, we = &h, &e
			row[j] = h.Eps - e.Eps
		}
		ph.Diff[i] = row
		ph.Crossover[i] = math.NaN()
		if fs[i] < 1 {
			if c, err := s.Crossover(thetaDeg, fs[i], alphaTotals[0], alphaTotals[len(alphaTotals)-1]); err == nil {
				ph.Crossover[i] = c
			}
		}
		return nil
	})
	return ph, err
}

// Frontier is the Pareto frontier (and f_opt) at one probe angle.
type Frontier struct {
	ThetaDeg float64
	Points   []theory.FrontierPoint
	Config   theory.FrontierConfig
}

// Frontiers computes the frontier for each angle over the given keep
// policies (nil: hard and easy).
func Frontiers(thetas, alphas, fGrid []float64, maxAlphaTotal float64, keeps []theory.Keep) ([]Frontier, error) {
	out := make([]Frontier, len(thetas))
	err := simulate.ForEach(len(thetas), func(i int) error {
		var s theory.Solver
		cfg := theory.FrontierConfig{ThetaDeg: thetas[i], Keeps: keeps, FGrid: fGrid, MaxAlphaTotal: maxAlphaTotal, Refine: true}
		pts, err := s.Frontier(cfg, alphas)
		out[i] = Frontier{ThetaDeg: thetas[i], Points: pts, Config: cfg}
		return err
	})
	return out, err
}

// FMinPoint is f_min at one angle.
type FMinPoint struct {
	ThetaDeg   float64
	FMin       float64
	AlphaTotal float64 // where f_opt was read off
}

// FMinCurve computes f_min(θ) for each angle (keep hard, refined f).
func FMinCurve(thetas, alphas, fGrid []float64, maxAlphaTotal float64) ([]FMinPoint, error) {
	out := make([]FMinPoint, len(thetas))
	err := simulate.ForEach(len(thetas), func(i int) error {
		var s theory.Solver
		p, err := s.FMin(theory.FrontierConfig{ThetaDeg: thetas[i], Keeps: []theory.Keep{theory.KeepHard}, FGrid: fGrid, MaxAlphaTotal: maxAlphaTotal, Refine: true}, alphas)
		out[i] = FMinPoint{ThetaDeg: thetas[i], FMin: p.FOpt, AlphaTotal: p.AlphaTotal}
		return err
	})
	return out, err
}
