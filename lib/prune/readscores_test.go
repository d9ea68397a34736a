package prune

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Layouts written by pandas, numpy, spreadsheets and shell tools, read with
// and without options: the IDs and scores read, or the error.
func TestReadScoresLayouts(t *testing.T) {
	ab := []string{"a", "b"}
	for _, c := range []struct {
		name, text string
		opt        ReadOptions
		wantIDs    []string
		wantValues []float64
		errHas     string
	}{
		{name: "id,score", text: "id,score\na,0.5\nb,0.25\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "score column first", text: "score,id\n0.5,a\n0.25,b\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "no header", text: "a,0.5\nb,0.25\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "CRLF and BOM", text: "\ufeffid,score\r\na,0.5\r\nb,0.25\r\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "tabs", text: "id\tscore\na\t0.5\nb\t0.25\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "semicolons", text: "id;score\na;0.5\nb;0.25\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "whitespace, aligned", text: "  a   0.5\n  b   0.25  \n\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "quoted fields", text: "\"id\",\"score\"\n\"a\",\"0.5\"\n\"b\",0.25\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "numpy savetxt header", text: "# id score\na 5.0e-01\nb 2.5e-01\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "comment that is not a header", text: "# made by run 3 of el2n\na,0.5\nb,0.25\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "pandas frame with index", text: ",id,score\n0,a,0.5\n1,b,0.25\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "pandas numeric index and unnamed metric", text: ",id,el2n\n0,a,0.5\n1,b,0.25\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "numeric IDs", text: "3,0.5\n7,0.25\n", wantIDs: []string{"3", "7"}, wantValues: []float64{0.5, 0.25}},
		{name: "ILSVRC path without extension", text: "path,score\ntrain/n01440764/n01440764_10026,1\n", opt: ReadOptions{Partial: true},
			wantIDs: []string{"n01440764_10026"}, wantValues: []float64{1}},
		{name: "--column by name", text: "filename,el2n,rank\na,0.5,2\nb,0.25,1\n", opt: ReadOptions{Column: "el2n"}, wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "--column by index", text: "filename,el2n,rank\na,0.5,2\nb,0.25,1\n", opt: ReadOptions{Column: "2"}, wantIDs: ab, wantValues: []float64{2, 1}},
		{name: "--column name before index (pandas ,0)", text: ",0\na,0.5\nb,0.25\n", opt: ReadOptions{Column: "0"}, wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "--id-column", text: "name,path,el2n\nx,a,0.5\ny,b,0.25\n", opt: ReadOptions{IDColumn: "path"}, wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "--id-column without header", text: "x,a,0.5\ny,b,0.25\n", opt: ReadOptions{IDColumn: "1"}, wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "--header no", text: "a,abc\nb,0.25\n", opt: ReadOptions{Header: HeaderNo}, errHas: `line 1: score "abc" in column 1 is not a number`},
		{name: "--header yes", text: "img,el2n\na,0.5\nb,0.25\n", opt: ReadOptions{Header: HeaderYes}, wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "--nan drop", text: "id,score\na,0.5\nc,nan\nd,\nb,0.25\n", opt: ReadOptions{NaN: NaNDrop}, wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "rows checked against the dataset", text: "a,0.5\nb,0.25\n", opt: ReadOptions{Rows: 3}, errHas: "2 rows, the dataset has 3"},

		{name: "two numeric columns", text: "filename,el2n,rank\na,0.5,2\nb,0.25,1\n", errHas: `"el2n" (column 1), "rank" (column 2) are all numbers; choose with --column`},
		{name: "two text columns", text: "name,path,el2n\nx,a,0.5\ny,b,0.25\n", errHas: "choose with --id-column"},
		{name: "no header, three columns", text: "a,3,0.5\nb,1,0.25\n", errHas: "choose with --column"},
		{name: "no such column", text: "id,score\na,0.5\n", opt: ReadOptions{Column: "el2n"}, errHas: `--column "el2n": no such column`},
		{name: "index out of range", text: "id,score\na,0.5\n", opt: ReadOptions{Column: "5"}, errHas: "--column 5: the file has 2 columns"},
		{name: "ragged row", text: "id,score\na,0.5\nb\n", errHas: "line 3 has 1 fields, the header has 2"},
		{name: "duplicate ID", text: "id,score\na,0.5\na,0.25\n", errHas: "appears on lines 2 and 3"},
		{name: "empty ID", text: "id,score\na,0.5\n,0.25\n", errHas: "line 3: empty ID"},
		{name: "empty ID on line 1 is not a pandas header", text: ",0.5\nb,0.25\n", errHas: "line 1: empty ID"},
		{name: "pandas frame with unnamed columns", text: ",0,1\n0,a,0.5\n1,b,0.25\n", wantIDs: ab, wantValues: []float64{0.5, 0.25}},
		{name: "decimal comma", text: "id;score\na;0,5\n", errHas: "decimal comma"},
		{name: "broken quote", text: "id,score\n\"a,0.5\n", errHas: "line 2"},
		{name: "comments only", text: "# nothing here\n", errHas: "no rows, only comments"},
		{name: "gzip", text: "\x1f\x8b\x08\x00rest", errHas: "gzip-compressed"},
		{name: "npy", text: "\x93NUMPY\x01\x00v\x00{'descr': '<f8'}", errHas: "NumPy .npy"},
		{name: "all NaN dropped", text: "id,score\na,nan\n", opt: ReadOptions{NaN: NaNDrop}, errHas: "all 1 rows have NaN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeTemp(t, "scores.csv", c.text)
			s, err := ReadScoresWith(p, c.opt)
			if c.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.errHas) || !strings.Contains(err.Error(), p) {
					t.Fatalf("error %v, want one naming the file and saying %q", err, c.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.IDs, c.wantIDs) || !reflect.DeepEqual(s.Values, c.wantValues) {
				t.Errorf("read IDs %q values %v (%v), want %q %v", s.IDs, s.Values, s.Layout, c.wantIDs, c.wantValues)
			}
		})
	}
}

