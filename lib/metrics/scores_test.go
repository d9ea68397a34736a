package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestEL2NClosedForm(t *testing.T) {
	// Two classes. Example 0: logits (0, 0) -> p = (½, ½), ‖p - e0‖ = √½.
	// Example 1: logits (ln 3, 0) -> p = (¾, ¼), label 1: ‖(¾, -¾)‖ = ¾√2.
	logits := []float32{0, 0, float32(math.Log(3)), 0}
	got := EL2N([][]float32{logits}, []int32{0, 1}, 2)
	if !near(got[0], math.Sqrt(0.5), 1e-6) || !near(got[1], 0.75*math.Sqrt2, 1e-6) {
		t.Errorf("EL2N %v, want [%g %g]", got, math.Sqrt(0.5), 0.75*math.Sqrt2)
	}
	// Averaging over two networks.
	two := EL2N([][]float32{logits, {0, 0, 0, 0}}, []int32{0, 1}, 2)
	if !near(two[1], (0.75*math.Sqrt2+math.Sqrt(0.5))/2, 1e-6) {
		t.Errorf("two-network EL2N %v", two)
	}
	// GraNd multiplies by √(‖h‖²+1): h = (3, 4) -> ×√26.
	g := GraNd([][]float32{logits}, [][]float32{{3, 4, 0, 0}}, []int32{0, 1}, 2, 2)
	if !near(g[0], math.Sqrt(0.5)*math.Sqrt(26), 1e-5) || !near(g[1], 0.75*math.Sqrt2, 1e-6) {
		t.Errorf("GraNd %v", g)
	}
}

func TestForgettingAndAUM(t *testing.T) {
	// Columns are examples; rows epochs. -1 = not presented.
	correct := [][]int8{
		{1, 0, 0, 1, -1},
		{0, 1, 0, 1, 1},
		{1, 0, 0, 1, -1},
		{0, 1, 0, 1, 0},
	}
	want := []float64{2, 1, 4, 0, 1} // example 2 never learned: the maximum (4 epochs)
	got := Forgetting(correct)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("forgetting %v, want %v", got, want)
			break
		}
	}
	nan := float32(math.NaN())
	aum := AUM([][]float32{{1, -2, nan}, {3, -4, 2}})
	if aum[0] != -2 || aum[1] != 3 || aum[2] != -2 {
		t.Errorf("AUM %v, want [-2 3 -2]", aum)
	}
}

// Memorization and influence against a brute-force reading of their
// definitions, on random memberships where example 0 is learnable only
// when present, example 1 always, and test example 0 is right only when
// training example 2 was used.
func TestMemorizationAndInfluence(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const K, N, T = 40, 6, 5
	member := make(Membership, K)
	correct := make([][]bool, K)
	testCorrect := make([][]bool, K)
	for k := 0; k < K; k++ {
		member[k] = make([]bool, N)
		correct[k] = make([]bool, N)
		testCorrect[k] = make([]bool, T)
		for i := range member[k] {
			member[k][i] = rng.Float64() < 0.7
			correct[k][i] = rng.Float64() < 0.5
		}
		correct[k][0] = member[k][0]
		correct[k][1] = true
		for j := range testCorrect[k] {
			testCorrect[k][j] = rng.Float64() < 0.6
		}
		testCorrect[k][0] = member[k][2]
	}
	mem, err := Memorization(member, correct)
	if err != nil {
		t.Fatal(err)
	}
	if mem[0] != 1 || mem[1] != 0 {
		t.Errorf("memorization %v: want 1 for the example learnable only when present, 0 for the always-right one", mem)
	}
	mx, sa, err := Influence(member, testCorrect)
	if err != nil {
		t.Fatal(err)
	}
	if mx[2] != 1 {
		t.Errorf("influence-max of example 2 = %g, want 1", mx[2])
	}
	for i := 0; i < N; i++ {
		best, sum := math.Inf(-1), 0.0
		for j := 0; j < T; j++ {
			var a, an, b, bn float64
			for k := 0; k < K; k++ {
				v := 0.0
				if testCorrect[k][j] {
					v = 1
				}
				if member[k][i] {
					a += v
					an++
				} else {
					b += v
					bn++
				}
			}
			infl := a/an - b/bn
			best = math.Max(best, infl)
			sum += math.Abs(infl)
		}
		if !near(mx[i], best, 1e-12) || !near(sa[i], sum, 1e-12) {
			t.Errorf("example %d: influence %g %g, brute force %g %g", i, mx[i], sa[i], best, sum)
		}
	}
	d := DDD(member, correct)
	if d[0] != 1 || d[1] != 0 {
		t.Errorf("DDD %v: want 1 (impossible when held out) and 0 (trivial)", d[:2])
	}
	if _, err := Memorization(member[:3], correct); err == nil {
		t.Error("mismatched runs accepted")
	}
}

