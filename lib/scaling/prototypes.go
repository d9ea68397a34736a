package scaling

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"beyondscaling/lib/plots"
	"beyondscaling/lib/sweep"
)

// sslPrefix names self-supervised prototypes at a given k: "ssl-prototypes@20".
const sslPrefix = "ssl-prototypes@"

// Series is test accuracy (%) with its standard error against one variable,
// sorted by that variable. A NaN SEM is a missing interval (one seed).
type Series struct {
	X, Acc, SEM []float64
}

func (s *Series) add(x float64, p Point) {
	s.X, s.Acc, s.SEM = append(s.X, x), append(s.Acc, 100*(1-p.Mean)), append(s.SEM, 100*p.SEM)
}

// sortByX orders the series by X, so that a line through it never zig-zags.
func (s *Series) sortByX() {
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
func PrototypeK(ps []Point, size int, fraction float64) (byK Series, others map[string]float64) {
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

// PrototypeKFigure draws PrototypeK for a sweep of notebook 06: accuracy
// against k, with the reference metrics as dashed horizontal lines over the
// range of k.
func PrototypeKFigure(ps []Point, spec sweep.Spec, references []string) *plots.Figure {
	n, f := spec.Sizes[0], spec.Fractions[0]
	byK, others := PrototypeK(ps, n, f)
	fig := &plots.Figure{Title: fmt.Sprintf("Self-supervised prototypes: sensitivity to k (n = %d, f = %g, %s)", n, f, spec.Preset),
		XLabel: "clusters k", YLabel: labelAcc, LogX: true, Legend: plots.BottomRight,
		Series: []plots.Series{{Label: "self-supervised prototypes", X: byK.X, Y: byK.Acc, YErr: byK.SEM, Kind: plots.LinePoints, Color: plots.Categorical[0]}}}
	if len(byK.X) < 2 {
		return fig
	}
	lo, hi := byK.X[0], byK.X[len(byK.X)-1]
	for i, m := range references {
		if v, ok := others[m]; ok {
			fig.Series = append(fig.Series, plots.Series{Label: m, X: []float64{lo, hi}, Y: []float64{v, v}, Kind: plots.Line, Dashed: true, Color: plots.Categorical[i+1]})
		}
	}
	return fig
}

// PrototypeBalance is the data of Fig. 6's class-balancing panel: accuracy
// against the class-balancing ratio r for a metric at (n, f), sorted by r.
// Self-supervised prototypes at r = 0 are the unbalanced runs at the
// preset's k (metric "ssl-prototypes@k"); balanced runs use "ssl-prototypes".
func PrototypeBalance(ps []Point, metric string, size int, fraction float64, clusters int) Series {
	var s Series
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

// PrototypeBalanceFigure draws PrototypeBalance for self-supervised
// prototypes and random pruning.
func PrototypeBalanceFigure(ps []Point, spec sweep.Spec, clusters int) *plots.Figure {
	n, f := spec.Sizes[0], spec.Fractions[0]
	fig := &plots.Figure{Title: fmt.Sprintf("Class-balancing ratio r (n = %d, f = %g)", n, f),
		XLabel: "class-balancing ratio r", YLabel: labelAcc, Legend: plots.BottomRight}
	for i, m := range []string{"ssl-prototypes", "random"} {
		s := PrototypeBalance(ps, m, n, f, clusters)
		fig.Series = append(fig.Series, plots.Series{Label: m, X: s.X, Y: s.Acc, YErr: s.SEM, Kind: plots.LinePoints, Color: plots.Categorical[i]})
	}
	return fig
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
	design := Design{TestExamples: tests}
	effects := BeatsRandom(ps, s.Metrics, s.Sizes[0], s.Fractions[:1], 0, design)
	for _, b := range specs[1:] {
		effects = append(effects, BeatsRandom(ps, b.Metrics, b.Sizes[0], b.Fractions, b.Balance, design)...)
	}
	return effects, nil
}
