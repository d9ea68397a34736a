package scaling

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// VerdictRule is the rule of Verdict in words, for the header of
// figures/summary.md.
const VerdictRule = `A claim's value is the mean over fresh seeds of a paired difference ` +
	`(both sides trained on the same initial set and seed, graded on the same test set). ` +
	`Its 95% interval is mean ± t(0.975, seeds − 1) · s.e., where s.e.² = (variance of the differences over seeds)/seeds ` +
	`+ (mean over seeds of the test set's own sampling variance of the difference). ` +
	`The second term is (D/T − d²)/T for a difference d of error rates measured on T test examples, D of which exactly one of the two models classifies correctly; ` +
	`it is not divided by the number of seeds, because every seed is graded on the same test examples. ` +
	`D is counted from the per-example test results each run records; for a record without them (made before they were kept) D is bounded by T·min(1, e₁ + e₂) ` +
	`(two models disagree at most on the examples one of them gets wrong), which makes that interval conservative, and the claim's note says so. ` +
	`Verdict: "yes" when the interval lies wholly in the predicted direction, "opposite" when wholly the other way, ` +
	`otherwise "not resolved"; with one seed there is no interval and no standard error, and the verdict is "not resolved".`

// Estimate is a claim's measured value: the mean over seeds of a paired
// difference, its combined standard error and its 95% interval. SE, Lo and
// Hi are NaN with fewer than two seeds: one seed has no spread to measure.
type Estimate struct {
	Mean, SE, Lo, Hi float64
	Seeds            int
}

func (e Estimate) String() string {
	switch {
	case e.Seeds == 0:
		return "not measured"
	case e.Seeds == 1:
		return fmt.Sprintf("%+.4f (1 seed: no interval)", e.Mean)
	}
	return fmt.Sprintf("%+.4f, 95%% interval [%+.4f, %+.4f] (%d seeds)", e.Mean, e.Lo, e.Hi, e.Seeds)
}

// Verdicts.
const (
	Yes         = "yes"
	Opposite    = "opposite"
	NotResolved = "not resolved"
	NotMeasured = "not measured"
)

// Verdict is the protocol's verdict rule (see VerdictRule): d[s] is seed
// s's paired difference and testVar[s] the test set's own sampling
// variance of it (PairedTestVariance); sign is the direction the claim
// predicts (−1: negative). It returns the estimate and "yes", "opposite"
// or "not resolved" ("not measured" without seeds).
func Verdict(d, testVar []float64, sign int) (Estimate, string, error) {
	if len(d) != len(testVar) {
		return Estimate{}, "", fmt.Errorf("verdict: %d differences for %d test-set variances", len(d), len(testVar))
	}
	if sign != -1 && sign != 1 {
		return Estimate{}, "", fmt.Errorf("verdict: predicted sign %d: use -1 or +1", sign)
	}
	for s := range d {
		if math.IsNaN(d[s]) || math.IsInf(d[s], 0) || !(testVar[s] >= 0) {
			return Estimate{}, "", fmt.Errorf("verdict: seed %d has difference %g and test-set variance %g", s, d[s], testVar[s])
		}
	}
	e := Estimate{Mean: math.NaN(), SE: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Seeds: len(d)}
	switch len(d) {
	case 0:
		return e, NotMeasured, nil
	case 1:
		e.Mean = d[0]
		return e, NotResolved, nil
	}
	mean, variance := stat.MeanVariance(d, nil)
	e.Mean = mean
	e.SE = math.Sqrt(variance/float64(len(d)) + stat.Mean(testVar, nil))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(d) - 1)}.Quantile(0.975)
	e.Lo, e.Hi = mean-t*e.SE, mean+t*e.SE
	switch {
	case sign < 0 && e.Hi < 0, sign > 0 && e.Lo > 0:
		return e, Yes, nil
	case sign < 0 && e.Lo > 0, sign > 0 && e.Hi < 0:
		return e, Opposite, nil
	}
	return e, NotResolved, nil
}

// PairedTestVariance is the sampling variance, over draws of a test set of
// T examples, of a paired difference d = e₁ − e₂ of two models' error
// rates, estimated from the D test examples on which the models disagree:
// each example contributes −1, 0 or +1, whose mean is d and whose mean
// square is D/T, so the variance of their mean is (D/T − d²)/T.
func PairedTestVariance(d float64, disagree, testExamples int) float64 {
	if testExamples <= 0 {
		return math.NaN()
	}
	t := float64(testExamples)
	return math.Max(0, float64(disagree)/t-d*d) / t
}

// DisagreementBound bounds the number of test examples on which two models
// with error rates e1 and e2 disagree, for records that hold error rates
// but not per-example predictions: they can disagree only where one of
// them errs, T·min(1, e1 + e2).
func DisagreementBound(e1, e2 float64, testExamples int) int {
	return int(math.Ceil(math.Min(1, e1+e2) * float64(testExamples)))
}

// pairedTestVariance is PairedTestVariance of e1 − e2 with the
// disagreement bound.
func pairedTestVariance(e1, e2 float64, testExamples int) float64 {
	return PairedTestVariance(e1-e2, DisagreementBound(e1, e2, testExamples), testExamples)
}
