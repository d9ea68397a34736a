package plots_test

import (
	"fmt"
	"os"
	"path/filepath"

	"beyondscaling/lib/plots"
)

// Save checks the figure (lines left to right, text inside the canvas,
// no legend over data), then writes it as PDF, SVG and PNG, and beside them
// a CSV of exactly the plotted numbers, each file atomically.
func ExampleSave() {
	dir, _ := os.MkdirTemp("", "plots")
	defer os.RemoveAll(dir)
	fig := &plots.Figure{
		Title:  "1/α power law",
		XLabel: "α (examples per dimension)", YLabel: "test error ε",
		LogX: true, LogY: true,
		Series: []plots.Series{{Label: "0.5/α", X: []float64{1, 10, 100}, Y: []float64{0.5, 0.05, 0.005}}},
	}
	paths, err := plots.Save(fig, dir, "powerlaw")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range paths {
		fmt.Println(filepath.Base(p))
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "powerlaw.csv"))
	fmt.Print(string(csv))
	// Output:
	// powerlaw.pdf
	// powerlaw.svg
	// powerlaw.png
	// powerlaw.csv
	// series,α (examples per dimension),test error ε,y_err,y_lo,y_hi
	// 0.5/α,1,0.5,,,
	// 0.5/α,10,0.05,,,
	// 0.5/α,100,0.005,,,
}
