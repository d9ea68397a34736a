package rank

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Ranks are the 1-based ranks of x, ties given their average rank.
func Ranks(x []float64) []float64 {
	type pair struct {
		v float64
		i int
	}
	p := make([]pair, len(x))
	for i, v := range x {
		p[i] = pair{v, i}
	}
	slices.SortFunc(p, func(a, b pair) int { return cmp.Compare(a.v, b.v) })
	r := make([]float64, len(x))
	for i := 0; i < len(p); {
		j := i
		for j+1 < len(p) && p[j+1].v == p[i].v {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[p[k].i] = avg
		}
		i = j + 1
	}
	return r
}

// Spearman is the rank correlation of x and y (Pearson correlation of their
// ranks, ties averaged). It is NaN when either is constant.
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	return stat.Correlation(Ranks(x), Ranks(y), nil)
}

// SpearmanTable computes the Spearman correlation of every pair of many
// score columns of one length, ranking each column once when it is added
// (n log n) and keeping only its standardised ranks, so that a table of k
// columns costs k rankings and k²/2 dot products instead of k² rankings.
type SpearmanTable struct {
	n int
	z [][]float64 // standardised ranks (zero mean, unit norm); nil for a constant column
}

// Add ranks a column; every column must have the same length (at least 2).
func (t *SpearmanTable) Add(x []float64) error {
	if len(x) < 2 {
		return fmt.Errorf("a rank correlation needs at least 2 values, got %d", len(x))
	}
	if len(t.z) > 0 && len(x) != t.n {
		return fmt.Errorf("column %d has %d values, column 0 has %d", len(t.z), len(x), t.n)
	}
	t.n = len(x)
	r := Ranks(x)
	mean := float64(len(r)+1) / 2 // the mean of ranks 1..n, ties averaged or not
	ss := 0.0
	for i, v := range r {
		r[i] = v - mean
		ss += r[i] * r[i]
	}
	if ss == 0 {
		t.z = append(t.z, nil)
		return nil
	}
	inv := 1 / math.Sqrt(ss)
	for i := range r {
		r[i] *= inv
	}
	t.z = append(t.z, r)
	return nil
}

// Len is the number of columns added.
func (t *SpearmanTable) Len() int { return len(t.z) }

// Matrix is the symmetric table of Spearman correlations; NaN where a
// column is constant.
func (t *SpearmanTable) Matrix() [][]float64 {
	k := len(t.z)
	m := make([][]float64, k)
	for i := range m {
		m[i] = make([]float64, k)
	}
	for i := range k {
		for j := i; j < k; j++ {
			v := math.NaN()
			if t.z[i] != nil && t.z[j] != nil {
				v = dot(t.z[i], t.z[j])
			}
			m[i][j], m[j][i] = v, v
		}
	}
	return m
}

func dot(a, b []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}
