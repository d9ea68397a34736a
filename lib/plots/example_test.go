package plots_test

import (
	"fmt"
	"os"

	"beyondscaling/lib/plots"
)

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
	fmt.Println(len(paths), err)
	// Output: 4 <nil>
}
