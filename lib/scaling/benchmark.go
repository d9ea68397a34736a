package scaling

import (
	"fmt"
	"io"
	"slices"
	"sort"

	"beyondscaling/lib/data"
	"beyondscaling/lib/experiment"
	"beyondscaling/lib/metrics"
	"beyondscaling/lib/rank"
	"beyondscaling/lib/sweep"
)

// SetScores are the scores of several metrics on one initial set, aligned
// to its examples, with their labels.
type SetScores struct {
	Scores map[string][]float64 // by metric
	Labels []int32
}

// InitialSetScores reads the cached scores of every metric of a sweep on
// its first initial set (first size, first seed); "random" gets the seed's
// random scores.
func InitialSetScores(profileName string, spec sweep.Spec) (SetScores, error) {
	n, seed := spec.Sizes[0], spec.Seeds[0]
	sc, err := Scores(profileName, spec, n, seed, spec.Metrics)
	if err != nil {
		return SetScores{}, err
	}
	ds, err := data.Load(spec.Dataset, "train")
	if err != nil {
		return SetScores{}, err
	}
	set, err := experiment.InitialSet(ds, n, seed)
	if err != nil {
		return SetScores{}, err
	}
	ids := make([]string, len(set.Idx))
	out := SetScores{Scores: map[string][]float64{}, Labels: make([]int32, len(set.Idx))}
	for k, i := range set.Idx {
		ids[k], out.Labels[k] = ds.IDs[i], ds.Labels[i]
	}
	for m, s := range sc {
		if out.Scores[m], err = s.Align(ids); err != nil {
			return SetScores{}, fmt.Errorf("scores of %s: %w", m, err)
		}
	}
	if slices.Contains(spec.Metrics, "random") {
		out.Scores["random"] = metrics.Random(len(ids), seed)
	}
	return out, nil
}

// RankCorrelations is the matrix of Spearman correlations between the
// metrics' scores, the metrics in alphabetical order.
func RankCorrelations(scores map[string][]float64) (names []string, rho [][]float64) {
	for m := range scores {
		names = append(names, m)
	}
	sort.Strings(names)
	rho = make([][]float64, len(names))
	for i, a := range names {
		rho[i] = make([]float64, len(names))
		for j, b := range names {
			rho[i][j] = rank.Spearman(scores[a], scores[b])
		}
	}
	return names, rho
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
// graded on the dataset's test split.
func BenchmarkEffects(ps []Point, plain, balanced sweep.Spec) ([]Effect, error) {
	tests, err := TestExamples(plain.Dataset)
	if err != nil {
		return nil, err
	}
	design := Design{TestExamples: tests}
	var fr []float64
	for _, f := range plain.Fractions {
		if f < 1 {
			fr = append(fr, f)
		}
	}
	n := plain.Sizes[0]
	effects := BeatsRandom(ps, plain.Metrics, n, fr, 0, design)
	return append(effects, BeatsRandom(ps, plain.Metrics, n, balanced.Fractions, balanced.Balance, design)...), nil
}
