package plots

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"time"

	"gonum.org/v1/plot"
)

func testFigure() *Figure {
	x := []float64{1, 2, 5, 10, 20}
	y1 := make([]float64, len(x))
	y2 := make([]float64, len(x))
	e := make([]float64, len(x))
	for i, v := range x {
		y1[i] = 0.5 / v
		y2[i] = math.Exp(-v / 5)
		e[i] = 0.1 * y2[i]
	}
	return &Figure{
		Title: "test", XLabel: "α (examples per dimension)", YLabel: "test error ε",
		LogX: true, LogY: true,
		Series: []Series{
			{Label: "power law", X: x, Y: y1, Kind: Line, Dashed: true},
			{Label: "pruned", X: x, Y: y2, YErr: e, Kind: LinePoints, Color: Sequential(0.3)},
		},
	}
}

func TestSaveWritesValidFiles(t *testing.T) {
	dir := t.TempDir()
	paths, err := Save(testFigure(), dir, "fig")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Fatalf("paths %v", paths)
	}
	magic := map[string][]byte{
		"fig.pdf": []byte("%PDF-"),
		"fig.png": {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
		"fig.svg": []byte("<?xml"),
	}
	for name, m := range magic {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, m) || len(b) < 500 {
			t.Errorf("%s: bad header or too small (%d bytes)", name, len(b))
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "fig.svg"))
	for _, want := range []string{"<svg", "power law", "pruned", "test error"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

// Saving twice gives byte-identical files: figures in the repository only
// change when their content does.
func TestSaveIsReproducible(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if _, err := Save(testFigure(), a, "fig"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // a PDF timestamp would change by now
	if _, err := Save(testFigure(), b, "fig"); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"pdf", "svg", "png", "csv"} {
		x, _ := os.ReadFile(filepath.Join(a, "fig."+ext))
		y, _ := os.ReadFile(filepath.Join(b, "fig."+ext))
		if !bytes.Equal(x, y) {
			t.Errorf("fig.%s differs between two saves", ext)
		}
	}
	pdf, _ := os.ReadFile(filepath.Join(a, "fig.pdf"))
	if !bytes.Contains(pdf, []byte("/CreationDate (D:20000101000000)")) {
		t.Error("PDF creation date not fixed")
	}
}

func TestCSVEqualsData(t *testing.T) {
	f := testFigure()
	var b bytes.Buffer
	if err := WriteCSV(f, &b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][1] != f.XLabel || rows[0][2] != f.YLabel {
		t.Errorf("header %v", rows[0])
	}
	k := 1
	for _, s := range f.Series {
		for i := range s.X {
			r := rows[k]
			k++
			x, _ := strconv.ParseFloat(r[1], 64)
			y, _ := strconv.ParseFloat(r[2], 64)
			if r[0] != s.Label || x != s.X[i] || y != s.Y[i] {
				t.Errorf("row %v, want %s %v %v", r, s.Label, s.X[i], s.Y[i])
			}
			if s.YErr != nil {
				if e, _ := strconv.ParseFloat(r[3], 64); e != s.YErr[i] {
					t.Errorf("row %v: error %v, want %v", r, e, s.YErr[i])
				}
			} else if r[3] != "" {
				t.Errorf("row %v: unexpected error column", r)
			}
		}
	}
	if k != len(rows) {
		t.Errorf("%d rows, want %d", len(rows), k)
	}
}

func TestHeatMapFigure(t *testing.T) {
	f := &Figure{XLabel: "α_tot", YLabel: "f", LogX: true, Heat: &Heat{
		X: []float64{1, 10, 100}, Y: []float64{0.2, 0.6},
		Z: [][]float64{{-1, 0, 1}, {0.5, 0.2, -0.3}}, Diverging: true, Label: "Δε",
	}}
	dir := t.TempDir()
	if _, err := Save(f, dir, "heat"); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(bytes.NewReader(must(os.ReadFile(filepath.Join(dir, "heat.csv"))))).ReadAll()
	if len(rows) != 7 || rows[0][3] != "Δε" || rows[3][1] != "100" || rows[3][3] != "1" {
		t.Errorf("heat CSV %v", rows)
	}
}

func TestValidateRejectsRaggedData(t *testing.T) {
	f := &Figure{Series: []Series{{X: []float64{1, 2}, Y: []float64{1}}}}
	if _, err := Save(f, t.TempDir(), "bad"); err == nil {
		t.Error("ragged series accepted")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestTickLabels(t *testing.T) {
	for x, want := range map[float64]string{2000: "2000", 1999.9999999: "2000", 0.35: "0.35", 0.7000001: "0.7", 3e-5: "0.00003", 45678: "46000"} {
		if got := tickLabel(x); got != want {
			t.Errorf("tickLabel(%g) = %q, want %q", x, got, want)
		}
	}
	// A log axis within one decade still gets numbers.
	labelled := 0
	for _, tk := range (inRange{plot.LogTicks{Prec: -1}}).Ticks(0.6, 0.9) {
		if tk.Label != "" {
			labelled++
		}
	}
	if labelled < 2 {
		t.Errorf("%d labelled ticks on [0.6, 0.9]", labelled)
	}
}
