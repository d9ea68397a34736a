package simulate

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Options control MaxMargin.
type Options struct {
	// Tol is the certified relative margin gap that a solution must reach:
	// (κ_upper - κ_lower) ≤ Tol·κ_upper. Default 1e-6.
	Tol float64
	// MaxIter bounds the active-set iterations. Default 50·N + 1000.
	MaxIter int
}

// Result is a max-margin student.
type Result struct {
	W          []float64 // weight vector, scaled so the support vectors have margin 1
	Kappa      float64   // achieved margin min_i y_i w·x_i / |w| over all examples
	KappaUpper float64   // certified upper bound 1/√(2 D(α)) from the dual
	Iter       int       // active-set iterations
	Support    int       // support vectors (α_i > 0)
}

// ErrNotSeparable is returned when the data cannot be separated through the origin.
var ErrNotSeparable = errors.New("data are not linearly separable through the origin")

// kktTol is how far below 1 a margin may be at the optimum (relative).
const kktTol = 1e-11

// MaxMargin finds the maximum-margin hyperplane through the origin for the
// examples x (row-major, rows of length n) with labels y ∈ {-1, +1}:
//
//	max_w min_i y_i w·x_i / |w|  ⇔  min ½|w|² s.t. y_i w·x_i ≥ 1.
//
// It solves the dual, min ½αᵀKα - Σα over α ≥ 0 with K_ij = y_i y_j x_i·x_j,
// by a primal active-set method (Lawson and Hanson's NNLS strategy): the
// support set S grows by the most violated margins, α_S solves K_SS α_S = 1
// (a Cholesky factorisation of at most N×N), and a step back to feasibility
// drops examples whose α would turn negative. Since a max-margin solution
// has at most N support vectors in general position, every iteration costs
// one pass over the examples plus an O(|S|²N) factorisation. The result is
// certified: Kappa is the achieved margin and KappaUpper the dual bound.
func MaxMargin(x, y []float64, n int, opt Options) (Result, error) {
	p := len(y)
	if p == 0 || len(x) != p*n {
		return Result{}, fmt.Errorf("max-margin: %d labels but %d inputs of dimension %d", p, len(x), n)
	}
	if opt.Tol == 0 {
		opt.Tol = 1e-6
	}
	if opt.MaxIter == 0 {
		opt.MaxIter = 50*n + 1000
	}
	row := func(i int) []float64 { return x[i*n : (i+1)*n] }
	w := make([]float64, n)
	margins := make([]float64, p)
	inS := make([]bool, p)
	var S []int
	var alpha []float64 // aligned with S
	iter := 0

	var chol mat.Cholesky
	gram := newGramCache(x, y, n, 4*n)
	// solveS returns β with K_SS β = 1, or false if K_SS is singular.
	solveS := func(S []int) ([]float64, bool) {
		k := len(S)
		if ok := chol.Factorize(gram.sym(S)); !ok {
			return nil, false
		}
		if c := chol.Cond(); c > 1e14 {
			return nil, false
		}
		ones := mat.NewVecDense(k, nil)
		for a := 0; a < k; a++ {
			ones.SetVec(a, 1)
		}
		var beta mat.VecDense
		if err := chol.SolveVecTo(&beta, ones); err != nil {
			return nil, false
		}
		return beta.RawVector().Data, true
	}
	setW := func() {
		clear(w)
		for a, i := range S {
			floats.AddScaled(w, alpha[a]*y[i], row(i))
		}
	}

	type cand struct {
		i int
		g float64
	}
	var viol []cand
	batch := max(1, n/4)
	// The working pool: examples whose margins are checked every iteration
	// (the smallest margins under the Hebbian direction at first). Only when
	// the pool has no violator are all examples checked, and the pool is
	// rebuilt from the smallest current margins.
	poolSize := min(p, 10*n)
	pool := make([]int, 0, poolSize)
	rebuildPool := func() {
		idx := make([]int, p)
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return margins[idx[a]] < margins[idx[b]] })
		pool = append(pool[:0], idx[:poolSize]...)
	}
	hebb := make([]float64, n)
	for i := 0; i < p; i++ {
		floats.AddScaled(hebb, y[i], row(i))
	}
	computeMargins(x, y, n, hebb, margins)
	rebuildPool()
	// Start from the warm support set made optimal on itself (the
	// active-set invariant); fall back to the empty set.
	if s0, a0 := warmStart(x, y, n, pool); len(s0) > 0 {
		if s1, a1, ok := activeSetSolve(s0, a0, solveS); ok {
			S, alpha = s1, a1
			for _, i := range S {
				inS[i] = true
			}
		}
	}
	setW()
	full := false
	for ; iter < opt.MaxIter; iter++ {
		viol = viol[:0]
		if full {
			computeMargins(x, y, n, w, margins)
			for i := 0; i < p; i++ {
				if !inS[i] && margins[i] < 1-kktTol {
					viol = append(viol, cand{i, margins[i]})
				}
			}
			if len(viol) == 0 {
				break
			}
			rebuildPool()
			full = false
		} else {
			for _, i := range pool {
				m := y[i] * floats.Dot(row(i), w)
				margins[i] = m
				if !inS[i] && m < 1-kktTol {
					viol = append(viol, cand{i, m})
				}
			}
			if len(viol) == 0 {
				full = true
				iter--
				continue
			}
		}
		sort.Slice(viol, func(a, b int) bool { return viol[a].g < viol[b].g })
		// Enter a batch of the most violated examples while that makes
		// progress; Lawson-Hanson's single entry (which always makes
		// progress) otherwise, and always when K_SS nears rank N.
		add := min(len(viol), batch, max(1, n-len(S)-1))
		for {
			trialS := append([]int(nil), S...)
			for _, v := range viol[:add] {
				trialS = append(trialS, v.i)
			}
			trialAlpha := append(append([]float64(nil), alpha...), make([]float64, add)...)
			newS, newAlpha, ok := activeSetSolve(trialS, trialAlpha, solveS)
			entered := false
			for _, i := range newS {
				for _, v := range viol[:add] {
					if v.i == i {
						entered = true
					}
				}
			}
			if ok && entered {
				for _, i := range S {
					inS[i] = false
				}
				S, alpha = newS, newAlpha
				for _, i := range S {
					inS[i] = true
				}
				break
			}
			if add == 1 {
				// K over S ∪ {j} is singular: the new column is in the span of
				// the support set. Exchange it in along the null direction.
				newS, newAlpha, err := nullStep(S, alpha, viol[0].i, x, y, n)
				if err != nil {
					return Result{}, err
				}
				// Re-optimise on the exchanged support set.
				newS, newAlpha, ok = activeSetSolve(newS, newAlpha, solveS)
				if !ok {
					return Result{}, fmt.Errorf("max-margin: singular support set after exchanging example %d", viol[0].i)
				}
				for _, i := range S {
					inS[i] = false
				}
				S, alpha = newS, newAlpha
				for _, i := range S {
					inS[i] = true
				}
				break
			}
			add, batch = 1, max(1, batch/2)
		}
		setW()
	}
	if iter >= opt.MaxIter {
		return Result{}, fmt.Errorf("max-margin: no convergence in %d active-set iterations", opt.MaxIter)
	}
	wn := math.Sqrt(floats.Dot(w, w))
	if wn == 0 {
		return Result{}, ErrNotSeparable
	}
	computeMargins(x, y, n, w, margins)
	res := Result{W: w, Iter: iter, Support: len(S)}
	res.Kappa = minOf(margins) / wn
	dual := floats.Sum(alpha) - 0.5*wn*wn
	res.KappaUpper = math.Inf(1)
	if dual > 0 {
		res.KappaUpper = 1 / math.Sqrt(2*dual)
	}
	if !(res.Kappa > 0 && res.KappaUpper-res.Kappa <= opt.Tol*res.KappaUpper) {
		return res, fmt.Errorf("max-margin: margin not certified (κ in [%g, %g])", res.Kappa, res.KappaUpper)
	}
	return res, nil
}

