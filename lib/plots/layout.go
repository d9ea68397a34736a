package plots

import (
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// drawn is one series as the plot draws it, in the plot's data coordinates
// (log10 coordinates on the log axes of a heat map).
type drawn struct {
	label      string
	xys        []vg.Point // data coordinates, stored as points for brevity
	line       bool       // drawn as a connected line
	markers    bool       // drawn with markers
	errLo      []float64  // error bar extents below and above each point (NaN: no bar)
	errHi      []float64
	parametric bool
}

// layout is where the parts of a figure go on its canvas, measured with the
// figure's own fonts. Rendering and Check both use it, so what is checked
// is what is drawn.
type layout struct {
	width, height vg.Length
	// inner is the area given to gonum's Plot.Draw: the canvas less the
	// margins of our axis labels and of a legend placed outside.
	inner vg.Rectangle
	// data is the plotting area inside the axes.
	data draw.Canvas
	// legend is the legend's box; empty when the figure has no legend.
	legend  vg.Rectangle
	outside bool // the legend sits right of the plot, outside the axes
	// xLabelH and yLabelH are the margins kept for the axis labels.
	xLabelH, yLabelH vg.Length
}

const (
	labelGap     = 2 // between an axis label and the canvas edge
	legendInset  = 3 // between an inside legend and the axes
	legendMargin = 6 // between the plot and an outside legend
	dataMargin   = 1 // clearance kept between a legend and the data
)

// legendSize is the width and height of the legend's entries, as
// plot.Legend draws them.
func legendSize(l *plot.Legend, labels []string) (w, h vg.Length) {
	sty := l.TextStyle
	var enth vg.Length
	for _, s := range labels {
		enth = max(enth, sty.Rectangle(s).Max.Y)
	}
	for i, s := range labels {
		w = max(w, l.ThumbnailWidth+sty.Rectangle(" "+s).Max.X)
		h += enth
		if i > 0 {
			h += l.Padding
		}
	}
	return w, h
}

// wrapTitle breaks a title wider than width at spaces, so that a long title
// takes two lines instead of being clipped at both edges.
func wrapTitle(sty text.Style, title string, width vg.Length) string {
	var lines []string
	for _, line := range strings.Split(title, "\n") {
		for sty.Width(line) > width {
			words := strings.Fields(line)
			cut := len(words) - 1
			for cut > 1 && sty.Width(strings.Join(words[:cut], " ")) > width {
				cut--
			}
			if cut < 1 {
				break
			}
			// Prefer to break before a parenthesis, keeping "(n = 2000, f = 0.7)" whole.
			for c := cut; c > 1; c-- {
				if strings.HasPrefix(words[c], "(") {
					cut = c
					break
				}
			}
			lines = append(lines, strings.Join(words[:cut], " "))
			line = strings.Join(words[cut:], " ")
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// computeLayout places the axis labels and the legend. The legend goes in
// the preferred corner of the plotting area if it covers no data there,
// else in the first other corner where it covers none, else outside the
// axes on the right, the canvas growing by the legend's width.
func computeLayout(f *Figure, p *plot.Plot, series []drawn) layout {
	st := f.style()
	l := layout{width: st.Width, height: st.Height}
	var labels []string
	for _, s := range series {
		if s.label != "" {
			labels = append(labels, s.label)
		}
	}
	if p.X.Label.Text != "" {
		l.xLabelH = p.X.Label.TextStyle.Height(p.X.Label.Text) + labelGap
	}
	if p.Y.Label.Text != "" {
		l.yLabelH = p.Y.Label.TextStyle.Height(p.Y.Label.Text) + labelGap
	}
	if p.Title.Text != "" { // gonum centres the title over the area right of the y label
		p.Title.Text = wrapTitle(p.Title.TextStyle, p.Title.Text, st.Width-l.yLabelH-2)
	}
	place := func(extraRight vg.Length) {
		c := draw.Canvas{Canvas: new(recorder.Canvas), Rectangle: vg.Rectangle{Max: vg.Point{X: l.width, Y: l.height}}}
		in := draw.Crop(c, l.yLabelH, -extraRight, l.xLabelH, 0)
		l.inner = in.Rectangle
		// drawLaidOut draws the axis labels itself and hides them from
		// gonum, whose axes then take less room: measure the same way.
		xl, yl := p.X.Label.Text, p.Y.Label.Text
		p.X.Label.Text, p.Y.Label.Text = "", ""
		l.data = p.DataCanvas(in)
		p.X.Label.Text, p.Y.Label.Text = xl, yl
	}
	place(0)
	if len(labels) == 0 {
		return l
	}
	lw, lh := legendSize(&p.Legend, labels)
	corners := []LegendPosition{f.Legend}
	for _, c := range []LegendPosition{TopRight, TopLeft, BottomLeft, BottomRight} {
		if c != f.Legend {
			corners = append(corners, c)
		}
	}
	for _, c := range corners {
		r := cornerRect(l.data.Rectangle, c, lw, lh)
		if r.Min.X >= l.data.Min.X && r.Max.X <= l.data.Max.X && r.Min.Y >= l.data.Min.Y && r.Max.Y <= l.data.Max.Y &&
			!coversData(grow(r, dataMargin), p, l.data, series) {
			l.legend = r
			return l
		}
	}
	l.outside = true
	l.width += lw + legendMargin
	place(lw + legendMargin)
	top := min(l.data.Max.Y, l.height)
	l.legend = vg.Rectangle{Min: vg.Point{X: l.width - lw, Y: top - lh}, Max: vg.Point{X: l.width, Y: top}}
	return l
}

func cornerRect(area vg.Rectangle, c LegendPosition, w, h vg.Length) vg.Rectangle {
	var r vg.Rectangle
	if c == TopLeft || c == BottomLeft {
		r.Min.X = area.Min.X + legendInset
	} else {
		r.Min.X = area.Max.X - legendInset - w
	}
	if c == TopLeft || c == TopRight {
		r.Min.Y = area.Max.Y - legendInset - h
	} else {
		r.Min.Y = area.Min.Y + legendInset
	}
	r.Max = vg.Point{X: r.Min.X + w, Y: r.Min.Y + h}
	return r
}

func grow(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

// coversData reports whether the rectangle r (canvas coordinates) overlaps
// any drawn line segment, marker or error bar.
func coversData(r vg.Rectangle, p *plot.Plot, data draw.Canvas, series []drawn) bool {
	tx, ty := p.Transforms(&data)
	radius := Paper.MarkerRadius
	for _, s := range series {
		var prev vg.Point
		for i, d := range s.xys {
			pt := vg.Point{X: tx(float64(d.X)), Y: ty(float64(d.Y))}
			if s.line && i > 0 && segmentHits(r, prev, pt) {
				return true
			}
			if (s.markers || (!s.line && len(s.xys) == 1)) && overlaps(r, grow(vg.Rectangle{Min: pt, Max: pt}, radius)) {
				return true
			}
			if s.errLo != nil && !math.IsNaN(s.errLo[i]) {
				lo := vg.Point{X: pt.X, Y: ty(float64(d.Y) - s.errLo[i])}
				hi := vg.Point{X: pt.X, Y: ty(float64(d.Y) + s.errHi[i])}
				if segmentHits(r, lo, hi) {
					return true
				}
			}
			prev = pt
		}
	}
	return false
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X <= b.Max.X && b.Min.X <= a.Max.X && a.Min.Y <= b.Max.Y && b.Min.Y <= a.Max.Y
}

// segmentHits reports whether the segment ab meets the rectangle r
// (Liang-Barsky clipping).
func segmentHits(r vg.Rectangle, a, b vg.Point) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	clip := func(p, q float64) bool {
		if p == 0 {
			return q >= 0
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return false
			}
			t0 = math.Max(t0, t)
		} else {
			if t < t0 {
				return false
			}
			t1 = math.Min(t1, t)
		}
		return true
	}
	return clip(-dx, float64(a.X-r.Min.X)) && clip(dx, float64(r.Max.X-a.X)) &&
		clip(-dy, float64(a.Y-r.Min.Y)) && clip(dy, float64(r.Max.Y-a.Y)) && t0 <= t1
}
