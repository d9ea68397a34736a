package plots

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// figureFromCSV rebuilds a figure from the CSV that Save wrote: one series
// per label, in file order, drawn as kind(label).
func figureFromCSV(t *testing.T, path, title string, kind func(label string) Kind) *Figure {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	rows, err := csv.NewReader(file).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := &Figure{Title: title, XLabel: rows[0][1], YLabel: rows[0][2]}
	index := map[string]int{}
	num := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return v
	}
	for _, r := range rows[1:] {
		i, ok := index[r[0]]
		if !ok {
			i = len(f.Series)
			index[r[0]] = i
			f.Series = append(f.Series, Series{Label: r[0], Kind: kind(r[0])})
		}
		s := &f.Series[i]
		s.X, s.Y = append(s.X, num(r[1])), append(s.Y, num(r[2]))
		if r[3] != "" {
			s.YErr = append(s.YErr, num(r[3]))
		}
	}
	return f
}

// The committed figures/06-prototypes-k (copied to testdata) drew k in the
// order 10, 20, 5, 50: Check rejects it, and the same data sorted by x passes.
func TestCheckRejectsUnsortedLine(t *testing.T) {
	kind := func(label string) Kind {
		if label == "self-supervised prototypes" {
			return LinePoints
		}
		return Line
	}
	title := "Self-supervised prototypes: sensitivity to k (n = 2000, f = 0.7, cpu)"
	f := figureFromCSV(t, "testdata/06-prototypes-k-committed.csv", title, kind)
	f.LogX = true
	err := Check(f)
	if err == nil || !strings.Contains(err.Error(), "x values do not increase (10, 20, 5, 50)") {
		t.Fatalf("Check on the committed 06-prototypes-k: %v, want the unsorted k reported", err)
	}
	if _, err := Save(f, t.TempDir(), "k"); err == nil {
		t.Error("Save wrote a figure that fails Check")
	}
	s := &f.Series[0]
	s.X[1], s.X[2] = s.X[2], s.X[1]
	s.Y[1], s.Y[2] = s.Y[2], s.Y[1]
	s.YErr[1], s.YErr[2] = s.YErr[2], s.YErr[1]
	s.X[0], s.X[1] = s.X[1], s.X[0]
	s.Y[0], s.Y[1] = s.Y[1], s.Y[0]
	s.YErr[0], s.YErr[1] = s.YErr[1], s.YErr[0]
	if err := Check(f); err != nil {
		t.Errorf("sorted: %v", err)
	}
	// A parametric curve (a frontier) is drawn in the order given.
	back := &Figure{Series: []Series{{X: []float64{1, 0.5, 0.2}, Y: []float64{0, 1, 2}, Parametric: true}}}
	if err := Check(back); err != nil {
		t.Errorf("parametric: %v", err)
	}
}

// The legend never covers data. In the committed figures/05-metric-benchmark
// every curve ends at (1, 35.2): a legend in the top right corner would sit
// on all eleven lines. The check sees that, and the layout puts the legend
// where it covers nothing (here the bottom right, which the lines leave
// free when measured with the figure's fonts).
func TestLegendCoversNoData(t *testing.T) {
	kind := func(string) Kind { return LinePoints }
	f := figureFromCSV(t, "testdata/05-metric-benchmark-committed.csv", "CIFAR-10 metric benchmark, keep hard (n = 2000, cpu)", kind)
	f.Legend = TopRight
	p, series, err := f.build()
	if err != nil {
		t.Fatal(err)
	}
	l := computeLayout(f, p, series)
	w, h := legendSize(&p.Legend, labelsOf(series))
	if topRight := cornerRect(l.data.Rectangle, TopRight, w, h); !coversData(topRight, p, l.data, series) {
		t.Error("a legend in the top right corner, where all eleven lines meet, was not found to cover data")
	}
	if l.legend == cornerRect(l.data.Rectangle, TopRight, w, h) || coversData(l.legend, p, l.data, series) {
		t.Errorf("the legend placed at %v covers data", l.legend)
	}
	if err := Check(f); err != nil {
		t.Error(err)
	}
	// With no free corner, the legend goes outside the axes, right of them.
	full := &Figure{Legend: TopRight}
	for i := range 12 {
		y := float64(i)
		full.Series = append(full.Series, Series{Label: fmt.Sprintf("line %d", i), X: []float64{0, 1, 2}, Y: []float64{y, 11 - y, y}, Kind: Line})
	}
	p, series, _ = full.build()
	if l := computeLayout(full, p, series); !l.outside || l.width <= Paper.Width || l.legend.Min.X < l.data.Max.X {
		t.Errorf("crossing lines fill every corner: legend at %v, canvas width %v; want it outside, right of the axes", l.legend, l.width)
	}
	if err := Check(full); err != nil {
		t.Error(err)
	}
	// A legend with room in its preferred corner stays there.
	g := testFigure()
	g.LogY = false
	g.Legend = TopRight
	p, series, _ = g.build()
	if l := computeLayout(g, p, series); l.outside || l.legend != cornerRect(l.data.Rectangle, TopRight, w0(p, series), h0(p, series)) {
		t.Errorf("legend moved from an empty top-right corner to %v", l.legend)
	}
}

func w0(p *plot.Plot, series []drawn) vg.Length {
	w, _ := legendSize(&p.Legend, labelsOf(series))
	return w
}
func h0(p *plot.Plot, series []drawn) vg.Length {
	_, h := legendSize(&p.Legend, labelsOf(series))
	return h
}

