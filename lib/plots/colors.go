package plots

import (
	"image/color"
	"math"
)

// Categorical is a colour-blind-safe palette for unrelated curves (Okabe-Ito).
var Categorical = []color.Color{
	color.NRGBA{0, 114, 178, 255},   // blue
	color.NRGBA{213, 94, 0, 255},    // vermillion
	color.NRGBA{0, 158, 115, 255},   // bluish green
	color.NRGBA{204, 121, 167, 255}, // reddish purple
	color.NRGBA{230, 159, 0, 255},   // orange
	color.NRGBA{86, 180, 233, 255},  // sky blue
	color.NRGBA{0, 0, 0, 255},       // black
	color.NRGBA{240, 228, 66, 255},  // yellow
}

// Grey is for context: data that is shown but not the subject.
var Grey color.Color = color.NRGBA{190, 190, 190, 255}

// viridisAnchors are samples of matplotlib's viridis map at 0, 1/8, ..., 1.
var viridisAnchors = [][3]float64{
	{68, 1, 84}, {71, 44, 122}, {59, 81, 139}, {44, 113, 142}, {33, 144, 141},
	{39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37},
}

// Sequential returns the colour at t ∈ [0, 1] of a viridis-like map, for
// families of curves ordered by a parameter (e.g. the fraction kept).
func Sequential(t float64) color.Color {
	t = math.Max(0, math.Min(1, t))
	x := t * float64(len(viridisAnchors)-1)
	i := int(math.Floor(x))
	if i >= len(viridisAnchors)-1 {
		i = len(viridisAnchors) - 2
	}
	u := x - float64(i)
	var c [3]uint8
	for k := 0; k < 3; k++ {
		c[k] = uint8(math.Round(viridisAnchors[i][k]*(1-u) + viridisAnchors[i+1][k]*u))
	}
	return color.NRGBA{c[0], c[1], c[2], 255}
}

// Family returns n colours spread over the sequential map (dark to light,
// stopping short of the pale yellow end so lines stay visible).
func Family(n int) []color.Color {
	out := make([]color.Color, n)
	for i := range out {
		t := 0.0
		if n > 1 {
			t = 0.85 * float64(i) / float64(n-1)
		}
		out[i] = Sequential(t)
	}
	return out
}

// diverging maps t ∈ [-1, 1] to blue (-1), white (0) and red (+1).
func diverging(t float64) color.Color {
	t = math.Max(-1, math.Min(1, t))
	blue := [3]float64{33, 102, 172}
	red := [3]float64{178, 24, 43}
	end := red
	if t < 0 {
		end, t = blue, -t
	}
	mix := func(k int) uint8 { return uint8(math.Round(255*(1-t) + end[k]*t)) }
	return color.NRGBA{mix(0), mix(1), mix(2), 255}
}
