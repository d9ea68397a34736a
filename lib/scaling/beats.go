package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"beyondscaling/lib/fit"
	"beyondscaling/lib/verdict"
)

// Configuration is one curve of a scaling sweep: a keep policy of a metric
// at a fraction kept, random pruning at a fraction, or no pruning
// (fraction 1), each measured at several initial sizes.
type Configuration struct {
	Metric, Keep string
	Fraction     float64
}

func (c Configuration) String() string {
	switch {
	case c.Fraction == 1:
		return "no pruning"
	case c.Metric == "random":
		return fmt.Sprintf("random pruning, f = %g", c.Fraction)
	}
	return fmt.Sprintf("%s keep %s, f = %g", c.Metric, c.Keep, c.Fraction)
}

func (c Configuration) powerLawBaseline() bool { return c.Fraction == 1 || c.Metric == "random" }

// Choice is the configuration chosen on the selection seeds at one number
// of examples trained on, c*(m).
type Choice struct {
	Trained float64 // m, a point of the random-pruning grid
	Config  Configuration
}

// PowerLawTest is the outcome of BeatsPowerLaw.
type PowerLawTest struct {
	Choices []Choice
	// Range is the index in Choices of the smallest m from which the
	// claim is judged: the first m at which the selection seeds chose a
	// pruned (keep hard) configuration; Choices[Range:] is the abundant
	// range.
	Range    int
	Fresh    []uint64         // the fresh seeds, in order
	D        []float64        // d_s of each fresh seed
	TestTerm float64          // the test-set term of the verdict (verdict.BootstrapTestTerm)
	Laws     []fit.PowerLaw   // fit_s of each fresh seed
	Estimate verdict.Estimate // of the mean of d_s
	Verdict  string           // verdict.Verdict's, predicted sign negative
	// Note says what else to know (records without per-example results).
	Note     string
	Excluded []Configuration // baseline configurations left out of the fits (chosen ones)
}

// Resamples is the number of bootstrap resamples of the test examples
// behind BeatsPowerLaw's test-set term. Each of its two variances has a
// relative precision of about sqrt(2/Resamples), 8%; their difference is
// noisier where they nearly cancel, that is where the term is small next
// to the seed spread and matters little.
const Resamples = 300

// curve is one configuration's points, sorted by examples trained on.
type curve struct {
	trained []float64
	points  []Point
}

