package verdict

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Planning is what a power analysis knows of a paired claim before the
// reported run, from pilot seeds: the spread of its per-seed differences
// and the test-set term of the verdict rule (which more seeds do not
// shrink).
type Planning struct {
	SeedSD   float64 // standard deviation of d_s over seeds
	TestTerm float64 // the test-set term (PairedTestTerm, BootstrapTestTerm)
}

// SE is the standard error of the mean over S seeds under the verdict rule.
func (p Planning) SE(seeds int) float64 {
	return math.Sqrt(p.SeedSD*p.SeedSD/float64(seeds) + p.TestTerm)
}

// HalfWidth is the expected half-width of the 95% interval at S seeds.
func (p Planning) HalfWidth(seeds int) float64 {
	if seeds < 2 {
		return math.NaN()
	}
	return StudentT975(seeds-1) * p.SE(seeds)
}

// Power is the probability that the interval at S seeds lies wholly in the
// predicted direction when the true effect has size effect (> 0, in the
// claim's predicted direction), under normal theory: the mean over seeds
// is normal with variance SeedSD²/S + TestTerm (the test-set draw is shared
// by the seeds), the sample variance of d_s is SeedSD²·χ²(S − 1)/(S − 1)
// independently of it, and the verdict is "yes" when the mean exceeds
// t(0.975, S − 1)·sqrt(s²/S + TestTerm). The expectation over the sample
// variance is taken on a grid of its quantiles. (Without a test-set term
// this is the one-sample t-test's power, the noncentral t.) The chance of
// an "opposite" verdict is left out, negligible at any useful power.
func (p Planning) Power(effect float64, seeds int) float64 {
	if seeds < 2 {
		return 0
	}
	S := float64(seeds)
	sd := math.Sqrt(p.SeedSD*p.SeedSD/S + p.TestTerm)
	if sd == 0 {
		if effect > 0 {
			return 1
		}
		return 0
	}
	t := StudentT975(seeds - 1)
	chi := distuv.ChiSquared{K: S - 1}
	norm := distuv.UnitNormal
	const grid = 2000
	sum := 0.0
	for k := range grid {
		s2 := p.SeedSD * p.SeedSD * chi.Quantile((float64(k)+0.5)/grid) / (S - 1)
		sum += norm.CDF((effect - t*math.Sqrt(s2/S+p.TestTerm)) / sd)
	}
	return sum / grid
}

// SeedsFor is the smallest number of seeds, at most max, at which Power
// reaches power for an effect of the given size; false when max seeds do
// not reach it (the test-set term alone may forbid it: seeds do not shrink
// it).
func (p Planning) SeedsFor(effect, power float64, max int) (int, bool) {
	for s := 2; s <= max; s++ {
		if p.Power(effect, s) >= power {
			return s, true
		}
	}
	return max, false
}
