package plots

import (
	"image/color"

	"gonum.org/v1/plot/plotter"
)

// newBand draws the region between s.Lo and s.Hi as a translucent polygon.
func newBand(s Series, keep []int, logY bool, c color.Color) (*plotter.Polygon, error) {
	var pts plotter.XYs
	for _, i := range keep {
		lo := s.Lo[i]
		if logY && lo <= 0 {
			lo = s.Y[i] * 1e-3
		}
		pts = append(pts, plotter.XY{X: s.X[i], Y: lo})
	}
	for k := len(keep) - 1; k >= 0; k-- {
		i := keep[k]
		pts = append(pts, plotter.XY{X: s.X[i], Y: s.Hi[i]})
	}
	poly, err := plotter.NewPolygon(pts)
	if err != nil {
		return nil, err
	}
	r, g, b, _ := c.RGBA()
	poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 50}
	poly.LineStyle.Width = 0
	return poly, nil
}
