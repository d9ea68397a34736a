package rank

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The table ranks each column once; its values must equal the pairwise
// Spearman (gonum's Pearson correlation of the ranks), to 1e-12, with ties
// (a binary column, rounded columns) and a constant column (NaN).
func TestSpearmanTableMatchesPairwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 5000
	latent := make([]float64, n)
	for i := range latent {
		latent[i] = rng.NormFloat64()
	}
	cols := make([][]float64, 6)
	for k := range cols {
		cols[k] = make([]float64, n)
	}
	for i, u := range latent {
		cols[0][i] = u + 0.3*rng.NormFloat64()
		cols[1][i] = math.Exp(u) + rng.NormFloat64()
		cols[2][i] = math.Round(2 * (u + rng.NormFloat64())) // many ties
		if u+rng.NormFloat64() > 0.5 {                       // binary, like active learning
			cols[3][i] = 1
		}
		cols[4][i] = rng.Float64() // random
		cols[5][i] = 7             // constant
	}
	var tab SpearmanTable
	for _, c := range cols {
		if err := tab.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	m := tab.Matrix()
	for i := range cols {
		for j := range cols {
			want := Spearman(cols[i], cols[j])
			got := m[i][j]
			if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && math.Abs(got-want) > 1e-12) {
				t.Errorf("rho[%d][%d] = %v, pairwise Spearman %v", i, j, got, want)
			}
		}
	}
	if err := tab.Add(make([]float64, n-1)); err == nil {
		t.Error("a column of another length was added")
	}
}

func TestRanksTiesAndOrder(t *testing.T) {
	for _, c := range []struct{ x, want []float64 }{
		{[]float64{3, 1, 3, 2}, []float64{3.5, 1, 3.5, 2}},
		{[]float64{5, 5, 5}, []float64{2, 2, 2}},
		{[]float64{-1, 10, 0.5}, []float64{1, 3, 2}},
		{nil, []float64{}},
	} {
		got := Ranks(c.x)
		for i := range c.want {
			if got[i] != c.want[i] {
				t.Errorf("Ranks(%v) = %v, want %v", c.x, got, c.want)
				break
			}
		}
	}
}

// The example of Wikipedia's "Spearman's rank correlation coefficient"
// article (IQ against hours of television): ρ = −29/165.
func TestSpearmanPublishedExample(t *testing.T) {
	iq := []float64{106, 100, 86, 101, 99, 103, 97, 113, 112, 110}
	tv := []float64{7, 27, 2, 50, 28, 29, 20, 12, 6, 17}
	if got := Spearman(iq, tv); math.Abs(got-(-29.0/165)) > 1e-12 {
		t.Errorf("ρ = %.12f, want %.12f", got, -29.0/165)
	}
	if r := Ranks([]float64{3, 1, 3, 2}); r[0] != 3.5 || r[1] != 1 || r[2] != 3.5 || r[3] != 2 {
		t.Errorf("tied ranks %v", r)
	}
	if !math.IsNaN(Spearman([]float64{1, 1, 1}, []float64{1, 2, 3})) {
		t.Error("constant input should give NaN")
	}
}
