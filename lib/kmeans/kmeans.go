// Package kmeans clusters embeddings by cosine similarity (spherical
// k-means) with k-means++ seeding, computing similarities in batches as
// matrix products. The self-supervised prototype metric scores an example by
// its cosine distance to the nearest centroid.
package kmeans

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"beyondscaling/lib/progress"
)

// Options control Cluster.
type Options struct {
	K        int
	MaxIter  int     // default 50
	Tol      float64 // stop when the objective improves by less (relative); default 1e-6
	Seed     uint64
	Batch    int  // rows per similarity product; default 4096
	Progress bool // print a line per iteration
}

// Result is a clustering.
type Result struct {
	Centroids *mat.Dense // K × D, unit rows
	Assign    []int      // nearest centroid of each point
	Dist      []float64  // cosine distance 1 - cos to it
	Iter      int
	Objective float64 // Σ cos(x_i, centroid of i), the quantity k-means maximises
}

// Cluster runs spherical k-means on the rows of x (N × D). Rows are
// normalised to unit length first (a zero row is an error).
func Cluster(x *mat.Dense, opt Options) (*Result, error) {
	n, d := x.Dims()
	if opt.K < 1 || opt.K > n {
		return nil, fmt.Errorf("k = %d must be in [1, %d]", opt.K, n)
	}
	if opt.MaxIter == 0 {
		opt.MaxIter = 50
	}
	if opt.Tol == 0 {
		opt.Tol = 1e-6
	}
	if opt.Batch == 0 {
		opt.Batch = 4096
	}
	u := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		r := x.RawRowView(i)
		norm := floats.Norm(r, 2)
		if norm == 0 || math.IsNaN(norm) {
			return nil, fmt.Errorf("embedding %d has norm %v: cannot use cosine geometry", i, norm)
		}
		dst := u.RawRowView(i)
		for j, v := range r {
			dst[j] = v / norm
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0xc1))
	c := seedPlusPlus(u, opt.K, rng)
	res := &Result{Assign: make([]int, n), Dist: make([]float64, n)}
	var bar *progress.Bar
	if opt.Progress {
		bar = progress.New("k-means", opt.MaxIter, "iterations")
	}
	prev := math.Inf(-1)
	for it := 1; it <= opt.MaxIter; it++ {
		res.Objective = assign(u, c, opt.Batch, res.Assign, res.Dist)
		res.Iter = it
		if bar != nil {
			bar.Add(1)
		}
		if res.Objective-prev <= opt.Tol*math.Abs(res.Objective) {
			break
		}
		prev = res.Objective
		update(u, c, res.Assign, rng)
	}
	res.Centroids = c
	return res, nil
}

// seedPlusPlus picks k centres by k-means++ (each new centre drawn with
// probability proportional to the squared chordal distance 2 - 2 cos to the
// nearest centre so far).
func seedPlusPlus(u *mat.Dense, k int, rng *rand.Rand) *mat.Dense {
	n, d := u.Dims()
	c := mat.NewDense(k, d, nil)
	first := rng.IntN(n)
	c.SetRow(0, u.RawRowView(first))
	best := make([]float64, n) // squared distance to the nearest centre
	for i := range best {
		best[i] = math.Max(0, 2-2*floats.Dot(u.RawRowView(i), u.RawRowView(first)))
	}
	for j := 1; j < k; j++ {
		total := floats.Sum(best)
		pick := rng.IntN(n)
		if total > 0 {
			r := rng.Float64() * total
			for i, b := range best {
				r -= b
				if r <= 0 {
					pick = i
					break
				}
			}
		}
		row := u.RawRowView(pick)
		c.SetRow(j, row)
		var sims mat.VecDense
		sims.MulVec(u, mat.NewVecDense(d, row))
		for i := range best {
			best[i] = math.Min(best[i], math.Max(0, 2-2*sims.AtVec(i)))
		}
	}
	return c
}

// assign finds each point's most similar centroid, batch by batch (a
// batch × K product), and returns the objective Σ max cos.
func assign(u, c *mat.Dense, batch int, out []int, dist []float64) float64 {
	n, _ := u.Dims()
	k, _ := c.Dims()
	var sims mat.Dense
	obj := 0.0
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		sims.Reset()
		sims.Mul(u.Slice(lo, hi, 0, u.RawMatrix().Cols), c.T())
		for i := lo; i < hi; i++ {
			row := sims.RawRowView(i - lo)
			bj, bv := 0, row[0]
			for j := 1; j < k; j++ {
				if row[j] > bv {
					bj, bv = j, row[j]
				}
			}
			out[i], dist[i] = bj, 1-bv
			obj += bv
		}
	}
	return obj
}

// update sets each centroid to the normalised sum of its points; an empty
// cluster is re-seeded with a random point.
func update(u, c *mat.Dense, a []int, rng *rand.Rand) {
	k, d := c.Dims()
	sum := mat.NewDense(k, d, nil)
	count := make([]int, k)
	for i, j := range a {
		floats.Add(sum.RawRowView(j), u.RawRowView(i))
		count[j]++
	}
	n, _ := u.Dims()
	for j := 0; j < k; j++ {
		row := sum.RawRowView(j)
		norm := floats.Norm(row, 2)
		if count[j] == 0 || norm == 0 {
			copy(row, u.RawRowView(rng.IntN(n)))
			norm = 1
		}
		floats.Scale(1/norm, row)
		c.SetRow(j, row)
	}
}
