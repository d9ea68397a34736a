package verdict

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// VerdictRule is the rule of Verdict in words, for the header of
// figures/summary.md (docs/protocol.md gives the reasons).
const VerdictRule = `A claim's value is the mean over S fresh seeds of a paired difference d_s ` +
	`(both sides trained on the same initial set and seed, graded on the same T test examples). ` +
	`Its 95% interval is mean ± t(0.975, S − 1) · s.e., with ` +
	`s.e.² = var_s(d_s)/S + max(0, var_i(x̄_i) − w/S)/T. ` +
	`The first term is the spread over seeds. In the second, x_si is the paired difference on test example i for seed s ` +
	`(correct on one side minus correct on the other, so that its mean over i is d_s), x̄_i its mean over the seeds and ` +
	`w the mean over examples of its variance across seeds: var_i(x̄_i)/T is the test set's sampling error of the effect ` +
	`once the seed-by-example noise, which the first term already holds, is taken out (w/S). Variances use S − 1 and T − 1 denominators. ` +
	`A claim whose statistic has no per-example difference (the power-law test) takes the second term from a bootstrap over test ` +
	`examples: each resample of the T examples is applied to every run of every seed and the whole statistic recomputed; the term is ` +
	`the resamples' variance of the seeds' mean less the mean over resamples of the seeds' variance divided by S (the same correction). ` +
	`Records made before per-example results were kept fall back to a conservative bound from the number of examples two networks can disagree on; the claim's note says so. ` +
	`Verdict: "yes" when the interval lies wholly in the predicted direction, "opposite" when wholly the other way, ` +
	`otherwise "not resolved"; with fewer than two seeds there is no interval and no standard error, and the verdict is "not resolved".`

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

// HalfWidth is the interval's half-width (NaN without an interval).
func (e Estimate) HalfWidth() float64 { return (e.Hi - e.Lo) / 2 }

// Verdicts.
const (
	Yes         = "yes"
	Opposite    = "opposite"
	NotResolved = "not resolved"
	NotMeasured = "not measured"
)

// Verdict is the verdict rule (VerdictRule): d[s] is seed s's paired
// difference and testTerm the test set's sampling variance of their mean
// (PairedTestTerm or BootstrapTestTerm); sign is the direction the claim
// predicts (−1: negative). It returns the estimate and "yes", "opposite"
// or "not resolved" ("not measured" without seeds).
func Verdict(d []float64, testTerm float64, sign int) (Estimate, string, error) {
	if sign != -1 && sign != 1 {
		return Estimate{}, "", fmt.Errorf("verdict: predicted sign %d: use -1 or +1", sign)
	}
	if !(testTerm >= 0) || math.IsInf(testTerm, 1) {
		return Estimate{}, "", fmt.Errorf("verdict: test-set term %g", testTerm)
	}
	for s := range d {
		if math.IsNaN(d[s]) || math.IsInf(d[s], 0) {
			return Estimate{}, "", fmt.Errorf("verdict: seed %d has difference %g", s, d[s])
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
	e.SE = math.Sqrt(variance/float64(len(d)) + testTerm)
	t := StudentT975(len(d) - 1)
	e.Lo, e.Hi = mean-t*e.SE, mean+t*e.SE
	return e, judge(e, sign), nil
}

// judge is the verdict of an interval for a predicted sign.
func judge(e Estimate, sign int) string {
	switch {
	case sign < 0 && e.Hi < 0, sign > 0 && e.Lo > 0:
		return Yes
	case sign < 0 && e.Lo > 0, sign > 0 && e.Hi < 0:
		return Opposite
	}
	return NotResolved
}

// StudentT975 is the 97.5% quantile of Student's t with df degrees of
// freedom, the factor of a two-sided 95% interval.
func StudentT975(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// PairedTestTerm is the test-set term of the verdict rule for per-example
// paired differences x[s][i] (seed s, test example i; the mean over i of
// x[s] is seed s's difference d_s): max(0, var_i(x̄_i) − w/S)/T, with x̄_i
// the mean of x[·][i] over the S seeds and w the mean over examples of its
// variance across seeds (S − 1 and T − 1 denominators).
//
// Why: the mean of d_s over seeds errs by the test set's draw of examples
// (the effect varies from example to example: var of the per-example
// effect over T) and by the seeds (var_s(d_s)/S). The per-example means x̄_i
// also carry the seed-by-example noise, w/S of their variance, which is
// already part of var_s(d_s)/S: taken out here so it is not counted twice.
// It needs two or more seeds (0 otherwise: there is no interval).
func PairedTestTerm(x [][]int8) (float64, error) {
	S := len(x)
	if S < 2 {
		return 0, nil
	}
	T := len(x[0])
	for s := range x {
		if len(x[s]) != T {
			return 0, fmt.Errorf("paired test term: seed %d has %d test examples, seed 0 has %d", s, len(x[s]), T)
		}
	}
	if T < 2 {
		return 0, fmt.Errorf("paired test term: %d test examples", T)
	}
	var sumMean, sumMean2, w float64
	for i := 0; i < T; i++ {
		var sum, sum2 float64
		for s := 0; s < S; s++ {
			v := float64(x[s][i])
			sum += v
			sum2 += v * v
		}
		m := sum / float64(S)
		sumMean += m
		sumMean2 += m * m
		w += (sum2 - float64(S)*m*m) / float64(S-1)
	}
	t := float64(T)
	grand := sumMean / t
	varMeans := (sumMean2 - t*grand*grand) / (t - 1)
	w /= t
	return math.Max(0, varMeans-w/float64(S)) / t, nil
}

// BootstrapTestTerm is the test-set term for a statistic without
// per-example differences, from a bootstrap over test examples: delta[b][s]
// is seed s's statistic recomputed on resample b (one resample of the test
// examples applied to every run of every seed) minus its value on the test
// set itself. The term is var_b(mean_s delta) − mean_b(var_s delta)/S. For
// a mean over examples, var_b(mean_s delta) is var_i(x̄_i)/T and
// mean_b(var_s delta) is (w − var_s(d_s))/T (the resample's counts sum to
// T), so the term is PairedTestTerm's plus var_s(d_s)/(S·T), a negligible
// and conservative difference: the same correction, computed where there
// are no x_si.
func BootstrapTestTerm(delta [][]float64) (float64, error) {
	B := len(delta)
	if B < 2 {
		return 0, fmt.Errorf("bootstrap test term: %d resamples", B)
	}
	S := len(delta[0])
	if S < 2 {
		return 0, nil
	}
	means := make([]float64, B)
	within := 0.0
	for b := range delta {
		if len(delta[b]) != S {
			return 0, fmt.Errorf("bootstrap test term: resample %d has %d seeds, resample 0 has %d", b, len(delta[b]), S)
		}
		m, v := stat.MeanVariance(delta[b], nil)
		means[b] = m
		within += v
	}
	within /= float64(B)
	return math.Max(0, stat.Variance(means, nil)-within/float64(S)), nil
}

// PairedTestVariance is the sampling variance, over draws of a test set of
// T examples, of one seed's paired difference d = e₁ − e₂ of two models'
// error rates, estimated from the D test examples on which the models
// disagree: each example contributes −1, 0 or +1, whose mean is d and whose
// mean square is D/T, so the variance of their mean is (D/T − d²)/T. It
// holds the seed-by-example noise too, so the verdict rule does not add it
// to the spread over seeds; it serves records without per-example results
// (with DisagreementBound) and the power analysis.
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
