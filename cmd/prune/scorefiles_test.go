package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"beyondscaling/lib/rank"
)

func writeFile(t *testing.T, p, text string) string {
	t.Helper()
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// correlate on files of different layouts and row orders: full names in
// the table, and a CSV whose values match the pairwise Spearman of the
// aligned scores (rank.Spearman, gonum's Pearson of ranks) to the 6
// decimals printed.
func TestCorrelateNamesAndCSV(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	n := 400
	ids := make([]string, n)
	cols := [3][]float64{}
	for k := range cols {
		cols[k] = make([]float64, n)
	}
	for i := range ids {
		ids[i] = fmt.Sprintf("img_%03d", i)
		u := rng.NormFloat64()
		cols[0][i] = u + 0.5*rng.NormFloat64()
		cols[1][i] = math.Round(u + rng.NormFloat64()) // ties
		cols[2][i] = rng.Float64()
	}
	names := []string{"ImageNet-1K_el2n", "ImageNet-1K_forgetting", "ImageNet-1K_random_1"}
	var files []string
	for k, name := range names {
		var b strings.Builder
		b.WriteString([]string{"id,score\n", ",0\n", "filename,random,label\n"}[k])
		for _, i := range rng.Perm(n) { // each file in its own order
			fmt.Fprintf(&b, "%s,%s", ids[i], strconv.FormatFloat(cols[k][i], 'g', -1, 64))
			if k == 2 {
				fmt.Fprintf(&b, ",%d", i%10)
			}
			b.WriteByte('\n')
		}
		files = append(files, writeFile(t, filepath.Join(dir, name+".csv"), b.String()))
	}
	var o, e bytes.Buffer
	if code := run(append([]string{"correlate"}, files...), &o, &e); code != 0 {
		t.Fatalf("correlate: %s", e.String())
	}
	for _, name := range names {
		if !strings.Contains(o.String(), " "+name) {
			t.Errorf("table lacks the full name %q:\n%s", name, o.String())
		}
	}
	o.Reset()
	if code := run(append([]string{"correlate", "--csv"}, files...), &o, &e); code != 0 {
		t.Fatalf("correlate --csv: %s", e.String())
	}
	rows, err := csv.NewReader(&o).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][1] != names[0] || rows[3][0] != names[2] {
		t.Fatalf("CSV %v %v", rows, err)
	}
	for i := range names {
		for j := range names {
			got, _ := strconv.ParseFloat(rows[i+1][j+1], 64)
			if want := rank.Spearman(cols[i], cols[j]); math.Abs(got-want) > 5e-7 {
				t.Errorf("rho(%s, %s) = %v, pairwise Spearman %v", names[i], names[j], got, want)
			}
		}
	}
}

// correlate refuses what it used to accept: NaN scores (naming file and
// line), a header-only file; a wide table keys its columns and lists every
// full name.
func TestCorrelateRefusesNaNAndEmpty(t *testing.T) {
	dir := t.TempDir()
	var good, nan strings.Builder
	good.WriteString("id,score\n")
	nan.WriteString("id,score\n")
	for i := range 20 {
		fmt.Fprintf(&good, "e%d,%d\n", i, i)
		if i == 7 {
			fmt.Fprintf(&nan, "e%d,NaN\n", i)
		} else {
			fmt.Fprintf(&nan, "e%d,%d\n", i, i)
		}
	}
	a := writeFile(t, filepath.Join(dir, "a.csv"), good.String())
	b := writeFile(t, filepath.Join(dir, "b.csv"), nan.String())
	empty := writeFile(t, filepath.Join(dir, "empty.csv"), "id,score\n")
	for _, c := range []struct {
		files []string
		want  string
	}{
		{[]string{a, b}, b + ": line 9: score is NaN"},
		{[]string{a, empty}, empty + " has a header"},
		{[]string{empty, a}, empty + " has a header"},
	} {
		var o, e bytes.Buffer
		if code := run(append([]string{"correlate"}, c.files...), &o, &e); code == 0 || !strings.Contains(e.String(), c.want) {
			t.Errorf("correlate %v: exit %d, stderr %q, stdout %q; want an error saying %q", c.files, code, e.String(), o.String(), c.want)
		}
	}
	// --nan drop: correlated over the examples scored in both, and said.
	var o, e bytes.Buffer
	if code := run([]string{"correlate", "--nan", "drop", a, b}, &o, &e); code != 0 || !strings.Contains(o.String(), "over 19 examples") || !strings.Contains(o.String(), "1.000") {
		t.Errorf("--nan drop: %s %s", o.String(), e.String())
	}
	var wide []string
	for k := range 15 {
		wide = append(wide, writeFile(t, filepath.Join(dir, fmt.Sprintf("ImageNet-1K_metric_number_%02d.csv", k)), good.String()))
	}
	o.Reset()
	if code := run(append([]string{"correlate"}, wide...), &o, &e); code != 0 {
		t.Fatal(e.String())
	}
	if !strings.Contains(o.String(), "[15] ImageNet-1K_metric_number_14") {
		t.Errorf("wide table without a key legend:\n%s", o.String())
	}
	for _, line := range strings.Split(o.String(), "\n") {
		if len(line) > 160 {
			t.Errorf("line of %d characters:\n%s", len(line), line)
		}
	}
}

