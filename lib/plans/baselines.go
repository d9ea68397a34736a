package plans

import (
	"fmt"
	"slices"

	"beyondscaling/lib/project"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/sweep"
)

// CCSCutoff is coverage-centric selection's hard cutoff β (the share of
// the hardest examples dropped before stratified sampling) at fraction
// kept f, fixed before any run: 0 while at least half the data is kept,
// 0.1 at f = 0.2-0.3, 0.3 at f ≤ 0.1. The authors tune β per pruning rate
// and dataset; their released CIFAR-10 example uses β = 0.3 at 90%
// pruned, and the cut matters only where keep hard fails, at high pruning
// rates. This rule is not tuned here: a search on the validation split
// would cost a pilot per fraction.
func CCSCutoff(f float64) float64 {
	switch {
	case f >= 0.5:
		return 0
	case f > 0.1:
		return 0.1
	}
	return 0.3
}

// baselinePlan is the newer baselines' metrics and fractions at a profile
// (the dataset and seeds are the metric benchmark's).
func baselinePlan(p project.Profile, dataset string) (metrics []string, fractions []float64, ratio float64) {
	switch {
	case settings.UsesCPUAbundant(p, dataset):
		d := CPUAbundant
		return d.BaselineMetrics, d.BaselineFractions, d.DynamicPrune
	case p == project.Smoke:
		return []string{"el2n-20", "forgetting"}, []float64{0.3, 0.5}, 0.5
	}
	return []string{"el2n-20", "forgetting"}, []float64{0.2, 0.3, 0.5, 0.7}, 0.5
}

// NewerBaselines are notebook 05's sweeps of the selection methods that
// came after the paper, on the metric benchmark's initial sets, network
// and seeds (so that its scores, and its runs where they are the same,
// are shared): coverage-centric selection (keep "ccs") by each baseline
// metric, one spec per hard cutoff (CCSCutoff); keep hard by those metrics
// and random pruning at the same fractions, with the unpruned run; and
// dynamic pruning (InfoBatch, ratio 0.5 as published) of the whole set.
func NewerBaselines(p project.Profile, dataset string) (static []sweep.Spec, dynamic sweep.Spec) {
	plain, _ := MetricBenchmark(p, dataset)
	metrics, fractions, ratio := baselinePlan(p, dataset)
	byCutoff := map[float64][]float64{}
	var cutoffs []float64
	for _, f := range fractions {
		b := CCSCutoff(f)
		if _, ok := byCutoff[b]; !ok {
			cutoffs = append(cutoffs, b)
		}
		byCutoff[b] = append(byCutoff[b], f)
	}
	slices.Sort(cutoffs)
	for _, b := range cutoffs {
		s := plain
		s.Name = fmt.Sprintf("05 coverage-centric selection, β = %g", b)
		s.Keeps, s.Metrics, s.Fractions, s.CCSCutoff = []string{"ccs"}, metrics, byCutoff[b], b
		static = append(static, s)
	}
	cmpSpec := plain
	cmpSpec.Name = "05 keep hard and random at the baselines' fractions"
	cmpSpec.Keeps, cmpSpec.Metrics, cmpSpec.Fractions = []string{"hard"}, append(slices.Clone(metrics), "random"), append(slices.Clone(fractions), 1)
	static = append(static, cmpSpec)
	dynamic = plain
	dynamic.Name = "05 dynamic pruning"
	dynamic.Metrics, dynamic.Fractions, dynamic.DynamicPrune = []string{"random"}, []float64{1}, ratio
	return static, dynamic
}

// NewerBaselineEffects are notebook 05's claims about the newer baselines,
// from the finished runs of NewerBaselines (scaling.CCSEffects and
// scaling.DynamicEffects against random pruning and keep hard by each
// metric), on the metric benchmark's fresh seeds.
func NewerBaselineEffects(prof project.Profile, dataset string) ([]scaling.Effect, error) {
	static, dynamic := NewerBaselines(prof, dataset)
	recs, err := Collect(prof, static)
	if err != nil {
		return nil, err
	}
	dyn, err := Collect(prof, []sweep.Spec{dynamic})
	if err != nil {
		return nil, err
	}
	tests, err := scaling.TestExamples(dataset)
	if err != nil {
		return nil, err
	}
	design := scaling.ClaimDesign{TestExamples: tests}
	ps := scaling.Aggregate(recs)
	metrics, fractions, _ := baselinePlan(prof, dataset)
	n := dynamic.Sizes[0]
	effects := scaling.CCSEffects(ps, metrics, n, fractions, CCSCutoff, design)
	policies := [][2]string{{"random", "random"}}
	for _, m := range metrics {
		policies = append(policies, [2]string{m, "hard"})
	}
	for _, d := range scaling.Aggregate(dyn) {
		effects = append(effects, scaling.DynamicEffects(ps, d, policies, design)...)
	}
	return effects, nil
}