func labelsOf(series []drawn) []string {
	var out []string
	for _, s := range series {
		if s.label != "" {
			out = append(out, s.label)
		}
	}
	return out
}

func TestCheckTextInsideCanvas(t *testing.T) {
	long := &Figure{Title: "Self-supervised prototypes: sensitivity to the number of clusters k (n = 2000, f = 0.7, cpu profile)",
		Series: []Series{{X: []float64{1, 2}, Y: []float64{1, 2}}}}
	if err := Check(long); err != nil {
		t.Errorf("a long title is wrapped at spaces, yet: %v", err)
	}
	word := &Figure{Title: strings.Repeat("x", 120), Series: []Series{{X: []float64{1, 2}, Y: []float64{1, 2}}}}
	if err := Check(word); err == nil || !strings.Contains(err.Error(), "title") {
		t.Errorf("a title that cannot be wrapped into the canvas: %v", err)
	}
	ylabel := &Figure{YLabel: strings.Repeat("y label ", 12), Series: []Series{{X: []float64{1, 2}, Y: []float64{1, 2}}}}
	if err := Check(ylabel); err == nil || !strings.Contains(err.Error(), "y label") {
		t.Errorf("a y label longer than the canvas is tall: %v", err)
	}
}

// A missing interval (NaN) is drawn as no bar and named in the caption.
func TestMissingIntervalIsNoBar(t *testing.T) {
	f := &Figure{Series: []Series{{Label: "ssl", X: []float64{5, 10}, Y: []float64{30, 31}, YErr: []float64{math.NaN(), 1}, Kind: LinePoints}}}
	if _, err := Save(f, t.TempDir(), "nan"); err != nil {
		t.Fatal(err)
	}
	_, series, _ := f.build()
	if !math.IsNaN(series[0].errLo[0]) || series[0].errLo[1] != 1 {
		t.Errorf("error bars drawn %v, want none at x = 5", series[0].errLo)
	}
	if c := f.Caption(); !strings.Contains(c, `"ssl" at x = 5`) || strings.Contains(c, "10") {
		t.Errorf("caption %q", c)
	}
	if c := testFigure().Caption(); c != "" {
		t.Errorf("caption %q for a figure with every interval", c)
	}
}

func TestWrapTitleBreaksBeforeParenthesis(t *testing.T) {
	p, _, _ := (&Figure{}).build()
	sty := p.Title.TextStyle
	sty.Font = Paper.Font
	sty.Font.Size = Paper.TitleSize
	title := "Self-supervised prototypes: sensitivity to k (n = 2000, f = 0.7, cpu)"
	got := wrapTitle(sty, title, 240)
	if got != "Self-supervised prototypes: sensitivity to k\n(n = 2000, f = 0.7, cpu)" {
		t.Errorf("wrapped %q", got)
	}
	if short := "A short title"; wrapTitle(sty, short, 240) != short {
		t.Errorf("a title that fits was wrapped")
	}
}

// Show refuses a figure that fails Check, as Save does.
func TestShowChecks(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	Show(&Figure{Series: []Series{{Label: "zig-zag", X: []float64{10, 20, 5}, Y: []float64{1, 2, 3}, Kind: Line}}})
	os.Stderr = stderr
	w.Close()
	b := make([]byte, 4096)
	n, _ := r.Read(b)
	if !strings.Contains(string(b[:n]), "x values do not increase") {
		t.Errorf("Show printed %q, want the Check error", b[:n])
	}
}

// The layout that Check measures is where the data are drawn: the points of
// a drawn line, recorded from the canvas, sit where the layout's transforms
// put them. (The layout once measured the axes with their labels, which
// drawing hides from gonum, and so placed the data up to 12 pt off.)
func TestLayoutMatchesDrawing(t *testing.T) {
	f := &Figure{Title: "t", XLabel: "examples trained on, f·n (images)", YLabel: "test error (top-1, fraction)", LogX: true,
		Series: []Series{{Label: "line", X: []float64{1, 10, 100}, Y: []float64{0.5, 0.2, 0.1}, Kind: Line}}}
	p, series, err := f.build()
	if err != nil {
		t.Fatal(err)
	}
	l := computeLayout(f, p, series)
	rec := new(recorder.Canvas)
	drawLaidOut(p, l, draw.Canvas{Canvas: rec, Rectangle: vg.Rectangle{Max: vg.Point{X: l.width, Y: l.height}}})
	tx, ty := p.Transforms(&l.data)
	found := false
	for _, a := range rec.Actions {
		s, ok := a.(*recorder.Stroke)
		if !ok || len(s.Path) != 3 {
			continue
		}
		match := true
		for i, c := range s.Path {
			want := vg.Point{X: tx(f.Series[0].X[i]), Y: ty(f.Series[0].Y[i])}
			if math.Abs(float64(c.Pos.X-want.X)) > 0.01 || math.Abs(float64(c.Pos.Y-want.Y)) > 0.01 {
				match = false
			}
		}
		found = found || match
	}
	if !found {
		t.Error("no drawn line has its points where the layout puts them")
	}
}

func TestCaptionCarriesNote(t *testing.T) {
	f := testFigure().WithNote("3 of 400 scores imputed by the median.")
	if c := f.Caption(); c != "3 of 400 scores imputed by the median." {
		t.Errorf("caption %q", c)
	}
}