// BeatsPowerLaw is the one definition of "pruning beats the power law"
// (docs/protocol.md), for a metric's keep policies over the points of a
// scaling sweep (balance 0):
//
//  1. Selection, on the selection seeds only: each configuration's curve
//     (mean error over the selection seeds against examples trained on) is
//     interpolated linearly in log error against log examples trained on,
//     never extrapolated; at each m of the random-pruning grid the
//     configuration with the lowest interpolated error is c*(m). Every
//     configuration competes: the metric's keep policies at each f < 1,
//     random pruning at each f, and no pruning. The claim is judged over
//     the abundant range only: from the smallest m at which c*(m) is keep
//     hard upward (below it c*(m) is mostly random pruning, which
//     contributes about nothing by construction and dilutes the mean).
//  2. Test, on each fresh seed s: error = a·m^(−ν) is fitted to that seed's
//     random-pruning and unpruned runs, leaving out every run of a chosen
//     configuration, and d_s = mean over the range's m of
//     log(error_s(c*(m), m)/fit_s(m)), error_s interpolated the same way
//     from seed s's runs.
//  3. The verdict is verdict.Verdict's on d_s over the fresh seeds, predicted sign
//     negative. Its test-set term comes from a bootstrap over test
//     examples (verdict.BootstrapTestTerm): each of Resamples resamples of the
//     test examples (a fixed random stream) recomputes every run's error
//     on every fresh seed, hence the fits and d_s.
//
// Selection and fresh seeds must not overlap; testExamples is the size of
// the test set every run was graded on.
func BeatsPowerLaw(ps []Point, metric string, selection, fresh []uint64, testExamples int) (PowerLawTest, error) {
	out := PowerLawTest{Range: -1}
	if len(selection) == 0 {
		return out, fmt.Errorf("beats the power law: no selection seeds (the configurations must be chosen on seeds whose errors are not reported)")
	}
	for _, s := range fresh {
		if slices.Contains(selection, s) {
			return out, fmt.Errorf("beats the power law: seed %d is both a selection seed and a fresh seed", s)
		}
	}
	if testExamples <= 0 {
		return out, fmt.Errorf("beats the power law: test-set size %d", testExamples)
	}
	curves := configurationCurves(ps, metric)
	// The random-pruning grid.
	var grid []float64
	for c, cv := range curves {
		if c.Metric == "random" && c.Fraction < 1 {
			grid = append(grid, cv.trained...)
		}
	}
	sort.Float64s(grid)
	grid = slices.Compact(grid)
	if len(grid) == 0 {
		return out, fmt.Errorf("beats the power law: no random-pruning runs")
	}
	// 1. Selection.
	configs := make([]Configuration, 0, len(curves))
	for c := range curves {
		configs = append(configs, c)
	}
	sort.Slice(configs, func(a, b int) bool { return configs[a].String() < configs[b].String() })
	chosen := map[Configuration]bool{}
	for _, m := range grid {
		best, bestErr := Configuration{}, math.Inf(1)
		for _, c := range configs {
			e, ok := curves[c].at(m, selection)
			if ok && e < bestErr {
				best, bestErr = c, e
			}
		}
		if math.IsInf(bestErr, 1) {
			return out, fmt.Errorf("beats the power law: no configuration has runs on every selection seed %v around %g examples", selection, m)
		}
		out.Choices = append(out.Choices, Choice{Trained: m, Config: best})
		chosen[best] = true
	}
	for _, c := range configs {
		if chosen[c] && c.powerLawBaseline() {
			out.Excluded = append(out.Excluded, c)
		}
	}
	out.Range = slices.IndexFunc(out.Choices, func(c Choice) bool { return !c.Config.powerLawBaseline() && c.Config.Keep == "hard" })
	if out.Range < 0 {
		return out, fmt.Errorf("beats the power law: the selection seeds %v chose keep hard at no m, so there is no abundant range to judge (choices: %s)", selection, out.ChoicesString())
	}
	judged := out.Choices[out.Range:]
	// 2. Test on each fresh seed, on the test set itself.
	d := func(s uint64, errOf func(Point) (float64, bool)) (float64, fit.PowerLaw, error) {
		var n, eps []float64
		for _, c := range configs {
			if !c.powerLawBaseline() || chosen[c] {
				continue
			}
			for _, p := range curves[c].points {
				if e, ok := errOf(p); ok {
					n, eps = append(n, p.Trained), append(eps, e)
				}
			}
		}
		law, err := fit.Fit(n, eps, fit.Options{Bootstrap: -1})
		if err != nil {
			return 0, law, fmt.Errorf("beats the power law, fresh seed %d: random-pruning and unpruned runs outside the chosen configurations: %w", s, err)
		}
		sum := 0.0
		for _, ch := range judged {
			e, ok := curves[ch.Config].atWith(ch.Trained, errOf)
			if !ok {
				return 0, law, fmt.Errorf("beats the power law, fresh seed %d: no runs of %s around %g examples", s, ch.Config, ch.Trained)
			}
			sum += math.Log(e / law.Eval(ch.Trained))
		}
		return sum / float64(len(judged)), law, nil
	}
	for _, s := range fresh {
		ds, law, err := d(s, func(p Point) (float64, bool) { e, ok := p.Errors[s]; return e, ok })
		if err != nil {
			return out, err
		}
		out.Fresh = append(out.Fresh, s)
		out.D = append(out.D, ds)
		out.Laws = append(out.Laws, law)
	}
	// 3. The test-set term: the same resamples of the test examples for
	// every run of every fresh seed, over the runs the statistic reads
	// (the metric's, random pruning's and the unpruned configurations).
	if len(out.Fresh) >= 2 {
		var compared []Point
		for _, cv := range curves {
			compared = append(compared, cv.points...)
		}
		term, missing, err := bootstrapPowerLaw(compared, out.Fresh, testExamples, d)
		switch {
		case err != nil:
			return out, err
		case missing > 0:
			out.TestTerm = boundedPowerLawTerm(curves, judged, out.Fresh, out.Laws, testExamples)
			out.Note = fmt.Sprintf("%d runs without per-example test results: the test-set term is the disagreement bound of each log ratio (conservative), not a bootstrap", missing)
		default:
			out.TestTerm = term
		}
	}
	var err error
	out.Estimate, out.Verdict, err = verdict.Verdict(out.D, out.TestTerm, -1)
	return out, err
}

