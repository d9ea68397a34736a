package verdict

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// exampleType is a kind of test example in the simulated population: the
// probabilities that networks A and B classify it correctly, before a
// run's shift, and whether the run's shift applies to it.
type exampleType struct {
	weight, pA, pB float64
	shifted        bool
}

// regime is a simulated population of test examples and of seeds: each
// run (a seed's network A or B) draws a shift uniform in ±shift that moves
// the correctness probability of the shifted example types; each example's
// correctness is then a coin flip (the seed-by-example noise).
type regime struct {
	name  string
	types []exampleType
	shift float64
}

// truth is the population's paired difference error(A) − error(B) =
// E[p_B − p_A] (the shifts have mean zero).
func (r regime) truth() float64 {
	d := 0.0
	for _, t := range r.types {
		d += t.weight * (t.pB - t.pA)
	}
	return d
}

// experiment draws T test examples from the population and S seeds, and
// returns each seed's difference d_s, the per-example differences x_si and
// each seed's disagreement count.
func (r regime) experiment(rng *rand.Rand, S, T int) (d []float64, x [][]int8, disagree []int) {
	kinds := make([]int, T)
	for i := range kinds {
		u, k := rng.Float64(), 0
		for k < len(r.types)-1 && u > r.types[k].weight {
			u -= r.types[k].weight
			k++
		}
		kinds[i] = k
	}
	for range S {
		sA, sB := r.shift*(2*rng.Float64()-1), r.shift*(2*rng.Float64()-1)
		xs := make([]int8, T)
		n := 0
		sum := 0
		for i, k := range kinds {
			t := r.types[k]
			pA, pB := t.pA, t.pB
			if t.shifted {
				pA, pB = pA+sA, pB+sB
			}
			var a, b int8
			if rng.Float64() < pA {
				a = 1
			}
			if rng.Float64() < pB {
				b = 1
			}
			xs[i] = b - a
			sum += int(xs[i])
			if a != b {
				n++
			}
		}
		d = append(d, float64(sum)/float64(T))
		x = append(x, xs)
		disagree = append(disagree, n)
	}
	return d, x, disagree
}

// The verdict rule covers the truth about 95% of the time: by simulation,
// 2,000 experiments of known population difference per case, at 3 and 10
// seeds, in three regimes: the seed spread dominant (example effects
// none), example effects dominant (examples that one network gets right
// and the other wrong, no seed shift), and one like the Fashion-MNIST
// records (most examples always right, an ambiguous tenth whose
// probability moves with the seed, a few with an effect; about 1 point of
// seed spread and D/T about 0.07). Coverage must be at least 93% in all,
// at most 97% where the seed spread dominates (where example effects
// dominate, t(S − 1) makes the interval conservative). The rule used
// before, which added each seed's (D/T − d²)/T undivided by S, counts the
// seed-by-example noise twice: it over-covers, at least 99% in the
// records-like regime, which this test shows too.
func TestVerdictRuleCoverage(t *testing.T) {
	const experiments, T = 2000, 1000
	regimes := []regime{
		{name: "seed spread dominant", shift: 0.05,
			types: []exampleType{{weight: 1, pA: 0.6, pB: 0.61, shifted: true}}},
		{name: "example effects dominant", shift: 0,
			types: []exampleType{{weight: 0.5125, pA: 0.1, pB: 0.9}, {weight: 0.4875, pA: 0.9, pB: 0.1}}},
		{name: "like the records", shift: 0.1,
			types: []exampleType{{weight: 0.84, pA: 0.985, pB: 0.985}, {weight: 0.12, pA: 0.4, pB: 0.4, shifted: true},
				{weight: 0.024, pA: 0.3, pB: 0.55}, {weight: 0.016, pA: 0.55, pB: 0.3}}},
	}
	for _, r := range regimes {
		for _, S := range []int{3, 10} {
			rng := rand.New(rand.NewPCG(uint64(S), uint64(len(r.name))))
			truth := r.truth()
			covered, coveredOld := 0, 0
			var spread, dt []float64
			for range experiments {
				d, x, disagree := r.experiment(rng, S, T)
				term, err := PairedTestTerm(x)
				if err != nil {
					t.Fatal(err)
				}
				e, _, err := Verdict(d, term, -1)
				if err != nil {
					t.Fatal(err)
				}
				if e.Lo <= truth && truth <= e.Hi {
					covered++
				}
				// The old rule: the mean per-seed test variance, not divided by S.
				old := 0.0
				for s := range d {
					old += PairedTestVariance(d[s], disagree[s], T) / float64(S)
					dt = append(dt, float64(disagree[s])/T)
				}
				mean, variance := stat.MeanVariance(d, nil)
				half := StudentT975(S-1) * math.Sqrt(variance/float64(S)+old)
				if mean-half <= truth && truth <= mean+half {
					coveredOld++
				}
				spread = append(spread, math.Sqrt(variance))
			}
			cov, covOld := float64(covered)/experiments, float64(coveredOld)/experiments
			t.Logf("%s, %d seeds: coverage %.3f (old rule %.3f); seed s.d. of d_s %.4f, D/T %.3f, truth %+.4f",
				r.name, S, cov, covOld, stat.Mean(spread, nil), stat.Mean(dt, nil), truth)
			if cov < 0.93 {
				t.Errorf("%s, %d seeds: coverage %.3f, want at least 0.93", r.name, S, cov)
			}
			if r.name == "seed spread dominant" && cov > 0.97 {
				t.Errorf("%s, %d seeds: coverage %.3f, want at most 0.97", r.name, S, cov)
			}
			if r.name == "like the records" && covOld < 0.99 {
				t.Errorf("%s, %d seeds: the old rule covers %.3f, expected at least 0.99 (it counts the seed-by-example noise twice)", r.name, S, covOld)
			}
		}
	}
}

