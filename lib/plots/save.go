package plots

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"beyondscaling/lib/atomicfile"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Formats are the files Save writes for every figure, besides the CSV.
var Formats = []string{"pdf", "svg", "png"}

// Save checks the figure (Check), then writes dir/name.{pdf,svg,png,csv},
// each atomically, and returns the paths. The CSV holds exactly the plotted
// numbers (see WriteCSV).
func Save(f *Figure, dir, name string) ([]string, error) {
	if err := Check(f); err != nil {
		return nil, fmt.Errorf("figure %s: %w", name, err)
	}
	var paths []string
	for _, format := range Formats {
		path := filepath.Join(dir, name+"."+format)
		err := atomicfile.Write(path, func(w io.Writer) error { return render(f, format, w) })
		if err != nil {
			return paths, fmt.Errorf("figure %s: %w", name, err)
		}
		paths = append(paths, path)
	}
	csvPath := filepath.Join(dir, name+".csv")
	if err := atomicfile.Write(csvPath, func(w io.Writer) error { return WriteCSV(f, w) }); err != nil {
		return paths, err
	}
	return append(paths, csvPath), nil
}

// SVG renders the figure as SVG bytes.
func SVG(f *Figure) ([]byte, error) {
	var b bytes.Buffer
	err := render(f, "svg", &b)
	return b.Bytes(), err
}

// PNG renders the figure as PNG bytes at the style's resolution.
func PNG(f *Figure) ([]byte, error) {
	var b bytes.Buffer
	err := render(f, "png", &b)
	return b.Bytes(), err
}

// render draws the figure in a format (pdf, svg, png) at the size its
// layout gives (the style's size, wider when the legend sits outside).
func render(f *Figure, format string, w io.Writer) error {
	p, series, err := f.build()
	if err != nil {
		return err
	}
	st := f.style()
	l := computeLayout(f, p, series)
	if format == "png" {
		c := vgimg.NewWith(vgimg.UseWH(l.width, l.height), vgimg.UseDPI(st.PNGDPI))
		drawLaidOut(p, l, draw.New(c))
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return err
	}
	// SVG files name their font (Liberation Serif) without embedding it:
	// embedding adds 0.5 MB to each file of the gallery. Notebooks show PNGs.
	c, err := draw.NewFormattedCanvas(l.width, l.height, format)
	if err != nil {
		return err
	}
	drawLaidOut(p, l, draw.New(c))
	if format != "pdf" {
		_, err = c.WriteTo(w)
		return err
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return err
	}
	_, err = w.Write(reproduciblePDF(b.Bytes()))
	return err
}

var pdfDate = regexp.MustCompile(`/(CreationDate|ModDate) \(D:\d{14}\)`)

// reproduciblePDF replaces the PDF's creation and modification dates (the
// time of writing) by $SOURCE_DATE_EPOCH, or 2000-01-01 when it is unset, so
// that re-running a notebook leaves unchanged figures byte-identical. The
// replacement has the same length, so the cross-reference offsets stay valid.
func reproduciblePDF(b []byte) []byte {
	t := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if v, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		t = time.Unix(v, 0).UTC()
	}
	stamp := t.Format("20060102150405")
	return pdfDate.ReplaceAllFunc(b, func(m []byte) []byte {
		key := m[1:bytes.IndexByte(m, ' ')]
		return []byte("/" + string(key) + " (D:" + stamp + ")")
	})
}

// drawLaidOut draws the plot with its axis labels and legend where the
// layout puts them. The axis labels are placed by us, centred on the axes,
// in margins reserved for them: gonum/plot pads the plot for an axis label
// as if the label sat over the arithmetic midpoint of the axis range, which
// on a log axis is near its far end, and the plot then shrinks to make room
// for a label box that is never drawn there.
func drawLaidOut(p *plot.Plot, l layout, c draw.Canvas) {
	xl, yl := p.X.Label.Text, p.Y.Label.Text
	xs, ys := p.X.Label.TextStyle, p.Y.Label.TextStyle
	legend := p.Legend
	p.X.Label.Text, p.Y.Label.Text = "", ""
	p.Legend = plot.NewLegend() // drawn below, in the layout's box
	defer func() { p.X.Label.Text, p.Y.Label.Text, p.Legend = xl, yl, legend }()
	inner := draw.Canvas{Canvas: c.Canvas, Rectangle: l.inner}
	p.Draw(inner)
	if xl != "" {
		xs.XAlign, xs.YAlign = draw.XCenter, draw.YBottom
		c.FillText(xs, vg.Point{X: (l.data.Min.X + l.data.Max.X) / 2, Y: c.Min.Y + labelGap/2}, xl)
	}
	if yl != "" {
		ys.Rotation = math.Pi / 2
		ys.XAlign, ys.YAlign = draw.XCenter, draw.YTop
		c.FillText(ys, vg.Point{X: c.Min.X + labelGap/2, Y: (l.data.Min.Y + l.data.Max.Y) / 2}, yl)
	}
	if l.legend != (vg.Rectangle{}) {
		legend.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: l.legend})
	}
}

// WriteCSV writes the plotted numbers in long form. Series rows are
// "series,x,y,y_err,y_lo,y_hi" (empty where absent); heat-map rows are
// "heat,x,y,z" under their own header. Values use full float64 precision.
func WriteCSV(f *Figure, w io.Writer) error {
	cw := csv.NewWriter(w)
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	opt := func(xs []float64, i int) string {
		if xs == nil {
			return ""
		}
		return num(xs[i])
	}
	if len(f.Series) > 0 {
		cw.Write([]string{"series", csvName(f.XLabel, "x"), csvName(f.YLabel, "y"), "y_err", "y_lo", "y_hi"})
		for _, s := range f.Series {
			for i := range s.X {
				cw.Write([]string{s.Label, num(s.X[i]), num(s.Y[i]), opt(s.YErr, i), opt(s.Lo, i), opt(s.Hi, i)})
			}
		}
	}
	if h := f.Heat; h != nil {
		cw.Write([]string{"heat", csvName(f.XLabel, "x"), csvName(f.YLabel, "y"), csvName(h.Label, "z")})
		for r, y := range h.Y {
			for c, x := range h.X {
				cw.Write([]string{"heat", num(x), num(y), num(h.Z[r][c])})
			}
		}
	}
	if pic := f.Picture; pic != nil {
		cw.Write([]string{"row", "column", "cell"})
		for r, row := range pic.Cells {
			label := ""
			if r < len(pic.RowLabels) {
				label = pic.RowLabels[r]
			}
			for c, cell := range row {
				cw.Write([]string{label, strconv.Itoa(c), cell})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvName(label, fallback string) string {
	if label == "" {
		return fallback
	}
	return label
}

// Size is a convenience for custom styles.
func Size(wInch, hInch float64) (vg.Length, vg.Length) {
	return vg.Length(wInch) * vg.Inch, vg.Length(hInch) * vg.Inch
}
