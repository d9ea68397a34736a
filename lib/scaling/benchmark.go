package scaling

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"beyondscaling/lib/rank"
	"beyondscaling/lib/sweep"
)

// RankCorrelations is the matrix of Spearman correlations between the
// metrics' scores, the metrics in alphabetical order (each ranked once:
// rank.SpearmanTable); NaN where a metric's scores are constant.
func RankCorrelations(scores map[string][]float64) (names []string, rho [][]float64, err error) {
	for m := range scores {
		names = append(names, m)
	}
	sort.Strings(names)
	var t rank.SpearmanTable
	for _, m := range names {
		if err := t.Add(scores[m]); err != nil {
			return nil, nil, fmt.Errorf("scores of %s: %w", m, err)
		}
	}
	return names, t.Matrix(), nil
}

// WriteRankCorrelations prints RankCorrelations as a table, the column
// names cut to six characters.
func WriteRankCorrelations(w io.Writer, names []string, rho [][]float64) error {
	if _, err := fmt.Fprintf(w, "%-22s", ""); err != nil {
		return err
	}
	for _, m := range names {
		fmt.Fprintf(w, " %6.6s", m)
	}
	fmt.Fprintln(w)
	for i, a := range names {
		fmt.Fprintf(w, "%-22s", a)
		for j := range names {
			fmt.Fprintf(w, " %6.2f", rho[i][j])
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkEffects are notebook 05's measured effects: every metric against
// random at each fraction below 1, unbalanced, then in the balanced sweep,
// graded on the dataset's test split. Each balanced claim's note says how
// many kept examples balancing changed for its metric (changes, from
// BalancingChanges at the balanced sweep's fraction; nil: no note). The
// claims at the fractions in cut, planned and left out to keep the main
// job within its budget, are listed as not run.
func BenchmarkEffects(ps []Point, plain, balanced sweep.Spec, changes []BalancingChange, cut []float64) ([]Effect, error) {
	tests, err := TestExamples(plain.Dataset)
	if err != nil {
		return nil, err
	}
	design := ClaimDesign{TestExamples: tests}
	var fr []float64
	for _, f := range plain.Fractions {
		if f < 1 {
			fr = append(fr, f)
		}
	}
	n := plain.Sizes[0]
	effects := BeatsRandom(ps, plain.Metrics, n, fr, 0, design)
	for _, e := range BeatsRandom(ps, plain.Metrics, n, balanced.Fractions, balanced.Balance, design) {
		for _, c := range changes {
			if e.Metric == c.Metric && e.Fraction == c.Fraction && e.Balance == c.Balance {
				e.Note = strings.TrimPrefix(e.Note+"; "+c.String(), "; ")
			}
		}
		effects = append(effects, e)
	}
	for _, f := range cut {
		for _, m := range plain.Metrics {
			if m != "random" {
				effects = append(effects, Effect{Claim: fmt.Sprintf("%s pruning beats random", m), Sign: -1, Value: unmeasured, Verdict: NotRun,
					Setting: fmt.Sprintf("n = %d, f = %g, balance 0: error(%s) − error(random)", n, f, m), Metric: m, Fraction: f,
					Note: "planned, left out to keep the main job within its hour"})
			}
		}
	}
	return effects, nil
}

// BenchmarkCurve is the data of one curve of Fig. 5: test accuracy against
// fraction kept for a metric (keep hard; random pruning for "random") at
// one initial size and class balance, sorted by fraction and ending at the
// unpruned run (f = 1) when the points have it. It is empty when the
// metric has no pruned point there.
func BenchmarkCurve(ps []Point, metric string, size int, balance float64) AccuracySeries {
	return selectionCurve(ps, metric, "hard", size, balance)
}
