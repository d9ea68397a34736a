package curves

import (
	"fmt"
	"math"
	"sort"

	"beyondscaling/lib/plots"
	"beyondscaling/theory"
)

// Axis labels shared by the theory figures.
const (
	labelAlphaPrune = "α_prune = fP/N (examples/dim.)"
	labelAlphaTotal = "α_tot = P/N (examples/dim.)"
	labelEps        = "test error ε"
	labelF          = "fraction kept f"
)

// ErrorFigure draws ε against α_prune at fixed f (theory lines), the
// simulation dots with error bars (± 1 standard error) in the same colours,
// and the 0.5/α power law of the unpruned perceptron.
func ErrorFigure(curves []Curve, dots []Dots) *plots.Figure {
	fig := &plots.Figure{XLabel: labelAlphaPrune, YLabel: labelEps, LogX: true, LogY: true, Legend: plots.BottomLeft}
	if len(curves) > 0 {
		fig.Title = fmt.Sprintf("Keep %v, probe angle θ = %g°", curves[0].Keep, curves[0].ThetaDeg)
	}
	if len(dots) > 0 {
		fig.Title += fmt.Sprintf("\nlines: theory; dots: N = %d, %d seeds, ± 1 s.e.", dots[0].N, dots[0].Seeds)
	}
	colors := plots.Family(len(curves))
	colorOf := map[float64]int{}
	for i, c := range curves {
		colorOf[c.F] = i
		fig.Series = append(fig.Series, plots.Series{Label: fmt.Sprintf("f = %g", c.F), X: c.AlphaPrune, Y: c.Eps, Kind: plots.Line, Color: colors[i]})
	}
	for _, d := range dots {
		s := plots.Series{Label: fmt.Sprintf("simulation f = %g", d.F), X: d.AlphaPrune, Y: d.Mean, YErr: d.SEM, Kind: plots.Points}
		if i, ok := colorOf[d.F]; ok {
			s.Color = colors[i]
		}
		fig.Series = append(fig.Series, s)
	}
	if len(curves) > 0 {
		a := curves[0].AlphaPrune
		pl := make([]float64, len(a))
		for i, x := range a {
			pl[i] = 0.5 / x
		}
		fig.Series = append(fig.Series, plots.Series{Label: "0.5/α power law", X: a, Y: pl, Kind: plots.Line, Dashed: true, Color: plots.Categorical[6]})
	}
	return fig
}

// PhaseFigure draws ε_hard - ε_easy over (α_tot, f) as a diverging heat map
// (blue: keep hard better; red: keep easy better) with the crossover line.
func PhaseFigure(ph Phase) *plots.Figure {
	fig := &plots.Figure{
		Title:  fmt.Sprintf("Keep hard minus keep easy, θ = %g°", ph.ThetaDeg),
		XLabel: labelAlphaTotal, YLabel: labelF, LogX: true, LogY: true,
		Heat: &plots.Heat{X: ph.AlphaTotal, Y: ph.F, Z: ph.Diff, Diverging: true, Label: "ε_hard - ε_easy"},
	}
	var xs, ys []float64
	for i, c := range ph.Crossover {
		if !math.IsNaN(c) {
			xs = append(xs, c)
			ys = append(ys, ph.F[i])
		}
	}
	if len(xs) > 1 {
		// the crossover is a curve α(f), drawn in the order of f
		fig.Series = append(fig.Series, plots.Series{Label: "crossover", X: xs, Y: ys, Kind: plots.Line, Color: plots.Categorical[6], Parametric: true})
	}
	return fig
}

