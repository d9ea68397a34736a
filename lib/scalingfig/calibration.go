package scalingfig

import (
	"math"
	"slices"

	"beyondscaling/lib/calibration"
	"beyondscaling/lib/plots"
)

// CalibratedPhase is one of the paired phase diagrams of a calibration
// (the paper's Figs. 1C and 1D on one scale): error(hard) − error(easy)
// over initial size and fraction kept, measured or as the calibrated theory
// predicts it, with the colour range ±limit shared by the pair
// (PhaseLimit), so that equal colours mean equal differences.
func CalibratedPhase(title string, fractions []float64, sizes []int, z [][]float64, limit float64) *plots.Figure {
	x := make([]float64, len(sizes))
	for i, n := range sizes {
		x[i] = float64(n)
	}
	return &plots.Figure{Title: title, XLabel: labelSize, YLabel: labelF, LogX: true,
		Heat: &plots.Heat{X: x, Y: fractions, Z: z, Min: -limit, Max: limit, Diverging: true, Label: "hard − easy error"}}
}

// PhaseLimit is the largest |difference| over the grids given, the shared
// colour range of CalibratedPhase.
func PhaseLimit(grids ...[][]float64) float64 {
	var m float64
	for _, g := range grids {
		for _, row := range g {
			for _, v := range row {
				if !math.IsNaN(v) {
					m = math.Max(m, math.Abs(v))
				}
			}
		}
	}
	if m == 0 {
		m = 1e-3
	}
	return m
}

// CalibratedErrors is the calibration's prediction against the measured
// test error of every cell: fitted cells and held-out cells as separate
// point sets (error bars ± 1 s.e.: the seeds' spread or the test set's
// binomial error, whichever is larger, as calibration.Cells computes it),
// on log-log axes with the line of perfect prediction.
func CalibratedErrors(title string, r *calibration.Result) *plots.Figure {
	fig := &plots.Figure{Title: title, XLabel: "calibrated theory's test error (fraction)", YLabel: labelError, LogX: true, LogY: true, Legend: plots.TopLeft}
	var fx, fy, fe, hx, hy, he []float64
	lo, hi := math.Inf(1), 0.0
	add := func(pred, meas, se float64, xs, ys, es *[]float64) {
		if math.IsNaN(pred) || !(pred > 0) || !(meas > 0) {
			return
		}
		*xs, *ys, *es = append(*xs, pred), append(*ys, meas), append(*es, se)
		lo, hi = math.Min(lo, math.Min(pred, meas)), math.Max(hi, math.Max(pred, meas))
	}
	for _, c := range r.Fitted {
		add(r.Predicted(c), c.Err, c.SE, &fx, &fy, &fe)
	}
	theory := slices.Index(r.Methods, calibration.MethodTheory)
	for _, p := range r.HeldOut {
		add(p.Predicted[theory], p.Err, p.SE, &hx, &hy, &he)
	}
	if hi > 0 {
		fig.Series = append(fig.Series, plots.Series{Label: "perfect prediction", X: []float64{lo, hi}, Y: []float64{lo, hi}, Kind: plots.Line, Dashed: true, Color: plots.Grey})
	}
	sortXY := func(x, y, e []float64) {
		for i := 1; i < len(x); i++ {
			for j := i; j > 0 && x[j] < x[j-1]; j-- {
				x[j], x[j-1] = x[j-1], x[j]
				y[j], y[j-1] = y[j-1], y[j]
				e[j], e[j-1] = e[j-1], e[j]
			}
		}
	}
	sortXY(fx, fy, fe)
	sortXY(hx, hy, he)
	if len(fx) > 0 {
		fig.Series = append(fig.Series, plots.Series{Label: "fitted sizes", X: fx, Y: fy, YErr: fe, Kind: plots.Points, Color: plots.Categorical[0]})
	}
	if len(hx) > 0 {
		fig.Series = append(fig.Series, plots.Series{Label: "held-out sizes (predicted)", X: hx, Y: hy, YErr: he, Kind: plots.Points, Color: plots.Categorical[1]})
	}
	return fig
}
