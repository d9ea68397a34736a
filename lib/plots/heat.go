package plots

import (
	"fmt"
	"image/color"
	"math"

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
		if h.Diverging {
			m := math.Max(math.Abs(lo), math.Abs(hi))
			lo, hi = -m, m
		}
		if !(hi > lo) {
			hi = lo + 1
		}
	}
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
	hm := plotter.NewHeatMap(heatGrid{h, logX, logY}, pal)
	hm.Min, hm.Max = lo, hi
	hm.NaN = color.NRGBA{200, 200, 200, 255}
	p.Add(hm)
	if logX {
		p.X.Tick.Marker = pow10Ticks{}
	}
	if logY {
		p.Y.Tick.Marker = pow10Ticks{}
	}
	if h.Label != "" && p.Title.Text != "" {
		p.Title.Text += fmt.Sprintf("\n(colour: %s, %.3g to %.3g)", h.Label, lo, hi)
	} else if h.Label != "" {
		p.Title.Text = fmt.Sprintf("colour: %s, %.3g to %.3g", h.Label, lo, hi)
	}
	return nil
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
	return ts
}
