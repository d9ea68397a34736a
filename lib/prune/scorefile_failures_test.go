package prune

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The misreads and silent acceptances that score files from elsewhere
// (pandas, numpy, spreadsheets, the authors' release) invite, through
// ReadScores as every command calls it. Each case is either read to want,
// or refused with an error containing every string of errHas.
func TestReadScoresRealWorldFailures(t *testing.T) {
	ilsvrc := func(n int) string { // n ILSVRC training IDs: a file cut short
		var b strings.Builder
		b.WriteString("filename,score\n")
		for i := range n {
			fmt.Fprintf(&b, "n01440764/n01440764_%d.JPEG,%d\n", 10000+i, i)
		}
		return b.String()
	}
	for _, c := range []struct {
		name, text string
		wantIDs    []string
		wantValues []float64
		errHas     []string
	}{
		{name: "pandas series header ,0", text: ",0\na,0.5\nb,0.25\n",
			wantIDs: []string{"a", "b"}, wantValues: []float64{0.5, 0.25}},
		{name: "pandas named series ,el2n", text: ",el2n\na,0.5\nb,0.25\n",
			wantIDs: []string{"a", "b"}, wantValues: []float64{0.5, 0.25}},
		{name: "no header, bad first score", text: "a,abc\nb,0.25\nc,0.5\n",
			errHas: []string{"line 1", "--header"}},
		{name: "label column after the score", text: "filename,el2n,label\nx/a.png,0.5,3\nx/b.png,0.25,7\n",
			wantIDs: []string{"a", "b"}, wantValues: []float64{0.5, 0.25}},
		{name: "NaN score", text: "id,score\na,0.5\nb,NaN\n",
			errHas: []string{"line 3", "NaN", "--nan drop"}},
		{name: "Inf score", text: "id,score\na,+Inf\nb,0.5\n",
			errHas: []string{"line 2", "infinite"}},
		{name: "pandas NaN is an empty field", text: ",score\na,0.5\nb,\n",
			errHas: []string{"line 3", "empty"}},
		{name: "empty file", text: "",
			errHas: []string{"is empty", "again"}},
		{name: "blank file", text: "\n\n  \n",
			errHas: []string{"is empty", "again"}},
		{name: "header only", text: "id,score\n",
			errHas: []string{"header", "no rows"}},
		{name: "Git LFS pointer", text: "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 35871234\n",
			errHas: []string{"Git LFS pointer", "git lfs pull", "size 35871234"}},
		{name: "saved HTML page", text: "<!DOCTYPE html>\n<html lang=\"en\"><head><title>ImageNet-1K_el2n.csv</title></head><body>a,b</body></html>\n",
			errHas: []string{"HTML page", "Raw"}},
		{name: "ILSVRC file cut short", text: ilsvrc(1000),
			errHas: []string{"1000 rows", "1281167", "cut short"}},
		{name: "one numeric column (numpy.savetxt)", text: "5.000000000000000000e-01\n2.500000000000000000e-01\n",
			wantIDs: []string{"0", "1"}, wantValues: []float64{0.5, 0.25}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "scores.csv")
			if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := ReadScores(p)
			if c.errHas != nil {
				if err == nil {
					t.Fatalf("accepted: %d rows, IDs beginning %q", len(s.IDs), head(s.IDs))
				}
				for _, want := range append(c.errHas, p) {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.IDs, c.wantIDs) || !reflect.DeepEqual(s.Values, c.wantValues) {
				t.Errorf("read IDs %q values %v, want %q %v", s.IDs, s.Values, c.wantIDs, c.wantValues)
			}
		})
	}
}
