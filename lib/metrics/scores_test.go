package metrics

import (
	"math"
	"math/rand/v2"
	"strings"
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
	logits := [][]float32{{0, 0, 0, 0, big, 0, 0, 0}, {0, 0, 0, 0, 0, big, 0, 0}}
	h := EnsembleEntropy(logits, nil, 2, 4)
	if !near(h[0], math.Log(4), 1e-9) || !near(h[1], math.Log(2), 1e-9) {
		t.Errorf("entropy %v, want [ln4 ln2]", h)
	}
	// Averaged over held-out networks only: example 1 is held out of the
	// second network alone (confident: entropy 0), example 0 of none
	// (undefined).
	h = EnsembleEntropy(logits, Membership{{true, true}, {true, false}}, 2, 4)
	if !math.IsNaN(h[0]) || !near(h[1], 0, 1e-9) {
		t.Errorf("held-out entropy %v, want [NaN 0]", h)
	}
}

// An example that no network held out has no memorization, influence or
// DDD: NaN (then imputed by Compute), not 0 or 0.5, which look measured.
func TestUndefinedWithoutHeldOutNetwork(t *testing.T) {
	member := Membership{{true, true, false}, {true, false, true}}
	correct := [][]bool{{true, true, false}, {true, false, true}}
	mem, err := Memorization(member, correct)
	if err != nil {
		t.Fatal(err)
	}
	d := DDD(member, correct)
	mx, sa, err := Influence(member, [][]bool{{true}, {false}})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string][]float64{"memorization": mem, "ddd": d, "influence-max": mx, "influence-sum-abs": sa} {
		if !math.IsNaN(v[0]) {
			t.Errorf("%s of an example in every network = %g, want NaN (undefined)", name, v[0])
		}
		if math.IsNaN(v[1]) || math.IsNaN(v[2]) {
			t.Errorf("%s of held-out examples %v: want defined", name, v)
		}
	}
	if mem[1] != 1 || d[1] != 1 {
		t.Errorf("example 1 right only when trained on: memorization %g, DDD %g, want 1 and 1", mem[1], d[1])
	}
}

// The subset design holds every example out of at least one network from
// 4 networks at 70% on, every network trains on round(0.7 n) examples, and
// below that bound it cannot (the undefined ones are counted, not hidden).
func TestHeldOutDesignCoversEveryExample(t *testing.T) {
	for _, c := range []struct {
		n, k     int
		fraction float64
	}{{400, 4, 0.7}, {2000, 8, 0.7}, {1001, 16, 0.7}, {512, 6, 0.8}, {97, 100, 0.7}} {
		member := HeldOutDesign(c.n, c.k, c.fraction, 3)
		heldOut := make([]int, c.n)
		for k, m := range member {
			in := 0
			for i, v := range m {
				if v {
					in++
				} else {
					heldOut[i]++
				}
			}
			if want := int(c.fraction*float64(c.n) + 0.5); in != want {
				t.Errorf("n=%d k=%d: network %d trains on %d, want %d", c.n, c.k, k, in, want)
			}
		}
		for i, h := range heldOut {
			if h == 0 {
				t.Errorf("n=%d k=%d f=%g: example %d is in every network", c.n, c.k, c.fraction, i)
				break
			}
		}
		// Held-out counts are balanced: the mean is k(1−f), none is far from it.
		mean := float64(c.k) * (1 - c.fraction)
		for i, h := range heldOut {
			if math.Abs(float64(h)-mean) > 4*math.Sqrt(mean)+1 {
				t.Errorf("n=%d k=%d: example %d held out %d times, mean %.1f", c.n, c.k, i, h, mean)
				break
			}
		}
	}
	// With 2 networks at 70% (60% held out in all) some examples stay in both.
	member := HeldOutDesign(1000, 2, 0.7, 3)
	both := 0
	for i := range member[0] {
		if member[0][i] && member[1][i] {
			both++
		}
	}
	if both == 0 {
		t.Error("2 networks at 70% cannot hold out every example, yet none is in both")
	}
}

// Undefined scores get the median of the defined ones, and the count goes
// into the sidecar and the caption.
func TestImputeMedian(t *testing.T) {
	nan := math.NaN()
	v := []float64{0.1, nan, 0.5, 0.3, nan}
	imp := ImputeMedian(v)
	if imp.Undefined != 2 || imp.Total != 5 || imp.Value != 0.3 || v[1] != 0.3 || v[4] != 0.3 || v[0] != 0.1 {
		t.Errorf("imputation %+v, values %v", imp, v)
	}
	if p := imp.Params(); p["undefined_examples"] != "2" || !strings.Contains(p["imputation"], ImputationRule) {
		t.Errorf("sidecar parameters %v", p)
	}
	if c := imp.Caption("ddd"); !strings.Contains(c, "2 of 5") || !strings.Contains(c, ImputationRule) {
		t.Errorf("caption %q", c)
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
