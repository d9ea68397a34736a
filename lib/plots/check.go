package plots

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"
)

// Check reports what would make the figure misleading or unreadable, as
// drawn by Save and Show:
//   - the x values of a line series that do not increase (a line drawn
//     through unsorted points zig-zags; Parametric series are exempt);
//   - a title, axis label or legend that, measured with the figure's own
//     font metrics, does not lie inside the canvas;
//   - a legend that covers data (a line, a marker or an error bar).
//
// Save runs it on every figure it writes.
func Check(f *Figure) error {
	p, series, err := f.build()
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range series {
		if !s.line || s.parametric {
			continue
		}
		for i := 1; i < len(s.xys); i++ {
			if !(s.xys[i].X > s.xys[i-1].X) {
				errs = append(errs, fmt.Errorf("line %q: x values do not increase (%s): sort the points by x",
					s.label, formatXs(s.xys)))
				break
			}
		}
	}
	l := computeLayout(f, p, series)
	canvas := vg.Rectangle{Max: vg.Point{X: l.width, Y: l.height}}
	inside := func(what string, r vg.Rectangle) {
		const slack = 0.5 // rounding in the font metrics
		if r.Min.X < canvas.Min.X-slack || r.Max.X > canvas.Max.X+slack || r.Min.Y < canvas.Min.Y-slack || r.Max.Y > canvas.Max.Y+slack {
			errs = append(errs, fmt.Errorf("%s (%.0f×%.0f pt) does not fit in the %.0f×%.0f pt canvas: shorten it",
				what, r.Max.X-r.Min.X, r.Max.Y-r.Min.Y, l.width, l.height))
		}
	}
	if t := p.Title.Text; t != "" {
		sty := p.Title.TextStyle
		w, h := sty.Width(t), sty.Height(t)
		cx := (l.inner.Min.X + l.inner.Max.X) / 2
		inside(fmt.Sprintf("title %q", t), vg.Rectangle{Min: vg.Point{X: cx - w/2, Y: l.inner.Max.Y - h}, Max: vg.Point{X: cx + w/2, Y: l.inner.Max.Y}})
	}
	if t := p.X.Label.Text; t != "" {
		w := p.X.Label.TextStyle.Width(t)
		cx := (l.data.Min.X + l.data.Max.X) / 2
		inside(fmt.Sprintf("x label %q", t), vg.Rectangle{Min: vg.Point{X: cx - w/2}, Max: vg.Point{X: cx + w/2, Y: l.xLabelH}})
	}
	if t := p.Y.Label.Text; t != "" {
		w := p.Y.Label.TextStyle.Width(t) // the label is rotated: its width runs along y
		cy := (l.data.Min.Y + l.data.Max.Y) / 2
		inside(fmt.Sprintf("y label %q", t), vg.Rectangle{Min: vg.Point{Y: cy - w/2}, Max: vg.Point{X: l.yLabelH, Y: cy + w/2}})
	}
	if l.legend != (vg.Rectangle{}) {
		inside("the legend", l.legend)
		if coversData(l.legend, p, l.data, series) {
			errs = append(errs, errors.New("the legend covers data"))
		}
	}
	return errors.Join(errs...)
}

func formatXs(xys []vg.Point) string {
	var b strings.Builder
	for i, p := range xys {
		if i == 8 {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%g", float64(p.X))
	}
	return b.String()
}

// Caption is what the figure cannot show: its Note, then the points whose
// interval is missing (a NaN in YErr, drawn as no bar), by series. It is
// empty when there is no note and every interval is drawn.
func (f *Figure) Caption() string {
	missing := f.missingIntervals()
	switch {
	case f.Note == "":
		return missing
	case missing == "":
		return f.Note
	}
	note := f.Note
	if !strings.HasSuffix(note, ".") {
		note += "." // two sentences, not one run-on
	}
	return note + " " + missing
}

func (f *Figure) missingIntervals() string {
	var parts []string
	for _, s := range f.Series {
		if s.YErr == nil {
			continue
		}
		var xs []string
		for i, e := range s.YErr {
			if math.IsNaN(e) && finite(s.Y[i]) {
				xs = append(xs, fmt.Sprintf("%g", s.X[i]))
			}
		}
		if len(xs) > 0 {
			parts = append(parts, fmt.Sprintf("%q at x = %s", s.Label, strings.Join(xs, ", ")))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "No error bar (interval missing, e.g. a single seed): " + strings.Join(parts, "; ") + "."
}