// What the layout reports: dropped rows, positional files, ILSVRC IDs.
func TestReadScoresLayoutReport(t *testing.T) {
	s, err := ReadScoresWith(writeTemp(t, "s.csv", ",0\na,0.5\nb,NaN\nc,inf\n"), ReadOptions{NaN: NaNDrop})
	if err != nil {
		t.Fatal(err)
	}
	if s.Layout.Dropped != 2 || !s.Layout.Header || s.Layout.ScoreColumn != `"0" (column 1)` || s.Layout.IDColumn != `"" (column 0)` {
		t.Errorf("layout %+v", s.Layout)
	}
	if !strings.Contains(s.Layout.String(), "2 rows with NaN/Inf/empty scores left out") {
		t.Errorf("layout says %q", s.Layout)
	}
	pos, err := ReadScores(writeTemp(t, "p.txt", "0.5\n0.25\n0.75\n"))
	if err != nil || !pos.Layout.Positional {
		t.Fatalf("one column: %+v %v", pos, err)
	}
	v, err := pos.Align([]string{"x", "y", "z"})
	if err != nil || !reflect.DeepEqual(v, []float64{0.5, 0.25, 0.75}) {
		t.Errorf("positional align %v %v", v, err)
	}
	if _, err := pos.Align([]string{"x", "y"}); err == nil {
		t.Error("positional file of 3 rows aligned to 2 examples")
	}
	il, err := ReadScoresWith(writeTemp(t, "i.csv", "n01440764_1,1\nn01443537_2,2\n"), ReadOptions{Partial: true})
	if err != nil || !il.Layout.ILSVRC {
		t.Errorf("ILSVRC IDs not recognised: %+v %v", il, err)
	}
}

