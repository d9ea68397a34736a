package plots

// Montages of datasets: examples per class.

import (
	"fmt"
	"image"
	"image/draw"
	"math/rand/v2"

	"beyondscaling/lib/data"
)

// Montage draws perClass random examples of every class (one row per class,
// at most maxClasses rows) with a 1-pixel white gutter. The CSV records the
// example ID in each cell.
func Montage(ds *data.Dataset, perClass, maxClasses int, seed uint64) *Figure {
	classes := min(len(ds.Classes), maxClasses)
	byClass := make([][]int, len(ds.Classes))
	for i, l := range ds.Labels {
		byClass[l] = append(byClass[l], i)
	}
	rng := rand.New(rand.NewPCG(seed, 0x4d4f))
	cell := ds.W + 1
	img := image.NewRGBA(image.Rect(0, 0, perClass*cell, classes*(ds.H+1)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	pic := &Picture{Img: img}
	for c := 0; c < classes; c++ {
		pic.RowLabels = append(pic.RowLabels, ds.Classes[c])
		row := make([]string, perClass)
		idx := byClass[c]
		for k := 0; k < perClass && len(idx) > 0; k++ {
			i := idx[rng.IntN(len(idx))]
			row[k] = ds.IDs[i]
			at := image.Pt(k*cell, c*(ds.H+1))
			draw.Draw(img, image.Rectangle{at, at.Add(image.Pt(ds.W, ds.H))}, ds.ToImage(i), image.Point{}, draw.Src)
		}
		pic.Cells = append(pic.Cells, row)
	}
	fig := &Figure{Title: fmt.Sprintf("%s/%s: %d random examples per class", ds.Name, ds.Split, perClass), Picture: pic, Style: &Style{}}
	*fig.Style = Paper
	fig.Style.Width, fig.Style.Height = Size(4.5, 0.35*float64(classes)+0.6)
	fig.Style.TickSize = 7
	return fig
}
