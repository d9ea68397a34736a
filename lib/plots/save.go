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

// Save writes dir/name.{pdf,svg,png,csv}, each atomically, and returns the
// paths. The CSV holds exactly the plotted numbers (see WriteCSV).
func Save(f *Figure, dir, name string) ([]string, error) {
	p, err := f.Plot()
	if err != nil {
		return nil, fmt.Errorf("figure %s: %w", name, err)
	}
	var paths []string
	for _, format := range Formats {
		path := filepath.Join(dir, name+"."+format)
		err := atomicfile.Write(path, func(w io.Writer) error { return render(f, p, format, w) })
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	csvPath := filepath.Join(dir, name+".csv")
	if err := atomicfile.Write(csvPath, func(w io.Writer) error { return WriteCSV(f, w) }); err != nil {
		return paths, err
	}
	return append(paths, csvPath), nil
}

// SVG renders the figure as SVG bytes (for inline display).
func SVG(f *Figure) ([]byte, error) {
	p, err := f.Plot()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = render(f, p, "svg", &b)
	return b.Bytes(), err
}

// render draws the plot in a format (pdf, svg, png) at the figure's size.
func render(f *Figure, p *plot.Plot, format string, w io.Writer) error {
	st := f.style()
	if format == "png" {
		c := vgimg.NewWith(vgimg.UseWH(st.Width, st.Height), vgimg.UseDPI(st.PNGDPI))
		drawWithLabels(p, draw.New(c))
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return err
	}
	c, err := draw.NewFormattedCanvas(st.Width, st.Height, format)
	if err != nil {
		return err
	}
	drawWithLabels(p, draw.New(c))
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

// drawWithLabels draws the plot with its axis labels placed by us, centred
// on the canvas, in margins reserved for them. gonum/plot pads the plot for
// an axis label as if the label sat over the arithmetic midpoint of the
// axis range, which on a log axis is near its far end: the plot then shrinks
// to make room for a label box that is never drawn there.
func drawWithLabels(p *plot.Plot, c draw.Canvas) {
	xl, yl := p.X.Label.Text, p.Y.Label.Text
	xs, ys := p.X.Label.TextStyle, p.Y.Label.TextStyle
	p.X.Label.Text, p.Y.Label.Text = "", ""
	defer func() { p.X.Label.Text, p.Y.Label.Text = xl, yl }()
	const gap = 2
	var bottom, left vg.Length
	if xl != "" {
		bottom = xs.Height(xl) + gap
	}
	if yl != "" {
		left = ys.Height(yl) + gap
	}
	inner := draw.Crop(c, left, 0, bottom, 0)
	p.Draw(inner)
	if xl != "" {
		xs.XAlign, xs.YAlign = draw.XCenter, draw.YBottom
		c.FillText(xs, vg.Point{X: (inner.Min.X + inner.Max.X) / 2, Y: c.Min.Y + gap/2}, xl)
	}
	if yl != "" {
		ys.Rotation = math.Pi / 2
		ys.XAlign, ys.YAlign = draw.XCenter, draw.YTop
		c.FillText(ys, vg.Point{X: c.Min.X + gap/2, Y: (inner.Min.Y + inner.Max.Y) / 2}, yl)
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