// FrontierFigure draws the Pareto frontier (the best f and policy at each
// α_prune) for each probe angle against the unpruned power law; ref are
// fixed-f curves drawn thin for context (may be nil).
func FrontierFigure(fronts []Frontier, ref []Curve) *plots.Figure {
	fig := &plots.Figure{Title: "Pareto frontier over the fraction kept", XLabel: labelAlphaPrune, YLabel: labelEps, LogX: true, LogY: true, Legend: plots.BottomLeft}
	for i, c := range ref {
		s := plots.Series{X: c.AlphaPrune, Y: c.Eps, Kind: plots.Line, Color: plots.Grey}
		if i == 0 {
			s.Label = "fixed f (keep hard)"
		}
		fig.Series = append(fig.Series, s)
	}
	for i, fr := range fronts {
		var x, y []float64
		for _, p := range fr.Points {
			x = append(x, p.Alpha)
			y = append(y, p.Eps)
		}
		fig.Series = append(fig.Series, plots.Series{Label: fmt.Sprintf("frontier θ = %g°", fr.ThetaDeg), X: x, Y: y, Kind: plots.LinePoints, Color: plots.Categorical[i%len(plots.Categorical)]})
	}
	if len(fronts) > 0 && len(fronts[0].Points) > 0 {
		var x, y []float64
		for _, p := range fronts[0].Points {
			x = append(x, p.Alpha)
			y = append(y, 0.5/p.Alpha)
		}
		fig.Series = append(fig.Series, plots.Series{Label: "0.5/α power law (no pruning)", X: x, Y: y, Kind: plots.Line, Dashed: true, Color: plots.Categorical[6]})
	}
	return fig
}

// FOptFigure draws the optimal fraction kept against α_tot = α_prune/f_opt,
// points sorted by α_tot. Points whose optimum sits at the smallest fraction
// searched (AtLimit) are left out: there the error was still falling, so the
// value is the search's floor, not an optimum. With a perfect probe (θ = 0)
// every point is such a bound, so that curve is absent and the legend says so.
func FOptFigure(fronts []Frontier) *plots.Figure {
	fig := &plots.Figure{Title: "Optimal fraction kept (keep hard)", XLabel: labelAlphaTotal, YLabel: "optimal fraction f_opt", LogX: true, LogY: true, Legend: plots.BottomLeft}
	for i, fr := range fronts {
		pts := append([]theory.FrontierPoint(nil), fr.Points...)
		sort.Slice(pts, func(a, b int) bool { return pts[a].AlphaTotal < pts[b].AlphaTotal })
		var x, y []float64
		for _, p := range pts {
			if p.AtLimit {
				continue
			}
			x = append(x, p.AlphaTotal)
			y = append(y, p.FOpt)
		}
		if len(x) == 0 {
			continue
		}
		fig.Series = append(fig.Series, plots.Series{Label: fmt.Sprintf("θ = %g°", fr.ThetaDeg), X: x, Y: y, Kind: plots.LinePoints, Color: plots.Categorical[i%len(plots.Categorical)]})
	}
	return fig
}

// FMinFigure draws f_min against the probe angle.
func FMinFigure(pts []FMinPoint) *plots.Figure {
	var x, y []float64
	for _, p := range pts {
		x = append(x, p.ThetaDeg)
		y = append(y, p.FMin)
	}
	return &plots.Figure{Title: "Minimum useful fraction of an imperfect probe", XLabel: "probe angle θ (degrees)", YLabel: "minimum fraction f_min", Legend: plots.BottomRight,
		Series: []plots.Series{{Label: "theory (keep hard)", X: x, Y: y, Kind: plots.LinePoints}}}
}

// Describe is a one-line summary of a frontier for notebook text.
func Describe(fr Frontier) string {
	if len(fr.Points) == 0 {
		return "empty frontier"
	}
	last := fr.Points[len(fr.Points)-1]
	return fmt.Sprintf("θ = %g°: at α_prune = %.3g the frontier reaches ε = %.3g (f_opt = %.3g, keep %v) against %.3g for the 0.5/α law",
		fr.ThetaDeg, last.Alpha, last.Eps, last.FOpt, last.Keep, 0.5/last.Alpha)
}