// gramCache keeps K_ij = y_i y_j x_i·x_j for the examples seen in recent
// support sets, so that a support set differing from the last by one
// example costs one new row (|S|·N flops) instead of a whole Gram matrix.
type gramCache struct {
	x, y  []float64
	n     int
	limit int
	idx   []int
	pos   map[int]int
	k     [][]float64 // k[a][b] for cached examples a, b
}

func newGramCache(x, y []float64, n, limit int) *gramCache {
	return &gramCache{x: x, y: y, n: n, limit: limit, pos: map[int]int{}}
}

func (g *gramCache) add(i int) {
	ri := g.x[i*g.n : (i+1)*g.n]
	row := make([]float64, len(g.idx)+1)
	for b, j := range g.idx {
		v := g.y[i] * g.y[j] * floats.Dot(ri, g.x[j*g.n:(j+1)*g.n])
		row[b] = v
		g.k[b] = append(g.k[b], v)
	}
	row[len(g.idx)] = floats.Dot(ri, ri)
	g.pos[i] = len(g.idx)
	g.idx = append(g.idx, i)
	g.k = append(g.k, row)
}

// sym returns K_SS, computing only the entries not cached.
func (g *gramCache) sym(S []int) *mat.SymDense {
	missing := 0
	for _, i := range S {
		if _, ok := g.pos[i]; !ok {
			missing++
		}
	}
	if len(g.idx)+missing > g.limit { // start afresh from the current set
		g.idx, g.k, g.pos = g.idx[:0], g.k[:0], map[int]int{}
	}
	for _, i := range S {
		if _, ok := g.pos[i]; !ok {
			g.add(i)
		}
	}
	m := mat.NewSymDense(len(S), nil)
	for a, i := range S {
		ra := g.k[g.pos[i]]
		for b := a; b < len(S); b++ {
			m.SetSym(a, b, ra[g.pos[S[b]]])
		}
	}
	return m
}

