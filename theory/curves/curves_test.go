package curves

import (
	"math"
	"path/filepath"
	"testing"

	"beyondscaling/lib/plots"
	"beyondscaling/lib/project"
	"beyondscaling/theory"
	"beyondscaling/theory/simulate"
)

// The phase diagram shows the paper's central effect: keep easy wins for
// scarce data, keep hard for abundant data (θ = 0).
func TestPhaseDiagramSigns(t *testing.T) {
	ph, err := PhaseDiagram(0, []float64{0.5, 200}, []float64{0.3})
	if err != nil {
		t.Fatal(err)
	}
	if !(ph.Diff[0][0] > 0 && ph.Diff[0][1] < 0) {
		t.Errorf("ε_hard - ε_easy = %v, want positive at α_tot = 0.5 and negative at 200", ph.Diff[0])
	}
	if c := ph.Crossover[0]; !(c > 0.5 && c < 200) {
		t.Errorf("crossover %v outside (0.5, 200)", c)
	}
}

func TestCurvesMatchDirectSolves(t *testing.T) {
	cs, err := TheoryCurves(10, theory.KeepHard, []float64{0.5}, []float64{1, 4})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range cs[0].AlphaPrune {
		s, err := theory.Solve(theory.Params{AlphaTotal: a / 0.5, F: 0.5, ThetaDeg: 10, Keep: theory.KeepHard})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(s.Eps-cs[0].Eps[i]) > 1e-9 {
			t.Errorf("α=%v: warm-started curve ε=%v, cold solve %v", a, cs[0].Eps[i], s.Eps)
		}
	}
}

func TestTeachingSceneKeepsTheBand(t *testing.T) {
	c := simulate.Config{N: 40, AlphaTotal: 5, F: 0.3, ThetaDeg: 15, Keep: theory.KeepHard}
	sc, err := TeachingScene(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	th := c.ThetaDeg * math.Pi / 180
	kept := 0
	for i := range sc.U {
		z := math.Abs(sc.U[i]*math.Cos(th) + sc.W[i]*math.Sin(th))
		if sc.Kept[i] {
			kept++
			if z > sc.Threshold+1e-9 {
				t.Fatalf("kept example with |z| = %v above the threshold %v", z, sc.Threshold)
			}
		}
	}
	if kept != 60 {
		t.Errorf("kept %d, want 60", kept)
	}
	if !(sc.StudentEps > 0 && sc.StudentEps < 0.5) || math.IsNaN(sc.TheoryEps) {
		t.Errorf("student ε %v, theory ε %v", sc.StudentEps, sc.TheoryEps)
	}
}

// The smoke plan draws every theory figure; the files are written.
func TestSmokePlanFigures(t *testing.T) {
	p := PlanFor(project.Smoke)
	dir := t.TempDir()
	curves, err := TheoryCurves(0, theory.KeepHard, p.Fractions, p.AlphaPrune)
	if err != nil {
		t.Fatal(err)
	}
	dots, err := SimulationDots(0, theory.KeepHard, p.SimFractions, p.SimAlphaPrune, p.SimN, p.SimSeeds)
	if err != nil {
		t.Fatal(err)
	}
	fronts, err := Frontiers([]float64{0, 10}, p.FrontierAlphas, p.FrontierFGrid, p.FrontierMaxAlphaTotal, nil)
	if err != nil {
		t.Fatal(err)
	}
	fmin, err := FMinCurve(p.FMinThetas, p.FMinAlphas, p.FrontierFGrid, p.MaxAlphaTotal)
	if err != nil {
		t.Fatal(err)
	}
	dens, err := DensityFigure(0.3)
	if err != nil {
		t.Fatal(err)
	}
	for name, fig := range map[string]*plots.Figure{
		"errors": ErrorFigure(curves, dots), "frontier": FrontierFigure(fronts, curves),
		"fopt": FOptFigure(fronts), "fmin": FMinFigure(fmin), "density": dens,
	} {
		if _, err := plots.Save(fig, dir, name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(matches) != 20 {
		t.Errorf("%d files written, want 20", len(matches))
	}
}

// With a perfect probe the error at fixed α_prune keeps falling as f shrinks,
// so every optimum sits at the search's floor: Fig. 2C must not draw those
// bounds as optima (it once drew θ = 0 as a flat line at f = 0.001). With
// θ = 10° the optimum is interior at large α and is drawn.
func TestFOptFigureLeavesOutSearchFloor(t *testing.T) {
	alphas := []float64{20, 40}
	fronts, err := Frontiers([]float64{0, 10}, alphas, theory.LogSpace(theory.MinFraction, 1, 25), 1e5, []theory.Keep{theory.KeepHard})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range fronts[0].Points {
		if !p.AtLimit {
			t.Errorf("θ = 0, α_prune = %v: f_opt = %v not at the search floor", p.Alpha, p.FOpt)
		}
	}
	interior := 0
	for _, p := range fronts[1].Points {
		if !p.AtLimit {
			interior++
		}
	}
	if interior == 0 {
		t.Fatalf("θ = 10°: no interior optimum among %+v", fronts[1].Points)
	}
	fig := FOptFigure(fronts)
	if len(fig.Series) != 1 || fig.Series[0].Label != "θ = 10°" || len(fig.Series[0].X) != interior {
		t.Errorf("figure series %+v, want only θ = 10° with %d points", fig.Series, interior)
	}
}