func TestEnsembleEntropy(t *testing.T) {
	// Uniform predictions: ln 4; two confident networks that disagree: ln 2.
	big := float32(50)
	h := EnsembleEntropy([][]float32{{0, 0, 0, 0, big, 0, 0, 0}, {0, 0, 0, 0, 0, big, 0, 0}}, 2, 4)
	if !near(h[0], math.Log(4), 1e-9) || !near(h[1], math.Log(2), 1e-9) {
		t.Errorf("entropy %v, want [ln4 ln2]", h)
	}
}

// Duplicated images have identical embeddings: at the class mean they get
// the smallest supervised-prototype distance; an outlier the largest.
func TestPrototypes(t *testing.T) {
	emb := []float32{
		1, 0, // class 0
		1, 0, // its duplicate
		0.8, 0.6,
		0, -1, // outlier of class 0
		0, 1, // class 1
		0.1, 1,
	}
	labels := []int32{0, 0, 0, 0, 1, 1}
	d := SupervisedPrototypes(emb, 2, labels, 2)
	if !(d[0] == d[1] && d[0] < d[2] && d[2] < d[3]) {
		t.Errorf("supervised prototype distances %v", d)
	}
	// Self-supervised: three tight clusters and one point between them;
	// duplicates of a cluster centre are the closest.
	rng := rand.New(rand.NewPCG(3, 3))
	var e []float32
	centres := [][2]float64{{1, 0}, {0, 1}, {-1, 0}}
	for c := 0; c < 3; c++ {
		for k := 0; k < 20; k++ {
			a := math.Atan2(centres[c][1], centres[c][0]) + 0.05*rng.NormFloat64()
			e = append(e, float32(math.Cos(a)), float32(math.Sin(a)))
		}
	}
	e = append(e, 1, 0, 1, 0, -1, -1) // two duplicates at a centre, one outlier
	n := len(e) / 2
	s, err := SelfSupervisedPrototypes(e, n, 2, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n-1; i++ {
		if s[i] >= s[n-1] {
			t.Fatalf("point %d (distance %g) is not closer than the outlier (%g)", i, s[i], s[n-1])
		}
	}
	if s[n-3] != s[n-2] || s[n-3] > 0.01 {
		t.Errorf("duplicates at a centre: distances %g and %g", s[n-3], s[n-2])
	}
}

// The example of Wikipedia's "Spearman's rank correlation coefficient"
// article (IQ against hours of television): ρ = −29/165.
func TestSpearmanPublishedExample(t *testing.T) {
	iq := []float64{106, 100, 86, 101, 99, 103, 97, 113, 112, 110}
	tv := []float64{7, 27, 2, 50, 28, 29, 20, 12, 6, 17}
	if got := Spearman(iq, tv); !near(got, -29.0/165, 1e-12) {
		t.Errorf("ρ = %.12f, want %.12f", got, -29.0/165)
	}
	if r := Ranks([]float64{3, 1, 3, 2}); r[0] != 3.5 || r[1] != 1 || r[2] != 3.5 || r[3] != 2 {
		t.Errorf("tied ranks %v", r)
	}
	if !math.IsNaN(Spearman([]float64{1, 1, 1}, []float64{1, 2, 3})) {
		t.Error("constant input should give NaN")
	}
}