// A sidecar's example count is checked: a cut file with its sidecar is
// refused; --partial allows the count to differ, but not a file that no
// longer matches its sidecar's hash (an older sidecar, without the hash,
// lets it through).
func TestReadScoresSidecarCount(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "el2n.csv")
	in := &Scores{IDs: []string{"a", "b", "c"}, Values: []float64{1, 2, 3}, Meta: Meta{Metric: "el2n"}}
	if err := in.Write(p); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:strings.LastIndex(strings.TrimSpace(string(b)), "\n")+1], 0o644) // the last row cut
	if _, err := ReadScores(p); err == nil || !strings.Contains(err.Error(), "sidecar") {
		t.Errorf("cut file with sidecar: %v", err)
	}
	if _, err := ReadScoresWith(p, ReadOptions{Partial: true}); err == nil || !strings.Contains(err.Error(), "does not match its sidecar") {
		t.Errorf("--partial, cut file under a sidecar with its hash: %v", err)
	}
	var m map[string]any
	b, _ = os.ReadFile(p + ".json")
	json.Unmarshal(b, &m)
	delete(m, "csv_sha256")
	b, _ = json.Marshal(m)
	os.WriteFile(p+".json", b, 0o644)
	if _, err := ReadScores(p); err == nil || !strings.Contains(err.Error(), "sidecar") {
		t.Errorf("cut file with an older sidecar: %v", err)
	}
	if s, err := ReadScoresWith(p, ReadOptions{Partial: true}); err != nil || len(s.IDs) != 2 {
		t.Errorf("--partial, cut file with an older sidecar: %v", err)
	}
}

// A score file paired with a sidecar written for another file (a run
// stopped between the two renames, or an edit) is refused, so that a cache
// key in the sidecar never vouches for other scores; a sidecar from before
// the hash was recorded is accepted as before.
func TestReadScoresSidecarHash(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "el2n.csv")
	first := &Scores{IDs: []string{"a", "b", "c"}, Values: []float64{1, 2, 3}, Meta: Meta{Metric: "el2n", Params: map[string]string{"cache_key": "A"}}}
	if err := first.Write(p); err != nil {
		t.Fatal(err)
	}
	if s, err := ReadScores(p); err != nil || s.Meta.Params["cache_key"] != "A" || s.Values[2] != 3 {
		t.Fatalf("round trip: %+v, %v", s, err)
	}
	sidecarA, _ := os.ReadFile(p + ".json")
	// A second configuration's write, stopped after the file's rename.
	second := &Scores{IDs: []string{"a", "b", "c"}, Values: []float64{7, 8, 9}, Meta: Meta{Metric: "el2n", Params: map[string]string{"cache_key": "B"}}}
	if err := second.Write(p); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p+".json", sidecarA, 0o644)
	if _, err := ReadScores(p); err == nil || !strings.Contains(err.Error(), "does not match its sidecar") {
		t.Errorf("file of B with the sidecar of A: %v", err)
	}
	var m map[string]any
	json.Unmarshal(sidecarA, &m)
	delete(m, "csv_sha256")
	old, _ := json.Marshal(m)
	os.WriteFile(p+".json", old, 0o644)
	if s, err := ReadScores(p); err != nil || s.Values[0] != 7 {
		t.Errorf("sidecar without a hash: %+v, %v", s, err)
	}
}

func TestLabelsFromIDs(t *testing.T) {
	ids := []string{"n02000000_5", "n01440764_10026", "n02000000_7", "n01440764_3"}
	labels, classes, err := LabelsFromIDs(ids)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(classes, []string{"n01440764", "n02000000"}) || !reflect.DeepEqual(labels, []int32{1, 0, 1, 0}) {
		t.Errorf("labels %v classes %v", labels, classes)
	}
	for _, bad := range []string{"cifar10/train/00001", "n0144076_1", "n01440764_", "n01440764-3", "ILSVRC2012_val_00000001"} {
		if _, _, err := LabelsFromIDs([]string{"n01440764_1", bad}); err == nil || !strings.Contains(err.Error(), "row 2") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