// boundedPowerLawTerm is the fallback test-set term of BeatsPowerLaw for
// runs without per-example results: on each fresh seed, the standard
// deviation of log(error/fit) at each judged m, from the disagreement bound
// of a paired difference between the chosen configuration's error and the
// fit's, taken as fully correlated over m (they share one test set), the
// mean of its square over the seeds: conservative.
func boundedPowerLawTerm(curves map[Configuration]curve, judged []Choice, fresh []uint64, laws []fit.PowerLaw, testExamples int) float64 {
	term := 0.0
	for k, s := range fresh {
		sd := 0.0
		for _, ch := range judged {
			e, _ := curves[ch.Config].atWith(ch.Trained, func(p Point) (float64, bool) { e, ok := p.Errors[s]; return e, ok })
			f := laws[k].Eval(ch.Trained)
			sd += math.Sqrt(pairedTestVariance(e, f, testExamples)) / math.Sqrt(e*f) / float64(len(judged))
		}
		term += sd * sd / float64(len(fresh))
	}
	return term
}

// bootstrapPowerLaw is verdict.BootstrapTestTerm of d_s (recomputed by d with the
// errors of a resample, less d_s from the same per-example results
// unresampled) over Resamples resamples of the test examples, for the
// runs of the points ps on the fresh seeds; it also returns how many of
// those runs lack per-example results (then no resample can be made and
// the term is 0: the caller falls back).
func bootstrapPowerLaw(ps []Point, fresh []uint64, testExamples int,
	d func(uint64, func(Point) (float64, bool)) (float64, fit.PowerLaw, error)) (float64, int, error) {
	correct := map[runID][]uint8{}
	missing := 0
	for _, p := range ps {
		for _, s := range fresh {
			if _, ok := p.Errors[s]; !ok {
				continue
			}
			bits, ok := unpackBits(p.Correct[s], testExamples)
			if !ok {
				missing++
				continue
			}
			correct[p.run(s)] = bits
		}
	}
	if missing > 0 {
		return 0, missing, nil
	}
	// dAt is every fresh seed's d_s with each run's error counted over the
	// test examples weighted by counts (all ones: the test set itself).
	dAt := func(counts []int32) ([]float64, error) {
		errs := make(map[runID]float64, len(correct))
		for r, bits := range correct {
			right := int32(0)
			for i, c := range bits {
				right += int32(c) * counts[i]
			}
			errs[r] = 1 - float64(right)/float64(testExamples)
		}
		out := make([]float64, len(fresh))
		for k, s := range fresh {
			var err error
			if out[k], _, err = d(s, func(p Point) (float64, bool) { e, ok := errs[p.run(s)]; return e, ok }); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	counts := make([]int32, testExamples)
	for i := range counts {
		counts[i] = 1
	}
	// The baseline of the deltas is d_s from the same per-example results
	// (equal to ds where the records' errors are their mean).
	base, err := dAt(counts)
	if err != nil {
		return 0, 0, err
	}
	rng := rand.New(rand.NewPCG(0x5eed, 0xb007))
	delta := make([][]float64, Resamples)
	for b := range delta {
		clear(counts)
		for range testExamples {
			counts[rng.IntN(testExamples)]++
		}
		db, err := dAt(counts)
		if err != nil {
			return 0, 0, fmt.Errorf("bootstrap resample %d: %w", b, err)
		}
		for k := range db {
			db[k] -= base[k]
		}
		delta[b] = db
	}
	term, err := verdict.BootstrapTestTerm(delta)
	return term, 0, err
}

// runID names one run of a point: its configuration and seed.
type runID struct {
	Metric, Keep      string
	Fraction, Balance float64
	Size              int
	Seed              uint64
}

func (p Point) run(seed uint64) runID {
	return runID{p.Metric, p.Keep, p.Fraction, p.Balance, p.Size, seed}
}

// ChoicesString lists c*(m), for a notebook's parameters and a summary,
// marking where the abundant range that the claim is judged on starts.
func (t PowerLawTest) ChoicesString() string {
	var b strings.Builder
	for i, c := range t.Choices {
		switch {
		case i == t.Range && len(t.Choices) > 0 && t.Range >= 0:
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString("judged from here: ")
		case i > 0:
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "m = %.0f: %s", c.Trained, c.Config)
	}
	return b.String()
}

// configurationCurves groups the points (balance 0) of a metric's keep
// policies, random pruning and no pruning by configuration.
func configurationCurves(ps []Point, metric string) map[Configuration]curve {
	out := map[Configuration]curve{}
	for _, p := range ps {
		if p.Balance != 0 || p.DynamicPrune != 0 {
			continue
		}
		var c Configuration
		switch {
		case p.Fraction == 1:
			c = Configuration{Metric: "none", Keep: "all", Fraction: 1}
		case p.Metric == "random" || p.Metric == metric:
			c = Configuration{Metric: p.Metric, Keep: p.Keep, Fraction: p.Fraction}
		default:
			continue
		}
		cv := out[c]
		cv.points = append(cv.points, p)
		out[c] = cv
	}
	for c, cv := range out {
		sort.Slice(cv.points, func(a, b int) bool { return cv.points[a].Trained < cv.points[b].Trained })
		cv.trained = nil
		for _, p := range cv.points {
			cv.trained = append(cv.trained, p.Trained)
		}
		out[c] = cv
	}
	return out
}

// at interpolates the curve's error, averaged over seeds, at m examples
// trained on (atWith, with the mean over the seeds, which a point must all
// have).
func (cv curve) at(m float64, seeds []uint64) (float64, bool) {
	return cv.atWith(m, func(p Point) (float64, bool) {
		sum := 0.0
		for _, s := range seeds {
			e, has := p.Errors[s]
			if !has {
				return 0, false
			}
			sum += e
		}
		return sum / float64(len(seeds)), len(seeds) > 0
	})
}

// atWith interpolates the curve's error at m examples trained on, each
// point's error given by errOf: linearly in log error against log m between
// the two neighbouring points that have a positive error, never beyond the
// first or last such point (false there, or without such points).
func (cv curve) atWith(m float64, errOf func(Point) (float64, bool)) (float64, bool) {
	var xs, ys []float64
	for _, p := range cv.points {
		if e, ok := errOf(p); ok && e > 0 {
			xs, ys = append(xs, math.Log(p.Trained)), append(ys, math.Log(e))
		}
	}
	x := math.Log(m)
	const tol = 1e-9 // m equal to a point's mean examples trained on, up to rounding
	for i := range xs {
		if math.Abs(xs[i]-x) <= tol {
			return math.Exp(ys[i]), true
		}
		if i > 0 && xs[i-1] < x && x < xs[i] {
			w := (x - xs[i-1]) / (xs[i] - xs[i-1])
			return math.Exp(ys[i-1] + w*(ys[i]-ys[i-1])), true
		}
	}
	return 0, false
}