// warmStart runs dual coordinate descent (α_i ← max(0, α_i + (1 - y_i w·x_i)/|x_i|²))
// over the pool for a few hundred sweeps: cheap, and enough to find most of
// the support set. It returns the examples with the largest positive α (at
// most N - 1, so K_SS stays non-singular) re-optimised exactly by the
// active-set inner loop, or an empty set if that fails.
func warmStart(x, y []float64, n int, pool []int) ([]int, []float64) {
	row := func(i int) []float64 { return x[i*n : (i+1)*n] }
	a := make([]float64, len(pool))
	q := make([]float64, len(pool))
	for k, i := range pool {
		q[k] = floats.Dot(row(i), row(i))
	}
	w := make([]float64, n)
	for sweep := 0; sweep < 300; sweep++ {
		for k, i := range pool {
			g := y[i]*floats.Dot(w, row(i)) - 1
			na := math.Max(0, a[k]-g/q[k])
			if d := na - a[k]; d != 0 {
				a[k] = na
				floats.AddScaled(w, d*y[i], row(i))
			}
		}
	}
	order := make([]int, 0, len(pool))
	for k := range pool {
		if a[k] > 0 {
			order = append(order, k)
		}
	}
	sort.Slice(order, func(u, v int) bool { return a[order[u]] > a[order[v]] })
	if len(order) > n-1 {
		order = order[:n-1]
	}
	S := make([]int, len(order))
	alpha := make([]float64, len(order))
	for u, k := range order {
		S[u], alpha[u] = pool[k], a[k]
	}
	return S, alpha
}

// activeSetSolve runs the inner loop of Lawson-Hanson on the support set S
// with a feasible α (α ≥ 0; entering members at 0): solve K_SS β = 1; if
// β > 0 that is the solution on S; otherwise step from α towards β until the
// first coordinate reaches 0, drop the coordinates at 0 and repeat. It
// reports false if a system is singular.
func activeSetSolve(S []int, alpha []float64, solve func([]int) ([]float64, bool)) ([]int, []float64, bool) {
	for len(S) > 0 {
		beta, ok := solve(S)
		if !ok {
			return S, alpha, false
		}
		t := 1.0
		for a, b := range beta {
			if b <= 0 {
				t = math.Min(t, alpha[a]/(alpha[a]-b)) // α ≥ 0 > b... or α = b = 0
			}
		}
		if t == 1 {
			return S, beta, true
		}
		keepS, keepA := S[:0:0], alpha[:0:0]
		for a, i := range S {
			v := alpha[a] + t*(beta[a]-alpha[a])
			if v > 0 && !(beta[a] <= 0 && alpha[a]/(alpha[a]-beta[a]) <= t) {
				keepS = append(keepS, i)
				keepA = append(keepA, v)
			}
		}
		S, alpha = keepS, keepA
	}
	return S, alpha, true
}

// nullStep enters example j when a_j = y_j x_j lies in the span of the
// support columns a_S (so K over S ∪ {j} is singular). With K_SS c = K_Sj,
// the direction d = (-c, 1) has A d = 0, so along α + t d the dual objective
// changes by -t 1ᵀd, and 1ᵀd = -g_j > 0 for a violated j: a descent
// direction. It steps until the first α_a reaches 0 and drops that example.
func nullStep(S []int, alpha []float64, j int, x, y []float64, n int) ([]int, []float64, error) {
	k := len(S)
	as := mat.NewDense(k, n, nil)
	for a, i := range S {
		r := as.RawRowView(a)
		for c, v := range x[i*n : (i+1)*n] {
			r[c] = y[i] * v
		}
	}
	aj := make([]float64, n)
	for c, v := range x[j*n : (j+1)*n] {
		aj[c] = y[j] * v
	}
	// c solves min |A_Sᵀ c - a_j| (least squares, exact when a_j ∈ span).
	var c mat.VecDense
	if err := c.SolveVec(as.T(), mat.NewVecDense(n, aj)); err != nil {
		return nil, nil, fmt.Errorf("max-margin: null step failed: %w", err)
	}
	t := math.Inf(1)
	for a := 0; a < k; a++ {
		if d := c.AtVec(a); d > 0 { // direction component is -d
			t = math.Min(t, alpha[a]/d)
		}
	}
	if math.IsInf(t, 1) {
		return nil, nil, ErrNotSeparable
	}
	outS := make([]int, 0, k+1)
	outA := make([]float64, 0, k+1)
	dropped := false
	for a, i := range S {
		v := alpha[a] - t*c.AtVec(a)
		if !dropped && c.AtVec(a) > 0 && alpha[a]/c.AtVec(a) <= t {
			dropped = true
			continue
		}
		outS = append(outS, i)
		outA = append(outA, math.Max(v, 0))
	}
	outS = append(outS, j)
	outA = append(outA, t)
	return outS, outA, nil
}

func computeMargins(x, y []float64, n int, w, out []float64) {
	for i := range out {
		out[i] = y[i] * floats.Dot(x[i*n:(i+1)*n], w)
	}
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, v := range xs {
		if v < m {
			m = v
		}
	}
	return m
}
