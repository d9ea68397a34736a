package plots

import (
	"encoding/base64"
	"fmt"
	"html"
	"os"

	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot/vg"
)

// InlineScale is how much larger than its print size (the style's inches
// at 96 CSS pixels per inch) a figure is shown in a notebook: a 3.5 in wide
// figure becomes 672 px wide, readable on a screen.
var InlineScale = 2.0

// Show displays the figure inline when running in a GoNB notebook, and
// otherwise prints where it would have been shown. The figure is sent as a
// PNG (its fonts rasterised, so a browser without Liberation Serif shows
// the same text), at InlineScale times its print size, with its caption
// (Figure.Caption) under it. Show waits until GoNB has taken the figure
// (gonbui.Sync), so a cell that ends right after it never loses it and
// figures appear in the order they were shown. A figure that fails Check
// is not shown. Errors are printed, not
// returned, so a notebook cell stays one line.
func Show(f *Figure) {
	if err := Check(f); err != nil {
		fmt.Fprintln(os.Stderr, "plots.Show:", err)
		return
	}
	png, err := PNG(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plots.Show:", err)
		return
	}
	caption := f.Caption()
	if !gonbui.IsNotebook {
		fmt.Printf("[figure %q: %d bytes of PNG; shown inline in a notebook]\n", f.Title, len(png))
		if caption != "" {
			fmt.Println(caption)
		}
		return
	}
	gonbui.DisplayHTML(inlineHTML(f, png, caption))
	gonbui.Sync()
}

// inlineHTML is the <img> (and caption) that Show displays.
func inlineHTML(f *Figure, png []byte, caption string) string {
	p, series, err := f.build()
	width := f.style().Width
	if err == nil {
		width = computeLayout(f, p, series).width
	}
	px := int(InlineScale * float64(width/vg.Inch) * 96)
	s := fmt.Sprintf(`<img src="data:image/png;base64,%s" width="%d" alt="%s" style="max-width:100%%">`,
		base64.StdEncoding.EncodeToString(png), px, html.EscapeString(f.Title))
	if caption != "" {
		s += fmt.Sprintf(`<div style="max-width:%dpx;font-size:90%%">%s</div>`, px, html.EscapeString(caption))
	}
	return "<div>" + s + "</div>"
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

// SaveAndShowSideBySide saves each figure under its name (Save) and shows
// them in one row, wrapping on a narrow window, for figures that are read
// against each other (a prediction beside its measurement). Outside a
// notebook it prints what Show prints for each.
func SaveAndShowSideBySide(dir string, figs []*Figure, names []string) error {
	if len(figs) != len(names) {
		return fmt.Errorf("plots.SaveAndShowSideBySide: %d figures, %d names", len(figs), len(names))
	}
	var saved []string
	for i, f := range figs {
		paths, err := Save(f, dir, names[i])
		if err != nil {
			return err
		}
		saved = append(saved, paths...)
	}
	if !gonbui.IsNotebook {
		for _, f := range figs {
			Show(f)
		}
	} else {
		row := `<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">`
		for _, f := range figs {
			png, err := PNG(f)
			if err != nil {
				return err
			}
			// Each figure shrinks to its share of the row (its <img> has
			// max-width 100%), so that a pair stays side by side in
			// Jupyter's page width.
			row += `<div style="flex:1 1 0;min-width:300px">` + inlineHTML(f, png, f.Caption()) + `</div>`
		}
		gonbui.DisplayHTML(row + "</div>")
		gonbui.Sync()
	}
	fmt.Println("saved:", saved)
	return nil
}
