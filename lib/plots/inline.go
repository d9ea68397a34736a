package plots

import (
	"fmt"
	"os"

	"github.com/janpfeifer/gonb/gonbui"
)

// Show displays the figure inline when running in a GoNB notebook, and
// otherwise prints where it would have been shown. Errors are printed, not
// returned, so a notebook cell stays one line.
func Show(f *Figure) {
	svg, err := SVG(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plots.Show:", err)
		return
	}
	if gonbui.IsNotebook {
		gonbui.DisplayHTML(string(svg))
		return
	}
	fmt.Printf("[figure %q: %d bytes of SVG; shown inline in a notebook]\n", f.Title, len(svg))
}

// SaveAndShow saves the figure (Save) and shows it (Show), printing the paths.
func SaveAndShow(f *Figure, dir, name string) error {
	paths, err := Save(f, dir, name)
	if err != nil {
		return err
	}
	Show(f)
	fmt.Println("saved:", paths)
	return nil
}
