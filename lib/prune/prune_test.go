package prune

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An imbalanced toy problem: 3 classes of 500, 300, 200 examples whose
// scores are higher for class 0 (so unbalanced keep-hard over-selects it).
func toy() ([]float64, []int32) {
	rng := rand.New(rand.NewPCG(1, 1))
	var s []float64
	var l []int32
	for c, n := range []int{500, 300, 200} {
		for i := 0; i < n; i++ {
			s = append(s, rng.Float64()+float64(2-c))
			l = append(l, int32(c))
		}
	}
	return s, l
}

func countByClass(idx []int, labels []int32) []int {
	c := make([]int, 3)
	for _, i := range idx {
		c[labels[i]]++
	}
	return c
}

func TestSelectPolicies(t *testing.T) {
	s, l := toy()
	hard, _ := Select(s, l, Options{Keep: KeepHard, F: 0.3})
	easy, _ := Select(s, l, Options{Keep: KeepEasy, F: 0.3})
	rnd, _ := Select(s, l, Options{Keep: KeepRandom, F: 0.3, Seed: 2})
	if len(hard) != 300 || len(easy) != 300 || len(rnd) != 300 {
		t.Fatalf("sizes %d %d %d", len(hard), len(easy), len(rnd))
	}
	// keep hard takes the 300 highest: every kept score ≥ every dropped one.
	minKept := math.Inf(1)
	kept := map[int]bool{}
	for _, i := range hard {
		minKept = math.Min(minKept, s[i])
		kept[i] = true
	}
	for i := range s {
		if !kept[i] && s[i] > minKept {
			t.Fatalf("dropped score %v above kept %v", s[i], minKept)
		}
	}
	if c := countByClass(hard, l); c[0] != 300 {
		t.Errorf("unbalanced keep hard should take only class 0 here, got %v", c)
	}
	if c := countByClass(easy, l); c[2] != 200 {
		t.Errorf("keep easy should take all of class 2, got %v", c)
	}
}

// Class balancing: totals are exactly round(fN), every class gets at least
// ⌈r·f·n_c⌉, r = 0 is no balancing, r = 1 is each class's own fraction.
func TestClassBalancingArithmetic(t *testing.T) {
	s, l := toy()
	for _, f := range []float64{0.1, 0.3, 0.77} {
		for _, r := range []float64{0, 0.5, 1} {
			idx, err := Select(s, l, Options{Keep: KeepHard, F: f, Balance: r})
			if err != nil {
				t.Fatal(err)
			}
			k := int(math.Round(f * 1000))
			if len(idx) != k {
				t.Errorf("f=%v r=%v: kept %d, want %d", f, r, len(idx), k)
			}
			c := countByClass(idx, l)
			for cl, n := range []int{500, 300, 200} {
				floor := int(math.Ceil(r*f*float64(n) - 1e-9))
				if c[cl] < floor {
					t.Errorf("f=%v r=%v: class %d kept %d < floor %d", f, r, cl, c[cl], floor)
				}
				if r == 1 && math.Abs(float64(c[cl])-f*float64(n)) > 1 {
					t.Errorf("f=%v r=1: class %d kept %d, its own fraction is %.1f", f, cl, c[cl], f*float64(n))
				}
			}
		}
	}
	q := Quotas([]int{5, 5, 5}, 0.5, 1, 7) // 2.5 each rounds up to 9 > 7: apportioned
	if q[0]+q[1]+q[2] != 7 {
		t.Errorf("quotas %v do not sum to 7", q)
	}
}

func TestOffsetDropsTheHardest(t *testing.T) {
	s := []float64{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
	idx, _ := Select(s, nil, Options{Keep: KeepHard, F: 0.3, Offset: 0.2})
	if len(idx) != 3 || idx[0] != 2 || idx[2] != 4 {
		t.Errorf("offset selection %v, want examples 2, 3, 4", idx)
	}
}

func TestSelectBadInput(t *testing.T) {
	s, l := toy()
	for name, o := range map[string]Options{
		"f zero": {F: 0}, "f above one": {F: 1.5}, "balance": {F: 0.5, Balance: 2}, "offset": {F: 0.5, Offset: 1},
	} {
		if _, err := Select(s, l, o); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := Select(s, l[:10], Options{F: 0.5, Balance: 0.5}); err == nil || !strings.Contains(err.Error(), "labels") {
		t.Errorf("label mismatch: %v", err)
	}
	if _, err := ParsePolicy("hardest"); err == nil {
		t.Error("unknown policy accepted")
	}
}

func TestScoreFileRoundTripAndFormats(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "el2n.csv")
	in := &Scores{IDs: []string{"cifar10/train/00000", "cifar10/train/00001"}, Values: []float64{0.125, 1e-9},
		Meta: Meta{Metric: "el2n", Dataset: "cifar10/train", Seeds: []uint64{1, 2}}}
	if err := in.Write(p); err != nil {
		t.Fatal(err)
	}
	out, err := ReadScores(p)
	if err != nil {
		t.Fatal(err)
	}
	if out.IDs[1] != in.IDs[1] || out.Values[1] != 1e-9 || out.Meta.Metric != "el2n" || !out.Meta.HighMeansKeep || out.Meta.ExamplesScored != 2 {
		t.Errorf("round trip: %+v", out)
	}
	// Other layouts: no header; a file-name column; whitespace-separated.
	for name, text := range map[string]string{
		"noheader.csv": "a,0.5\nb,0.25\n",
		"files.csv":    "filename,rank,score\ntrain/n01440764/n01440764_10026.JPEG,3,0.5\ntrain/n01440764/n01440764_10027.JPEG,1,0.25\n",
		"spaces.txt":   "a 0.5\nb 0.25\n",
	} {
		f := filepath.Join(dir, name)
		os.WriteFile(f, []byte(text), 0o644)
		s, err := ReadScoresWith(f, ReadOptions{Partial: true}) // files.csv: 2 of ILSVRC's images
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(s.IDs) != 2 || s.Values[0] != 0.5 || s.Values[1] != 0.25 {
			t.Errorf("%s: %+v", name, s)
		}
		if name == "files.csv" && s.IDs[0] != "n01440764_10026" {
			t.Errorf("file names not reduced to IDs: %v", s.IDs)
		}
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("id,score\na,0.1\na,0.2\n"), 0o644)
	if _, err := ReadScores(bad); err == nil || !strings.Contains(err.Error(), "appears on lines") {
		t.Errorf("duplicate IDs: %v", err)
	}
}

func TestMergeAndAlign(t *testing.T) {
	a := &Scores{IDs: []string{"x", "y"}, Values: []float64{1, 2}, Meta: Meta{Metric: "m"}}
	b := &Scores{IDs: []string{"z", "y"}, Values: []float64{3, 2}, Meta: Meta{Metric: "m"}}
	m, err := Merge(a, b)
	if err != nil || len(m.IDs) != 3 || m.Meta.ShardsMerged != 2 {
		t.Fatalf("merge: %+v %v", m, err)
	}
	v, err := m.Align([]string{"z", "x", "y"})
	if err != nil || v[0] != 3 || v[1] != 1 {
		t.Errorf("align %v %v", v, err)
	}
	if _, err := m.Align([]string{"x", "y", "w"}); err == nil || !strings.Contains(err.Error(), "disagree") {
		t.Errorf("mismatched IDs: %v", err)
	}
	c := &Scores{IDs: []string{"y"}, Values: []float64{9}, Meta: Meta{Metric: "m"}}
	if _, err := Merge(a, c); err == nil {
		t.Error("conflicting shards merged")
	}
}
