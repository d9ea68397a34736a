package kmeans

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// clustered draws n points around k random unit directions in d dimensions.
func clustered(n, d, k int, spread float64, seed uint64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 3))
	centres := make([][]float64, k)
	for j := range centres {
		centres[j] = make([]float64, d)
		for t := range centres[j] {
			centres[j][t] = rng.NormFloat64()
		}
	}
	x := mat.NewDense(n, d, nil)
	truth := make([]int, n)
	for i := 0; i < n; i++ {
		j := i % k
		truth[i] = j
		for t := 0; t < d; t++ {
			x.Set(i, t, centres[j][t]+spread*rng.NormFloat64())
		}
	}
	return x, truth
}

// The reported distances are the cosine distances to the nearest returned
// centroid, recomputed here point by point.
func TestDistancesAreNearestCosine(t *testing.T) {
	x, _ := clustered(500, 16, 5, 0.5, 1)
	r, err := Cluster(x, Options{K: 5, Seed: 1, Batch: 64})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		xi := x.RawRowView(i)
		best, bj := math.Inf(1), -1
		for j := 0; j < 5; j++ {
			cj := r.Centroids.RawRowView(j)
			d := 1 - floats.Dot(xi, cj)/(floats.Norm(xi, 2)*floats.Norm(cj, 2))
			if d < best {
				best, bj = d, j
			}
		}
		if bj != r.Assign[i] || math.Abs(best-r.Dist[i]) > 1e-12 {
			t.Fatalf("point %d: assigned %d at %v, nearest %d at %v", i, r.Assign[i], r.Dist[i], bj, best)
		}
	}
}

// On small data the spherical k-means optimum can be found by brute force:
// every partition of 10 points into 2 clusters, objective Σ_c |Σ_{i∈c} u_i|.
// k-means (best of a few seeds) reaches it.
func TestReachesBruteForceOptimum(t *testing.T) {
	x, _ := clustered(10, 3, 2, 0.6, 4)
	u := mat.DenseCopyOf(x)
	for i := 0; i < 10; i++ {
		r := u.RawRowView(i)
		floats.Scale(1/floats.Norm(r, 2), r)
	}
	best := 0.0
	for mask := 0; mask < 1<<10; mask++ {
		var s [2][3]float64
		for i := 0; i < 10; i++ {
			floats.Add(s[(mask>>i)&1][:], u.RawRowView(i))
		}
		best = math.Max(best, floats.Norm(s[0][:], 2)+floats.Norm(s[1][:], 2))
	}
	got := 0.0
	for seed := uint64(0); seed < 5; seed++ {
		r, err := Cluster(x, Options{K: 2, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		got = math.Max(got, r.Objective)
	}
	if math.Abs(got-best) > 1e-9*best {
		t.Errorf("k-means objective %.12g, brute-force optimum %.12g", got, best)
	}
}

func TestRecoversClusters(t *testing.T) {
	x, truth := clustered(2000, 32, 8, 0.3, 7)
	r, err := Cluster(x, Options{K: 8, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Each found cluster should be (almost) one true cluster.
	agree := 0
	for j := 0; j < 8; j++ {
		counts := map[int]int{}
		for i, a := range r.Assign {
			if a == j {
				counts[truth[i]]++
			}
		}
		m := 0
		for _, c := range counts {
			m = max(m, c)
		}
		agree += m
	}
	if agree < 1950 {
		t.Errorf("only %d of 2000 points in their cluster's majority class", agree)
	}
}

func TestBadInput(t *testing.T) {
	x, _ := clustered(10, 3, 2, 0.5, 1)
	if _, err := Cluster(x, Options{K: 11}); err == nil {
		t.Error("k > n accepted")
	}
	x.SetRow(3, []float64{0, 0, 0})
	if _, err := Cluster(x, Options{K: 2}); err == nil {
		t.Error("zero embedding accepted")
	}
}

// BenchmarkKMeans50k is the size of self-supervised prototypes on a
// CIFAR-10-sized set: 50,000 × 512 embeddings, k = 100 (target ≤ 30 s on
// 2 cores).
// "noise" has almost no cluster structure, so it runs to the 50-iteration
// cap: the worst case.
func BenchmarkKMeans50k(b *testing.B) {
	for name, spread := range map[string]float64{"clustered": 1.0, "noise": 30.0} {
		b.Run(name, func(b *testing.B) {
			x, _ := clustered(50000, 512, 100, spread, 9)
			for b.Loop() {
				r, err := Cluster(x, Options{K: 100, Seed: 1, MaxIter: 50})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(r.Iter), "iterations")
			}
		})
	}
}
