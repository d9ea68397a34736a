package plots

import (
	"image"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// Picture is an image shown on a grid of cells, e.g. a montage of examples
// with one row per class. Cells[r][c] names what cell (r, c) shows (an
// example ID); it is what the CSV records.
type Picture struct {
	Img       image.Image
	RowLabels []string   // one per row, top to bottom
	Cells     [][]string // Cells[r][c], top to bottom
}

// addPicture draws the picture over [0, cols] × [0, rows], with the row
// labels as y ticks and no x axis.
func addPicture(p *plot.Plot, pic *Picture) {
	rows := len(pic.Cells)
	cols := 0
	if rows > 0 {
		cols = len(pic.Cells[0])
	}
	p.Add(plotter.NewImage(pic.Img, 0, 0, float64(cols), float64(rows)))
	p.X.Min, p.X.Max = 0, float64(cols)
	p.Y.Min, p.Y.Max = 0, float64(rows)
	var ticks []plot.Tick
	for r, l := range pic.RowLabels {
		ticks = append(ticks, plot.Tick{Value: float64(rows-r) - 0.5, Label: l})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Marker = plot.ConstantTicks(nil)
	p.X.LineStyle.Width = 0
	p.Y.LineStyle.Width = 0
}
