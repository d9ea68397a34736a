package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Style fixes the look of every figure of the project.
type Style struct {
	Width, Height vg.Length
	Font          font.Font
	TitleSize     vg.Length
	LabelSize     vg.Length
	TickSize      vg.Length
	LegendSize    vg.Length
	LineWidth     vg.Length
	MarkerRadius  vg.Length
	PNGDPI        int
}

// Paper is the house style: a single-column figure (3.5 × 2.6 in) with
// Liberation Serif at 7-10 pt, close to a NeurIPS single column. Keep axis
// labels short (x under about 35 characters, y under about 25): gonum/plot
// shrinks the whole plot when a label is longer than its axis.
var Paper = Style{
	Width: 3.5 * vg.Inch, Height: 2.6 * vg.Inch,
	Font:      font.Font{Typeface: "Liberation", Variant: "Serif"},
	TitleSize: 10, LabelSize: 9, TickSize: 8, LegendSize: 7,
	LineWidth: 1.2, MarkerRadius: 2.2, PNGDPI: 200,
}

// Kind says how a series is drawn.
type Kind int

const (
	Line       Kind = iota // a line
	Points                 // markers only
	LinePoints             // both
)

// Series is one curve of a figure.
type Series struct {
	Label string
	X, Y  []float64
	// YErr, when set, draws symmetric error bars of these half-widths; a
	// NaN (a missing interval, e.g. from a single seed) draws no bar, and
	// Caption says so.
	YErr []float64
	// Lo and Hi, when set, draw a shaded band (e.g. a confidence interval).
	Lo, Hi []float64
	Kind   Kind
	// Color; nil means the next colour of the figure's palette.
	Color  color.Color
	Dashed bool
	// Parametric marks a line drawn in the order given (a trajectory or a
	// frontier), exempt from Check's rule that x increases along a line.
	Parametric bool
}

// Heat is a heat map on a regular grid of cell centres: Z[i][j] at (X[j], Y[i]).
type Heat struct {
	X, Y     []float64
	Z        [][]float64
	Min, Max float64 // colour range; both zero means the data's range
	// Diverging uses a blue-white-red map centred on zero (for differences).
	Diverging bool
	Label     string // what Z is, with units (goes into the CSV header and title)
}

// LegendPosition is a corner of the plotting area.
type LegendPosition int

const (
	TopRight LegendPosition = iota
	TopLeft
	BottomLeft
	BottomRight
)

// Figure is what one figure file shows.
type Figure struct {
	Title          string
	XLabel, YLabel string // with units, e.g. "α_tot = P/N (examples per dimension)"
	LogX, LogY     bool
	Series         []Series
	Heat           *Heat
	Picture        *Picture
	// Colors is the palette for series without their own colour
	// (default: Categorical).
	Colors []color.Color
	// Legend is the preferred corner of the plotting area for the legend
	// (default top right). Where the legend would cover data there, it goes
	// in another corner that is empty, or else outside the axes on the right.
	Legend LegendPosition
	Style  *Style
	// Note is said under the figure (Caption): what a reader needs to know
	// that the axes cannot show, e.g. how many scores were imputed.
	Note string
}

// WithNote sets the figure's Note and returns the figure, so a notebook
// cell can add one in the call that shows it.
func (f *Figure) WithNote(note string) *Figure {
	f.Note = note
	return f
}

func (f *Figure) style() Style {
	if f.Style != nil {
		return *f.Style
	}
	return Paper
}

// Validate reports a figure that cannot be drawn faithfully.
func (f *Figure) Validate() error {
	for _, s := range f.Series {
		if len(s.X) != len(s.Y) {
			return fmt.Errorf("series %q: %d x values but %d y values", s.Label, len(s.X), len(s.Y))
		}
		if (s.YErr != nil && len(s.YErr) != len(s.Y)) || (s.Lo != nil && len(s.Lo) != len(s.Y)) || (s.Hi != nil && len(s.Hi) != len(s.Y)) {
			return fmt.Errorf("series %q: error or band length differs from the data", s.Label)
		}
	}
	if h := f.Heat; h != nil {
		if len(h.Z) != len(h.Y) {
			return fmt.Errorf("heat map: %d rows but %d y values", len(h.Z), len(h.Y))
		}
		for _, row := range h.Z {
			if len(row) != len(h.X) {
				return fmt.Errorf("heat map: a row has %d values but there are %d x values", len(row), len(h.X))
			}
		}
	}
	return nil
}

// Plot builds the gonum plot. Its legend is placed by Save and Show (see
// Figure.Legend), not by gonum.
func (f *Figure) Plot() (*plot.Plot, error) {
	p, _, err := f.build()
	return p, err
}