// select names the file and line of a NaN score, refuses an ILSVRC file cut
// short, and balances classes from ILSVRC IDs without any dataset.
func TestSelectScoreFileChecksAndLabelsFromIDs(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "kept.txt")
	var nan strings.Builder
	for i := range 12 {
		if i == 8 {
			fmt.Fprintf(&nan, "e%d,nan\n", i)
		} else {
			fmt.Fprintf(&nan, "e%d,%d\n", i, i)
		}
	}
	nanFile := writeFile(t, filepath.Join(dir, "nan.csv"), nan.String())
	var o, e bytes.Buffer
	if code := run([]string{"select", "--scores", nanFile, "--f", "0.5", "--out", out}, &o, &e); code == 0 || !strings.Contains(e.String(), nanFile+": line 9: score is NaN") {
		t.Errorf("NaN: exit %d, %q", code, e.String())
	}
	// Three classes of 300, 200 and 100 images; class n01000000 scores highest.
	var b strings.Builder
	b.WriteString("filename,score\n")
	sizes := map[string]int{"n01000000": 300, "n02000000": 200, "n03000000": 100}
	for k, wnid := range []string{"n01000000", "n02000000", "n03000000"} {
		for i := range sizes[wnid] {
			fmt.Fprintf(&b, "train/%s/%s_%d.JPEG,%g\n", wnid, wnid, 100+i, float64(3-k)+float64(i)/1000)
		}
	}
	ilsvrc := writeFile(t, filepath.Join(dir, "ImageNet-1K_el2n.csv"), b.String())
	e.Reset()
	if code := run([]string{"select", "--scores", ilsvrc, "--f", "0.5", "--balance", "1", "--out", out}, &o, &e); code == 0 || !strings.Contains(e.String(), "1281167") {
		t.Errorf("600 ILSVRC rows accepted as the training set: %q", e.String())
	}
	o.Reset()
	if code := run([]string{"select", "--scores", ilsvrc, "--partial", "--keep", "hard", "--f", "0.5", "--balance", "1", "--out", out}, &o, &e); code != 0 {
		t.Fatalf("balance from IDs: %s", e.String())
	}
	if !strings.Contains(o.String(), "labels: from the IDs' WordNet prefixes, 3 classes (automatic") {
		t.Errorf("output does not say where the labels came from:\n%s", o.String())
	}
	kept, _ := os.ReadFile(out)
	count := map[string]int{}
	for _, id := range strings.Fields(string(kept)) {
		count[id[:9]]++
	}
	for wnid, size := range sizes { // balance 1: each class keeps its own half
		if count[wnid] != size/2 {
			t.Errorf("class %s kept %d, want %d (all: %v)", wnid, count[wnid], size/2, count)
		}
	}
	e.Reset()
	if code := run([]string{"select", "--scores", nanFile, "--nan", "drop", "--labels-from-ids", "--f", "0.5", "--balance", "1", "--out", out}, &o, &e); code == 0 || !strings.Contains(e.String(), "not an ILSVRC-2012 training ID") {
		t.Errorf("--labels-from-ids on other IDs: %q", e.String())
	}
}

// prune data verify --dir takes the cache or the dataset's own folder.
func TestDataVerifyDirIsCacheOrFolder(t *testing.T) {
	mirror := "/usr/share/datasets/fashion-mnist"
	if _, err := os.Stat(mirror); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Debian's dataset-fashion-mnist is not installed")
		}
		t.Skip("Debian's dataset-fashion-mnist is not installed")
	}
	for _, dir := range []string{mirror, filepath.Dir(mirror)} {
		var o, e bytes.Buffer
		if code := run([]string{"data", "verify", "fashion-mnist", "--dir", dir}, &o, &e); code != 0 || !strings.Contains(o.String(), "verdict: fashion-mnist is complete") {
			t.Errorf("verify --dir %s: exit %d\n%s%s", dir, code, o.String(), e.String())
		}
	}
	other := filepath.Join(t.TempDir(), "fmnist")
	if err := os.Symlink(mirror, other); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	if code := run([]string{"data", "verify", "fashion-mnist", "--dir", other}, &o, &e); code == 0 || !strings.Contains(e.String(), "rename it") {
		t.Errorf("folder of another name: exit %d %q", code, e.String())
	}
}

// prune bench correlate at a small size (the official size is for the
// bench itself, not for tests): files generated, correlate run, times
// printed; no timing is checked here.
func TestBenchCorrelateSmall(t *testing.T) {
	var o, e bytes.Buffer
	if code := run([]string{"bench", "correlate", "--files", "3", "--rows", "3000", "--sizes", "2,3", "--dir", t.TempDir()}, &o, &e); code != 0 {
		t.Fatalf("bench: %s", e.String())
	}
	for _, want := range []string{"generated 3 files of 3000 rows", "correlate, 2 files × 3000 rows:", "correlate, 3 files × 3000 rows:", "ImageNet-1K_forgetting", "over 3000 examples"} {
		if !strings.Contains(o.String(), want) {
			t.Errorf("bench output lacks %q:\n%s", want, o.String())
		}
	}
}