// PairedTestTerm against a direct computation on a small table (S = 3
// seeds, T = 4 examples): var_i(x̄_i) with T − 1, w the mean over examples
// of the across-seed variance with S − 1.
func TestPairedTestTermByHand(t *testing.T) {
	x := [][]int8{{1, 0, -1, 1}, {1, 1, 0, 0}, {0, 0, -1, 1}}
	means := []float64{2. / 3, 1. / 3, -2. / 3, 2. / 3}
	varMeans := stat.Variance(means, nil)
	w := 0.0
	for i := range 4 {
		w += stat.Variance([]float64{float64(x[0][i]), float64(x[1][i]), float64(x[2][i])}, nil) / 4
	}
	want := math.Max(0, varMeans-w/3) / 4
	got, err := PairedTestTerm(x)
	if err != nil || math.Abs(got-want) > 1e-15 {
		t.Errorf("PairedTestTerm = %g, %v; want %g", got, err, want)
	}
	if _, err := PairedTestTerm([][]int8{{1, 0}, {1}}); err == nil {
		t.Error("seeds with different numbers of test examples accepted")
	}
	if got, err := PairedTestTerm([][]int8{{1, 0, 1}}); got != 0 || err != nil {
		t.Errorf("one seed: %g, %v; want 0 (no interval)", got, err)
	}
}

// For a statistic that is a mean over examples (a paired difference), the
// bootstrap term equals the closed form of PairedTestTerm up to the
// bootstrap's own noise: 2,000 resamples applied to every seed, within 15%
// (the relative standard error of a variance from 2,000 resamples is
// about 3%; the two differ also by T/(T − 1)).
func TestBootstrapTermMatchesPairedTerm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	r := regime{name: "mixed", shift: 0.05, types: []exampleType{{weight: 0.6, pA: 0.9, pB: 0.9, shifted: true},
		{weight: 0.25, pA: 0.2, pB: 0.8}, {weight: 0.15, pA: 0.7, pB: 0.3}}}
	const S, T, B = 5, 800, 2000
	d, x, _ := r.experiment(rng, S, T)
	want, err := PairedTestTerm(x)
	if err != nil {
		t.Fatal(err)
	}
	delta := make([][]float64, B)
	for b := range delta {
		counts := make([]int, T)
		for range T {
			counts[rng.IntN(T)]++
		}
		delta[b] = make([]float64, S)
		for s := range S {
			sum := 0
			for i, c := range counts {
				sum += c * int(x[s][i])
			}
			delta[b][s] = float64(sum)/T - d[s]
		}
	}
	got, err := BootstrapTestTerm(delta)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 0.15*want {
		t.Errorf("bootstrap term %g, closed form %g", got, want)
	}
}

// The verdict rule against hand computations, and its refusals.
func TestVerdict(t *testing.T) {
	e, v, err := Verdict([]float64{1, 2, 3}, 0.1, +1)
	if err != nil {
		t.Fatal(err)
	}
	// mean 2, var 1: s.e.² = 1/3 + 0.1.
	se := math.Sqrt(1./3 + 0.1)
	tq := 4.302652729911275 // t(0.975, 2), from tables
	if math.Abs(e.Mean-2) > 1e-12 || math.Abs(e.SE-se) > 1e-12 || math.Abs(e.Lo-(2-tq*se)) > 1e-9 || v != NotResolved {
		t.Errorf("got %+v %s; want mean 2, s.e. %g, low %g (below 0: not resolved)", e, v, se, 2-tq*se)
	}
	for _, c := range []struct {
		d    []float64
		term float64
		sign int
		want string
	}{
		{[]float64{-1, -1.1, -0.9}, 0, -1, Yes},
		{[]float64{-1, -1.1, -0.9}, 0, +1, Opposite},
		{[]float64{-1, 1, 0}, 0, -1, NotResolved},
		{[]float64{-1, -1.1, -0.9}, 1, -1, NotResolved}, // the test-set term widens it
		{[]float64{-1}, 0, -1, NotResolved},             // one seed: no interval
		{nil, 0, -1, NotMeasured},
	} {
		e, v, err := Verdict(c.d, c.term, c.sign)
		if err != nil || v != c.want {
			t.Errorf("Verdict(%v, %g, %d) = %v %s %v; want %s", c.d, c.term, c.sign, e, v, err, c.want)
		}
	}
	for _, bad := range []struct {
		d    []float64
		term float64
		sign int
	}{{[]float64{1, 2}, -1, 1}, {[]float64{1, math.NaN()}, 0, 1}, {[]float64{1, 2}, 0, 0}, {[]float64{1, 2}, math.NaN(), 1}} {
		if _, _, err := Verdict(bad.d, bad.term, bad.sign); err == nil {
			t.Errorf("Verdict(%v, %g, %d) accepted", bad.d, bad.term, bad.sign)
		}
	}
}