// build makes the gonum plot and records each series as drawn.
func (f *Figure) build() (*plot.Plot, []drawn, error) {
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	var series []drawn
	st := f.style()
	p := plot.New()
	setFont := func(fnt *font.Font, size vg.Length) { *fnt = st.Font; fnt.Size = size }
	p.Title.Text = f.Title
	setFont(&p.Title.TextStyle.Font, st.TitleSize)
	p.X.Label.Text, p.Y.Label.Text = f.XLabel, f.YLabel
	setFont(&p.X.Label.TextStyle.Font, st.LabelSize)
	setFont(&p.Y.Label.TextStyle.Font, st.LabelSize)
	setFont(&p.X.Tick.Label.Font, st.TickSize)
	setFont(&p.Y.Tick.Label.Font, st.TickSize)
	setFont(&p.Legend.TextStyle.Font, st.LegendSize)
	p.Legend.Top, p.Legend.Left = true, true // drawn into the box that layout chooses
	p.Legend.ThumbnailWidth = 0.25 * vg.Inch
	p.Legend.Padding = 1

	if f.Picture != nil {
		addPicture(p, f.Picture)
	} else if h := f.Heat; h != nil {
		if err := addHeat(p, h, f.LogX, f.LogY); err != nil {
			return nil, nil, err
		}
	} else {
		if f.LogX {
			p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, inRange{plot.LogTicks{Prec: -1}}
		}
		if f.LogY {
			p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, inRange{plot.LogTicks{Prec: -1}}
		}
	}
	colors := f.Colors
	if len(colors) == 0 {
		colors = Categorical
	}
	next := 0
	for _, s := range f.Series {
		c := s.Color
		if c == nil {
			c = colors[next%len(colors)]
			next++
		}
		xys := make(plotter.XYs, 0, len(s.X))
		keep := make([]int, 0, len(s.X))
		for i := range s.X {
			// log axes cannot show non-positive values: leave them out
			if !finite(s.X[i]) || !finite(s.Y[i]) || (f.LogX && s.X[i] <= 0) || (f.LogY && s.Y[i] <= 0) {
				continue
			}
			x, y := s.X[i], s.Y[i]
			if f.Heat != nil { // heat-map axes are in log10 coordinates
				if f.LogX {
					x = math.Log10(x)
				}
				if f.LogY {
					y = math.Log10(y)
				}
			}
			xys = append(xys, plotter.XY{X: x, Y: y})
			keep = append(keep, i)
		}
		if len(xys) == 0 {
			continue
		}
		d := drawn{label: s.Label, line: s.Kind == Line || s.Kind == LinePoints, markers: s.Kind == Points || s.Kind == LinePoints, parametric: s.Parametric}
		for _, xy := range xys {
			d.xys = append(d.xys, vg.Point{X: vg.Length(xy.X), Y: vg.Length(xy.Y)})
		}
		if s.Lo != nil {
			band, err := newBand(s, keep, f.LogY, c)
			if err != nil {
				return nil, nil, err
			}
			p.Add(band)
		}
		var thumbs []plot.Thumbnailer
		if s.Kind == Line || s.Kind == LinePoints {
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, nil, err
			}
			l.Color, l.Width = c, st.LineWidth
			if s.Dashed {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}
			p.Add(l)
			thumbs = append(thumbs, l)
		}
		if s.Kind == Points || s.Kind == LinePoints {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, nil, err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: st.MarkerRadius, Shape: draw.CircleGlyph{}}
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		if s.YErr != nil {
			var errs plotter.YErrors
			var pts plotter.XYs
			d.errLo, d.errHi = make([]float64, len(keep)), make([]float64, len(keep))
			for j, i := range keep {
				if !finite(s.YErr[i]) { // a missing interval: no bar, said in the caption
					d.errLo[j], d.errHi[j] = math.NaN(), math.NaN()
					continue
				}
				lo := s.YErr[i]
				if f.LogY && s.Y[i]-lo <= 0 {
					lo = s.Y[i] * 0.999 // keep the bar on the log axis
				}
				errs = append(errs, struct{ Low, High float64 }{lo, s.YErr[i]})
				pts = append(pts, xys[j])
				d.errLo[j], d.errHi[j] = lo, s.YErr[i]
			}
			if len(pts) > 0 {
				eb, err := plotter.NewYErrorBars(struct {
					plotter.XYs
					plotter.YErrors
				}{pts, errs})
				if err != nil {
					return nil, nil, err
				}
				eb.LineStyle.Color, eb.LineStyle.Width = c, st.LineWidth*0.7
				eb.CapWidth = 2 * st.MarkerRadius
				p.Add(eb)
			}
		}
		series = append(series, d)
		if s.Label != "" && len(thumbs) > 0 {
			p.Legend.Add(s.Label, thumbs...)
		}
	}
	if f.Heat == nil {
		padLogRange(&p.X, f.LogX)
		padLogRange(&p.Y, f.LogY)
	}
	return p, series, nil
}

// padLogRange widens a log axis by 3% of its span in decades on each side,
// so that markers never sit on the edge (gonum/plot otherwise shrinks the
// whole plot to make room for an edge glyph on a log axis).
func padLogRange(ax *plot.Axis, logScale bool) {
	if !logScale || !(ax.Min > 0) || !(ax.Max > ax.Min) {
		return
	}
	span := math.Log10(ax.Max / ax.Min)
	if span == 0 {
		span = 1
	}
	ax.Min /= math.Pow(10, 0.03*span)
	ax.Max *= math.Pow(10, 0.03*span)
}

// inRange drops the ticks a marker places outside the axis range: gonum's
// LogTicks labels the decades around the range too, and the plot then
// shrinks to make room for labels that are never drawn.
type inRange struct{ plot.Ticker }

func (r inRange) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	labelled := 0
	for _, t := range r.Ticker.Ticks(min, max) {
		if t.Value >= min && t.Value <= max {
			out = append(out, t)
			if t.Label != "" {
				labelled++
			}
		}
	}
	// A range within a decade has at most one labelled (decade) tick, and
	// gonum gives no minor ones there: tick and label m·10^k instead, or
	// linear ticks if even those are too sparse.
	if labelled < 2 {
		out = out[:0]
		for k := math.Floor(math.Log10(min)); k <= math.Ceil(math.Log10(max)); k++ {
			for m := 1.0; m < 10; m++ {
				if v := m * math.Pow(10, k); v >= min && v <= max {
					t := plot.Tick{Value: v}
					if sparseMantissa(v) || max/min < 2 {
						t.Label = tickLabel(v)
					}
					out = append(out, t)
				}
			}
		}
		named := 0
		for _, t := range out {
			if t.Label != "" {
				named++
			}
		}
		if named < 2 {
			out = plot.DefaultTicks{}.Ticks(min, max)
		}
	}
	return out
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
