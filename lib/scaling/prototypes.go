package scaling

import (
	"sort"
	"strconv"
	"strings"

	"beyondscaling/lib/sweep"
)

// sslPrefix names self-supervised prototypes at a given k: "ssl-prototypes@20".
const sslPrefix = "ssl-prototypes@"

// AccuracySeries is test accuracy (%) with its standard error against one variable,
// sorted by that variable. A NaN SEM is a missing interval (one seed).
type AccuracySeries struct {
	X, Acc, SEM []float64
}

func (s *AccuracySeries) add(x float64, p Point) {
	s.X, s.Acc, s.SEM = append(s.X, x), append(s.Acc, 100*(1-p.Mean)), append(s.SEM, 100*p.SEM)
}

// sortByX orders the series by X, so that a line through it never zig-zags.
func (s *AccuracySeries) sortByX() {
	idx := make([]int, len(s.X))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.X[idx[a]] < s.X[idx[b]] })
	x, a, e := make([]float64, len(idx)), make([]float64, len(idx)), make([]float64, len(idx))
	for k, i := range idx {
		x[k], a[k], e[k] = s.X[i], s.Acc[i], s.SEM[i]
	}
	s.X, s.Acc, s.SEM = x, a, e
}

// PrototypeK is the data of Fig. 6's sensitivity to k: the accuracy of
// keeping the hardest fraction f of n by self-supervised prototypes with k
// clusters (metrics "ssl-prototypes@k"), sorted by k, and the accuracy of
// every other metric at the same n and f, unbalanced.
func PrototypeK(ps []Point, size int, fraction float64) (byK AccuracySeries, others map[string]float64) {
	others = map[string]float64{}
	for _, p := range ps {
		if p.Size != size || p.Fraction != fraction || p.Balance != 0 {
			continue
		}
		if ks, ok := strings.CutPrefix(p.Metric, sslPrefix); ok {
			if k, err := strconv.Atoi(ks); err == nil {
				byK.add(float64(k), p)
			}
		} else {
			others[p.Metric] = 100 * (1 - p.Mean)
		}
	}
	byK.sortByX()
	return byK, others
}

// PrototypeBalance is the data of Fig. 6's class-balancing panel: accuracy
// against the class-balancing ratio r for a metric at (n, f), sorted by r.
// Self-supervised prototypes at r = 0 are the unbalanced runs at the
// preset's k (metric "ssl-prototypes@k"); balanced runs use "ssl-prototypes".
func PrototypeBalance(ps []Point, metric string, size int, fraction float64, clusters int) AccuracySeries {
	var s AccuracySeries
	for _, p := range ps {
		if p.Size != size || p.Fraction != fraction {
			continue
		}
		if p.Metric == metric || (metric == "ssl-prototypes" && p.Balance == 0 && p.Metric == sslPrefix+strconv.Itoa(clusters)) {
			s.add(p.Balance, p)
		}
	}
	s.sortByX()
	return s
}

// PrototypeEffects are notebook 06's measured effects: each metric of the
// k sweep against random at its first fraction, then each balanced sweep,
// graded on the dataset's test split.
func PrototypeEffects(ps []Point, specs []sweep.Spec) ([]Effect, error) {
	s := specs[0]
	tests, err := TestExamples(s.Dataset)
	if err != nil {
		return nil, err
	}
	design := ClaimDesign{TestExamples: tests}
	effects := BeatsRandom(ps, s.Metrics, s.Sizes[0], s.Fractions[:1], 0, design)
	for _, b := range specs[1:] {
		effects = append(effects, BeatsRandom(ps, b.Metrics, b.Sizes[0], b.Fractions, b.Balance, design)...)
	}
	return effects, nil
}
