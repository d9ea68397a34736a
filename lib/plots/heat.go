package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// heatGrid adapts Heat to plotter.GridXYZ, with log10 coordinates on log axes.
type heatGrid struct {
	h          *Heat
	logX, logY bool
}

func (g heatGrid) Dims() (c, r int)   { return len(g.h.X), len(g.h.Y) }
func (g heatGrid) Z(c, r int) float64 { return g.h.Z[r][c] }
func (g heatGrid) X(c int) float64 {
	if g.logX {
		return math.Log10(g.h.X[c])
	}
	return g.h.X[c]
}
func (g heatGrid) Y(r int) float64 {
	if g.logY {
		return math.Log10(g.h.Y[r])
	}
	return g.h.Y[r]
}

// heatPalette is a palette.Palette of n colours.
type heatPalette []color.Color

func (p heatPalette) Colors() []color.Color { return p }

func addHeat(p *plot.Plot, h *Heat, logX, logY bool) error {
	if (logX && !positive(h.X)) || (logY && !positive(h.Y)) {
		return fmt.Errorf("heat map: log axis with non-positive coordinates")
	}
	lo, hi := h.Min, h.Max
	if lo == 0 && hi == 0 {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, row := range h.Z {
			for _, z := range row {
				if finite(z) {
					lo, hi = math.Min(lo, z), math.Max(hi, z)
				}
			}
		}
		if !(hi > lo) {
			hi = lo + 1
		}
	}
	grid := plotter.GridXYZ(heatGrid{h, logX, logY})
	const n = 64
	pal := make(heatPalette, n)
	for i := range pal {
		t := float64(i) / (n - 1)
		if h.Diverging {
			pal[i] = diverging(2*t - 1)
		} else {
			pal[i] = Sequential(t)
		}
	}
	if h.Diverging {
		// Two slopes: negatives map to [-1, 0) by their own extreme,
		// positives to (0, 1] by theirs.
		neg, pos := math.Min(lo, 0), math.Max(hi, 0)
		grid = twoSlope{heatGrid{h, logX, logY}, neg, pos}
		lo, hi = -1, 1
	}
	hm := plotter.NewHeatMap(grid, pal)
	hm.Min, hm.Max = lo, hi
	hm.NaN = color.NRGBA{200, 200, 200, 255}
	p.Add(hm)
	if logX {
		p.X.Tick.Marker = pow10Ticks{}
	}
	if logY {
		p.Y.Tick.Marker = pow10Ticks{}
	}
	if h.Label != "" {
		rng := fmt.Sprintf("colour: %s, %.2g to %.2g", h.Label, h.zMin(), h.zMax())
		if h.Diverging {
			rng = fmt.Sprintf("colour: %s (blue < 0 < red), %.2g to %.2g", h.Label, h.zMin(), h.zMax())
		}
		if h.Min != 0 || h.Max != 0 {
			// A fixed colour range (shared by figures read side by side)
			// is said, so that the data's own range is not taken for it.
			rng += fmt.Sprintf(" (scale %.2g to %.2g)", h.Min, h.Max)
		}
		if p.Title.Text != "" {
			p.Title.Text += "\n" + rng
		} else {
			p.Title.Text = rng
		}
	}
	return nil
}

// twoSlope rescales negative values by |neg| and positive ones by pos.
type twoSlope struct {
	heatGrid
	neg, pos float64
}

func (t twoSlope) Z(c, r int) float64 {
	z := t.heatGrid.Z(c, r)
	switch {
	case z < 0 && t.neg < 0:
		return z / -t.neg
	case z > 0 && t.pos > 0:
		return z / t.pos
	}
	return z
}

func (h *Heat) zMin() float64 {
	m := math.Inf(1)
	for _, row := range h.Z {
		for _, z := range row {
			if finite(z) {
				m = math.Min(m, z)
			}
		}
	}
	return m
}

func (h *Heat) zMax() float64 {
	m := math.Inf(-1)
	for _, row := range h.Z {
		for _, z := range row {
			if finite(z) {
				m = math.Max(m, z)
			}
		}
	}
	return m
}

func positive(xs []float64) bool {
	for _, x := range xs {
		if !(x > 0) {
			return false
		}
	}
	return true
}

// pow10Ticks labels a log10 coordinate axis with the original values.
type pow10Ticks struct{}

func (pow10Ticks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for k := math.Floor(min); k <= math.Ceil(max); k++ {
		if k >= min-1e-9 && k <= max+1e-9 {
			ts = append(ts, plot.Tick{Value: k, Label: fmt.Sprintf("%g", math.Pow(10, k))})
		}
		for m := 2.0; m < 10; m++ {
			if v := k + math.Log10(m); v >= min && v <= max {
				ts = append(ts, plot.Tick{Value: v})
			}
		}
	}
	labelled := 0
	for _, t := range ts {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 { // within a decade: label the minor ticks 1, 2, 3, 5
		for i := range ts {
			if v := math.Pow(10, ts[i].Value); sparseMantissa(v) {
				ts[i].Label = tickLabel(v)
			}
		}
	}
	return ts
}

// tickLabel writes a tick value to two significant digits without an
// exponent (2000, 0.35).
func tickLabel(x float64) string {
	if x == 0 || !finite(x) {
		return fmt.Sprint(x)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 2, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// sparseMantissa reports whether v is 1, 2, 3 or 5 times a power of ten:
// the minor ticks that get labels, so that labels do not collide.
func sparseMantissa(v float64) bool {
	m := v / math.Pow(10, math.Floor(math.Log10(v)+1e-9))
	for _, k := range []float64{1, 2, 3, 5} {
		if math.Abs(m-k) < 1e-6 {
			return true
		}
	}
	return false
}
