package scaling

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"beyondscaling/lib/fit"
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
	Choices  []Choice
	Fresh    []uint64        // the fresh seeds, in order
	D        []float64       // d_s of each fresh seed
	TestVar  []float64       // the test set's sampling variance of each d_s
	Laws     []fit.PowerLaw  // fit_s of each fresh seed
	Estimate Estimate        // of the mean of d_s
	Verdict  string          // Verdict's, predicted sign negative
	Excluded []Configuration // baseline configurations left out of the fits (chosen ones)
}

// curve is one configuration's points, sorted by examples trained on.
type curve struct {
	trained []float64
	points  []Point
}

// BeatsPowerLaw is the protocol's one definition of "pruning beats the
// power law" (/work/shared/experiment-protocol.md), for a metric's keep
// policies over the points of a scaling sweep (balance 0):
//
//  1. Selection, on the selection seeds only: each configuration's curve
//     (mean error over the selection seeds against examples trained on) is
//     interpolated linearly in log error against log examples trained on,
//     never extrapolated; at each m of the random-pruning grid the
//     configuration with the lowest interpolated error is c*(m). Every
//     configuration competes: the metric's keep policies at each f < 1,
//     random pruning at each f, and no pruning.
//  2. Test, on each fresh seed s: error = a·m^(−ν) is fitted to that seed's
//     random-pruning and unpruned runs, leaving out every run of a chosen
//     configuration, and d_s = mean over m of log(error_s(c*(m), m)/fit_s(m)),
//     error_s interpolated the same way from seed s's runs.
//  3. The verdict is Verdict's on d_s over the fresh seeds, predicted sign
//     negative. The test-set variance of d_s is the mean over m of the
//     standard deviation of log(error/fit), the paired-difference variance
//     (with the disagreement bound) divided by error·fit, squared: the m
//     share one test set, so their errors are taken as fully correlated.
//
// Selection and fresh seeds must not overlap; testExamples is the size of
// the test set every run was graded on.
func BeatsPowerLaw(ps []Point, metric string, selection, fresh []uint64, testExamples int) (PowerLawTest, error) {
	var out PowerLawTest
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
	// 2. Test on each fresh seed.
	for _, s := range fresh {
		var n, eps []float64
		for _, c := range configs {
			if !c.powerLawBaseline() || chosen[c] {
				continue
			}
			for _, p := range curves[c].points {
				if e, ok := p.Errors[s]; ok {
					n, eps = append(n, p.Trained), append(eps, e)
				}
			}
		}
		law, err := fit.Fit(n, eps, fit.Options{Bootstrap: -1})
		if err != nil {
			return out, fmt.Errorf("beats the power law, fresh seed %d: random-pruning and unpruned runs outside the chosen configurations: %w", s, err)
		}
		sum, sd := 0.0, 0.0
		for _, ch := range out.Choices {
			e, ok := curves[ch.Config].at(ch.Trained, []uint64{s})
			if !ok {
				return out, fmt.Errorf("beats the power law, fresh seed %d: no runs of %s around %g examples", s, ch.Config, ch.Trained)
			}
			f := law.Eval(ch.Trained)
			sum += math.Log(e / f)
			sd += math.Sqrt(pairedTestVariance(e, f, testExamples) / (e * f))
		}
		k := float64(len(out.Choices))
		out.Fresh = append(out.Fresh, s)
		out.D = append(out.D, sum/k)
		out.TestVar = append(out.TestVar, (sd/k)*(sd/k))
		out.Laws = append(out.Laws, law)
	}
	var err error
	out.Estimate, out.Verdict, err = Verdict(out.D, out.TestVar, -1)
	return out, err
}

// ChoicesString lists c*(m), for a notebook's parameters and a summary.
func (t PowerLawTest) ChoicesString() string {
	var b strings.Builder
	for i, c := range t.Choices {
		if i > 0 {
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
		if p.Balance != 0 {
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
// trained on: linearly in log error against log m between the two
// neighbouring points that have every seed, never beyond the first or last
// such point (false there, or without such points).
func (cv curve) at(m float64, seeds []uint64) (float64, bool) {
	var xs, ys []float64
	for _, p := range cv.points {
		sum, ok := 0.0, true
		for _, s := range seeds {
			e, has := p.Errors[s]
			if !has || !(e > 0) {
				ok = false
				break
			}
			sum += e
		}
		if ok {
			xs, ys = append(xs, math.Log(p.Trained)), append(ys, math.Log(sum/float64(len(seeds))))
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
