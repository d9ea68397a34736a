package scaling

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beyondscaling/lib/sweep"
)

// Four classes of 25, the hardest scores in class 0, then 1, 2, 3. Keeping
// half (50) keeps classes 0 and 1 whole; balancing at r = 0.5 guarantees
// each class ceil(0.5·0.5·25) = 7, so classes 2 and 3 enter with 7 each:
// 14 kept examples change (counted by hand). A metric whose kept examples
// already meet every quota (scores spread evenly over classes) changes none.
func TestBalancingChanges(t *testing.T) {
	labels := make([]int32, 100)
	skewed, even := make([]float64, 100), make([]float64, 100)
	for i := range labels {
		labels[i] = int32(i / 25)
		skewed[i] = float64(100 - i)
		even[i] = float64(i % 25)
	}
	got, err := BalancingChanges(map[string][]float64{"skewed": skewed, "even": even, "random": skewed}, labels, 0.5, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []BalancingChange{{"even", 0.5, 0.5, 50, 0}, {"skewed", 0.5, 0.5, 50, 14}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %v, want %v", got[i], want[i])
		}
	}
}

func TestWriteBalancingChangesCSV(t *testing.T) {
	dir := t.TempDir()
	if err := WriteBalancingChangesCSV(dir, "b", []BalancingChange{{"skewed", 0.7, 0.5, 50, 14}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "b.csv"))
	want := "metric,fraction_kept,balance_ratio,kept,changed_by_balancing\nskewed,0.7,0.5,50,14\n"
	if err != nil || string(b) != want {
		t.Errorf("got %q (%v), want %q", b, err, want)
	}
}

func TestBalancingChangeString(t *testing.T) {
	for _, c := range []struct {
		in   BalancingChange
		want string
	}{
		{BalancingChange{"m", 0.5, 0.5, 50, 14}, "balancing changes 14 of the 50 kept examples"},
		{BalancingChange{"m", 0.5, 0.5, 50, 0}, "balancing changes none of the 50 kept examples: the selection is the unbalanced one"},
	} {
		if got := c.in.String(); got != c.want {
			t.Errorf("%v: %q, want %q", c.in, got, c.want)
		}
	}
}

// Paired claims take the test-set term from the records' per-example
// results: on 80 examples, a errs on every eighth (10), b on every fourth
// (20); on every seed x_i = correct(b) − correct(a) is −1 on the 10
// examples b alone gets wrong and 0 elsewhere, so the seeds agree (no
// spread, w = 0) and s.e.² = var_i(x_i)/T with T − 1 in the variance (by
// hand). Without per-example results for some seed the term is the mean
// per-seed variance with the disagreements bounded by T·min(1, e₁+e₂) = 30,
// and the note says so.
func TestPairedEffectTestTerm(t *testing.T) {
	const T = 80
	ca, cb := make([]bool, T), make([]bool, T)
	for i := range ca {
		ca[i], cb[i] = i%8 != 0, i%4 != 0
	}
	a := Point{Errors: map[uint64]float64{}, Correct: map[uint64]string{}}
	b := Point{Errors: map[uint64]float64{}, Correct: map[uint64]string{}}
	for _, s := range []uint64{1, 2, 3} {
		a.Errors[s], b.Errors[s] = 0.125, 0.25
		a.Correct[s], b.Correct[s] = sweep.PackCorrect(ca), sweep.PackCorrect(cb)
	}
	e := PairedEffect("c", "s", a, b, -1, ClaimDesign{TestExamples: T})
	const d2 = 0.125 * 0.125
	sumSq := 10*0.875*0.875 + 70*0.125*0.125
	if want := math.Sqrt(sumSq / (T - 1) / T); math.Abs(e.Value.SE-want) > 1e-12 || e.Note != "" {
		t.Errorf("measured: s.e. %g, want %g (note %q)", e.Value.SE, want, e.Note)
	}
	delete(b.Correct, 2)
	e = PairedEffect("c", "s", a, b, -1, ClaimDesign{TestExamples: T})
	want := math.Sqrt((30.0/T - d2) / T)
	if math.Abs(e.Value.SE-want) > 1e-12 || !strings.Contains(e.Note, "1 of 3 seeds") {
		t.Errorf("one seed bounded: s.e. %g, want %g (note %q)", e.Value.SE, want, e.Note)
	}
}

func TestSeeds(t *testing.T) {
	ps := []Point{{Errors: map[uint64]float64{3: 0.1, 1: 0.2}}, {Errors: map[uint64]float64{2: 0.1, 1: 0.3}}, {}}
	if got := Seeds(ps); len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Errorf("Seeds = %v, want [1 2 3]", got)
	}
}

// Each balanced claim gets the note of the selection it was measured on
// (metric, fraction and balance), and no other claim does.
func TestBenchmarkEffectsNotesBalancingChanges(t *testing.T) {
	pt := func(metric, keep string, f, balance float64, e1, e2 float64) Point {
		return Point{Metric: metric, Keep: keep, Fraction: f, Size: 1000, Balance: balance, Mean: (e1 + e2) / 2, Seeds: 2,
			Errors: map[uint64]float64{201: e1, 202: e2}}
	}
	var ps []Point
	for _, b := range []float64{0, 0.5} {
		for _, f := range []float64{0.5, 0.7} {
			ps = append(ps, pt("el2n", "hard", f, b, 0.30, 0.32), pt("forgetting", "hard", f, b, 0.31, 0.33), pt("random", "random", f, b, 0.35, 0.36))
		}
	}
	plain := sweep.Spec{Dataset: "cifar10", Sizes: []int{1000}, Fractions: []float64{0.5, 0.7, 1}, Metrics: []string{"el2n", "forgetting", "random"}}
	balanced := sweep.Spec{Dataset: "cifar10", Sizes: []int{1000}, Fractions: []float64{0.5, 0.7}, Balance: 0.5, Metrics: plain.Metrics}
	changes := []BalancingChange{{"el2n", 0.5, 0.5, 50, 14}, {"forgetting", 0.5, 0.5, 50, 0}}
	effects, err := BenchmarkEffects(ps, plain, balanced, changes, []float64{0.9})
	if err != nil {
		t.Fatal(err)
	}
	if len(effects) != 10 {
		t.Fatalf("%d effects, want 2 metrics × 2 fractions × 2 balances and 2 cut claims", len(effects))
	}
	for _, e := range effects[8:] {
		if e.Verdict != NotRun || e.Fraction != 0.9 || !strings.Contains(e.Setting, "f = 0.9") {
			t.Errorf("cut claim %+v", e)
		}
	}
	effects = effects[:8]
	noted := 0
	for _, e := range effects {
		want := ""
		if e.Balance == 0.5 && e.Fraction == 0.5 {
			want = map[string]string{"el2n": "balancing changes 14 of the 50", "forgetting": "changes none of the 50"}[e.Metric]
		}
		switch {
		case want == "" && strings.Contains(e.Note, "balancing"):
			t.Errorf("%s (%s) has a balancing note: %q", e.Claim, e.Setting, e.Note)
		case want != "" && !strings.Contains(e.Note, want):
			t.Errorf("%s (%s): note %q, want %q", e.Claim, e.Setting, e.Note, want)
		case want != "":
			noted++
		}
	}
	if noted != 2 {
		t.Errorf("%d claims noted, want 2", noted)
	}
}
