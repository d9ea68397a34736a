package scoring

import (
	"fmt"
	"math"

	"beyondscaling/lib/metrics"
	"beyondscaling/lib/settings"
)

// heldOutMetrics are the metrics estimated from the networks held out of
// an example, undefined for examples that no subset network held out, with
// the networks each averages over.
var heldOutMetrics = map[string]string{
	"memorization":      "subset networks trained on and held out of each example",
	"influence-max":     "subset networks trained on and held out of each example",
	"influence-sum-abs": "subset networks trained on and held out of each example",
	"ddd":               "subset networks held out of each example",
	"ensemble-al":       "subset networks held out of each example",
}

// imputeUndefined imputes the undefined scores of a held-out metric, and
// refuses when more than metrics.MaxImputedFraction of them would need it (with
// the count and the fix). Other metrics must be finite everywhere.
func imputeUndefined(metric string, values []float64, p settings.Probes) (metrics.Imputation, error) {
	networks, heldOut := heldOutMetrics[metric]
	if !heldOut {
		for i, v := range values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return metrics.Imputation{}, fmt.Errorf("example %d: non-finite score %g", i, v)
			}
		}
		return metrics.Imputation{Total: len(values), Value: math.NaN()}, nil
	}
	for i, v := range values {
		if math.IsInf(v, 0) { // NaN marks an undefined score; an infinity is a defect
			return metrics.Imputation{}, fmt.Errorf("example %d: infinite score %g", i, v)
		}
	}
	imp := metrics.ImputeMedian(values)
	imp.Networks = networks
	if imp.Undefined == len(values) {
		return imp, fmt.Errorf("no example has both a network trained on it and one held out of it (%d subset networks): use at least %d subset networks",
			p.Subsets, minSubsets(len(values), p.Fraction))
	}
	if float64(imp.Undefined) > metrics.MaxImputedFraction*float64(imp.Total) {
		return imp, fmt.Errorf("%d of %d examples (%.1f%%) have no held-out network among the %d subset networks, more than the %.0f%% that may be imputed: "+
			"use at least %d subset networks (the preset's Subsets)",
			imp.Undefined, imp.Total, 100*float64(imp.Undefined)/float64(imp.Total), p.Subsets, 100*metrics.MaxImputedFraction, minSubsets(len(values), p.Fraction))
	}
	return imp, nil
}

// minSubsets is the smallest number of subset networks with which
// metrics.HeldOutDesign holds each of n examples out of at least one: the first k
// whose largest block, ⌈n/k⌉, fits in a network's held-out set (about
// 1/(1−fraction)).
func minSubsets(n int, fraction float64) int {
	held := n - int(fraction*float64(n)+0.5)
	if held < 1 {
		return math.MaxInt
	}
	return (n + held - 1) / held
}
