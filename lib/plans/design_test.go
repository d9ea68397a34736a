package plans

import (
	"math"
	"slices"
	"testing"

	"beyondscaling/lib/project"
	"beyondscaling/lib/settings"
)

// The cpu abundant design meets its requirements: the cpu recipe row of
// its dataset (not a fallback) without random augmentation, at least 5 log-spaced sizes from about 1,000 to the full set, the
// fractions {0.2, 0.3, 0.5, 0.7, 0.9, 1}, keep hard and easy (random is
// always run), disjoint named seeds with at least 3 fresh ones, two or more
// benchmark fractions in [0.5, 0.9] planned (run or listed as cut) with
// balancing at a run one, and at least three k values.
func TestCPUAbundant(t *testing.T) {
	d := CPUAbundant
	r, err := settings.RecipeFor(d.Dataset, d.Model, d.Profile)
	if err != nil {
		t.Fatal(err)
	}
	if r.Fallback || r.Augmentation.String() != "none" || d.Recipe() != r.Recipe {
		t.Errorf("design recipe %+v from row %q (fallback %v)", d.Recipe(), r.Row, r.Fallback)
	}
	val, _ := settings.ValidationSize(d.Dataset)
	if full := d.Sizes[len(d.Sizes)-1]; full != 60000-val {
		t.Errorf("largest size %d, want the full set %d", full, 60000-val)
	}
	if len(d.Sizes) < 5 || d.Sizes[0] < 900 || d.Sizes[0] > 1100 {
		t.Errorf("sizes %v: at least 5 from about 1,000", d.Sizes)
	}
	ratio := math.Pow(float64(d.Sizes[len(d.Sizes)-1])/float64(d.Sizes[0]), 1/float64(len(d.Sizes)-1))
	for i := 1; i < len(d.Sizes); i++ {
		if q := float64(d.Sizes[i]) / float64(d.Sizes[i-1]); math.Abs(q/ratio-1) > 0.1 {
			t.Errorf("sizes %v are not log-spaced: step %d is ×%.2f, the even step ×%.2f", d.Sizes, i, q, ratio)
		}
	}
	for _, f := range []float64{0.2, 0.3, 0.5, 0.7, 0.9, 1} {
		if !slices.Contains(d.Fractions, f) {
			t.Errorf("fractions %v lack %g", d.Fractions, f)
		}
	}
	if !slices.Contains(d.Keeps, "hard") || !slices.Contains(d.Keeps, "easy") {
		t.Errorf("keeps %v", d.Keeps)
	}
	// The headline block: at least 10 fresh seeds, the grid's first (its
	// runs at the full set are the grid's), claim fractions of the grid.
	if len(d.HeadlineSeeds) < 10 || !slices.Equal(d.HeadlineSeeds[:len(d.FreshSeeds)], d.FreshSeeds) {
		t.Errorf("headline seeds %v: at least 10, starting with the grid's fresh seeds %v", d.HeadlineSeeds, d.FreshSeeds)
	}
	for _, f := range d.HeadlineFractions {
		if !slices.Contains(d.Fractions, f) || f >= 1 {
			t.Errorf("headline fraction %g is not a pruned fraction of the grid %v", f, d.Fractions)
		}
	}
	all := map[uint64]string{}
	for name, seeds := range map[string][]uint64{"pilot": d.PilotSeeds, "selection": d.SelectionSeeds, "fresh": d.HeadlineSeeds,
		"headline pilot": d.HeadlinePilotSeeds} {
		for _, s := range seeds {
			if other, ok := all[s]; ok {
				t.Errorf("seed %d is both a %s and a %s seed", s, other, name)
			}
			all[s] = name
		}
	}
	if len(d.FreshSeeds) < 3 || len(d.SelectionSeeds) < 1 || len(d.PilotSeeds) < 1 {
		t.Errorf("seeds: %d pilot, %d selection, %d fresh", len(d.PilotSeeds), len(d.SelectionSeeds), len(d.FreshSeeds))
	}
	// Two or more benchmark fractions in [0.5, 0.9] planned; those cut for
	// the budget are listed as such (BenchmarkCut), not dropped.
	in := 0
	for _, f := range append(slices.Clone(d.BenchmarkFractions), d.BenchmarkCut...) {
		if f >= 0.5 && f <= 0.9 {
			in++
		}
	}
	for _, f := range d.BenchmarkCut {
		if slices.Contains(d.BenchmarkFractions, f) {
			t.Errorf("fraction %g is both run and cut", f)
		}
	}
	if in < 2 || !slices.Contains(d.BenchmarkFractions, d.BalancedFraction) || d.BenchmarkBalance != BenchmarkBalance {
		t.Errorf("benchmark fractions %v, balanced at %g (ratio %g)", d.BenchmarkFractions, d.BalancedFraction, d.BenchmarkBalance)
	}
	if len(d.PrototypeClusters) < 3 {
		t.Errorf("k values %v: at least three", d.PrototypeClusters)
	}
	if pr := d.Probes(); pr.Model != d.Model || pr.Profile != project.CPU || pr.EarlyEpoch < 1 || pr.EarlyEpoch > pr.Epochs {
		t.Errorf("probes %+v", pr)
	}
	// In use: the cpu plans on Fashion-MNIST are the design's, selection
	// seeds first (lib/scaling.DesignFor takes the first seed as the
	// selection seed), CIFAR-10's stay the small CNN's.
	sp := ScalingPlan(project.CPU, d.Dataset)
	if sp.Model != d.Model || !slices.Equal(sp.Sizes, d.Sizes) || !slices.Equal(sp.Fractions, d.Fractions) ||
		!slices.Equal(sp.Seeds, append(slices.Clone(d.SelectionSeeds), d.FreshSeeds...)) {
		t.Errorf("cpu scaling plan %+v is not the design's", sp)
	}
	bp := BenchmarkPlan(project.CPU, d.Dataset)
	if bp.Model != d.Model || !slices.Equal(bp.Sizes, d.Sizes[len(d.Sizes)-1:]) || !slices.Equal(bp.Seeds, d.FreshSeeds) ||
		!slices.Equal(bp.Fractions, append(slices.Clone(d.BenchmarkFractions), 1)) {
		t.Errorf("cpu benchmark plan %+v is not the design's", bp)
	}
	if !slices.Equal(PrototypeClusters(project.CPU, d.Dataset), d.PrototypeClusters) {
		t.Error("cpu prototype clusters are not the design's")
	}
	if ScalingPlan(project.CPU, "cifar10").Model == d.Model || settings.ProbesFor(project.CPU, "cifar10") == d.Probes() {
		t.Error("CIFAR-10's cpu plan or probes follow the Fashion-MNIST design")
	}
}

// Budget on a design small enough to count by hand.
func TestDesignBudget(t *testing.T) {
	r := settings.Recipe{Batch: 10, Epochs: 2, MinSteps: 5}
	probes := settings.Probes{EL2NModels: 1, EarlyEpoch: 1}
	d := Design{Sizes: []int{20, 100}, Fractions: []float64{0.5, 1},
		Keeps: []string{"hard"}, SelectionSeeds: []uint64{1}, FreshSeeds: []uint64{2},
		BenchmarkFractions: []float64{0.5}, BalancedFraction: 0.5,
		PrototypeClusters: []int{3}, PrototypeFraction: 0.5, PrototypeBalances: []float64{1},
		HeadlineFractions: []float64{0.5}, HeadlineSeeds: []uint64{2, 3}}
	// Passes: m = 10: 5 steps (min) of 10 = 50; m = 20: 5 steps, 2 epochs
	// of 20 and one batch of 10 = 50; m = 50: 10 steps = 100; m = 100: 200.
	for m, want := range map[int]int64{10: 50, 20: 50, 50: 100, 100: 200} {
		if got := passes(r, m); got != want {
			t.Errorf("passes(%d) = %d, want %d", m, got, want)
		}
	}
	got := d.budget(r, probes)
	want := Budget{
		// n = 20: (hard, random) × 2 seeds × 50 + 2 unpruned × 50; n = 100: 4 × 100 + 2 × 200.
		ScalingRuns: 12, ScalingPasses: 200 + 100 + 400 + 400,
		// Per seed: n = 20 (20 each) and the full set (100 each).
		ScalingProbePasses: 240,
		// 11 metrics at f = 0.5 plain and balanced, one fresh seed, 100 each.
		BenchmarkRuns: 22, BenchmarkPasses: 2200,
		// ssl@3 and (ssl, random) at ratio 1; the rest shared with Fig. 5.
		PrototypeRuns: 3, PrototypePasses: 300,
		SelectionShare: 0.5,
		// Seed 2 is the grid's; seed 3 adds hard and random at m = 50
		// (100 each) and its own probes on the full set (100).
		HeadlineRuns: 2, HeadlinePasses: 200, HeadlineProbePasses: 100,
	}
	if got != want {
		t.Errorf("budget\n got %+v\nwant %+v", got, want)
	}
}

// The plans' largest size is the full set: the training split less the
// validation split.
func TestPlansFitTheFullSet(t *testing.T) {
	train := map[string]int{"cifar10": 50000, "svhn": 73257, "fashion-mnist": 60000, "imagenet": 1281167}
	for ds, n := range train {
		v, err := settings.ValidationSize(ds)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []project.Profile{project.Smoke, project.CPU, project.Paper} {
			for _, s := range ScalingPlan(p, ds).Sizes {
				if s > n-v {
					t.Errorf("%s %s: size %d exceeds the full set %d", p, ds, s, n-v)
				}
			}
		}
	}
}
