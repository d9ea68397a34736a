package theory

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
	"gonum.org/v1/gonum/stat/distuv"
)

// Observation is one measured cell of a pruning experiment: the mean test
// error, over seeds, of networks trained on a fraction F of an initial set of
// N examples kept by one policy, with its standard error.
type Observation struct {
	N    float64 // initial set size, in examples
	F    float64 // fraction kept; 1 is the unpruned network (any Keep)
	Keep Keep    // KeepHard, KeepEasy or KeepRandom
	Err  float64 // mean test error, in [0, 1]
	SE   float64 // its standard error, > 0
}

// Calibration maps a real pruning experiment onto the perceptron theory with
// four numbers, fitted to measured test errors:
//
//	α_tot = N / DEff,  θ = ThetaDeg,  error = A + B·ε(α_tot, f, θ, policy),
//
// where ε is the theory's test error (ErrorTable). DEff is an effective
// dimension: how many examples of the real data are worth one "dimension" of
// the perceptron, so that N/DEff places the data on the theory's α axis (the
// scarce regime at small α_tot, the abundant one at large). ThetaDeg is the
// pruning metric's quality as the probe's angle to the teacher (0°: a
// perfect ranking; larger: a noisier one, which brings back power-law
// scaling and a minimum fraction f_min). A and B map the perceptron's error
// (in [0, 0.5]) onto the network's: A is the error that no amount of data
// removes at this recipe (label noise, the network's capacity), B ≥ 0 the
// scale (a fit at B = 0, where the theory explains nothing, is refused); one map serves every policy and fraction, so every difference
// between policies must come from the theory.
type Calibration struct {
	DEff, ThetaDeg, A, B float64
	// DEffInterval and ThetaInterval are 95% profile-likelihood intervals
	// (the parameter's values whose best fit over the others lies within
	// the χ² quantile of the minimum); AInterval and BInterval come from
	// the fit's curvature. All are widened by √Scale (their variances by
	// Scale). An end of a profile interval that reaches the edge of the
	// parameter's range (DEffRange, or θ's [0°, the table's largest angle])
	// is that edge, not a 95% limit: DEffOpen and ThetaOpen say which.
	DEffInterval, ThetaInterval, AInterval, BInterval [2]float64
	DEffRange                                         [2]float64
	DEffOpen, ThetaOpen                               [2]bool
	// ChiSquare is the weighted residual sum Σ((err − fit)/SE)² at the
	// fit, over DOF = observations − 4 degrees of freedom. Scale =
	// max(1, ChiSquare/DOF) multiplies the parameters' variances (so the
	// intervals widen by √Scale): where the model misses the data by more
	// than their standard errors, the intervals widen accordingly instead
	// of claiming a precision the fit does not have.
	ChiSquare float64
	DOF       int
	Scale     float64
	// ThetaAtBound is true when θ sits at 0° or the table's largest angle:
	// its interval is then one-sided.
	ThetaAtBound bool
	Sizes        []float64 // the initial sizes fitted, ascending
	Observations int
	table        *ErrorTable
}

// CalibrationParams are the names of the four parameters, in the order of
// Calibration's fields.
var CalibrationParams = []string{"d_eff", "theta_deg", "a", "b"}

// ErrNotIdentified is wrapped by the errors of data that cannot determine
// the calibration's parameters.
var ErrNotIdentified = errors.New("calibration not identified by the data")

// Calibrate fits a Calibration to obs by weighted least squares (weights
// 1/SE²) with the theory's errors from table (DefaultErrorTable when nil).
// The data must hold at least two initial sizes, the unpruned error (f = 1)
// at two of them, and both keep hard and keep easy (whose gap is what
// determines θ); random pruning is optional.
func Calibrate(obs []Observation, table *ErrorTable) (*Calibration, error) {
	if table == nil {
		var err error
		if table, err = DefaultErrorTable(); err != nil {
			return nil, err
		}
	}
	if err := checkObservations(obs, table); err != nil {
		return nil, err
	}
	fit := calibrationFit{obs: obs, table: table}
	fit.bounds()
	c := &Calibration{table: table, Observations: len(obs), DOF: len(obs) - 4}
	for _, o := range obs {
		if !slices.Contains(c.Sizes, o.N) {
			c.Sizes = append(c.Sizes, o.N)
		}
	}
	sort.Float64s(c.Sizes)
	if fit.uLo > fit.uHi {
		return nil, fmt.Errorf("%w: the sizes %v and fractions span more than the theory table's α_tot range [%v, %v] can hold for any one d_eff", ErrNotIdentified, c.Sizes, table.Axes.AlphaMin, table.Axes.AlphaMax)
	}

	// Coarse grid over (ln d_eff, θ), then Nelder-Mead from its best point.
	best := [2]float64{}
	bestV := math.Inf(1)
	const nu, nt = 61, 46
	for i := 0; i < nu; i++ {
		u := fit.uLo + (fit.uHi-fit.uLo)*float64(i)/(nu-1)
		for k := 0; k < nt; k++ {
			th := table.Axes.ThetaMax * float64(k) / (nt - 1)
			if v, _, _ := fit.profile(u, th); v < bestV {
				best, bestV = [2]float64{u, th}, v
			}
		}
	}
	if math.IsInf(bestV, 1) {
		return nil, fmt.Errorf("%w: the theory table could not be evaluated at any (d_eff, θ) on the grid", ErrNotIdentified)
	}
	best, bestV = fit.refine(best)
	_, a, b := fit.profile(best[0], best[1])
	if b == 0 {
		return nil, fmt.Errorf("%w: the best fit maps every policy to one error (b = 0): the theory's ε explains none of the differences between the cells", ErrNotIdentified)
	}
	c.DEff, c.ThetaDeg, c.A, c.B, c.ChiSquare = math.Exp(best[0]), best[1], a, b, bestV
	c.DEffRange = [2]float64{math.Exp(fit.uLo), math.Exp(fit.uHi)}
	c.Scale = 1
	if c.DOF > 0 && c.ChiSquare/float64(c.DOF) > 1 {
		c.Scale = c.ChiSquare / float64(c.DOF)
	}
	// At a bound the curvature in θ is one-sided: within one difference
	// step (linearSE's) θ is treated as on it.
	const edge = 0.05
	c.ThetaAtBound = best[1] < edge || best[1] > table.Axes.ThetaMax-edge

	// Profile intervals for d_eff and θ: Δχ² ≤ Scale·χ²₁(0.95).
	q := distuv.ChiSquared{K: 1}.Quantile(0.95) * c.Scale
	uLo, uHi, uOpen := fit.profileInterval(0, best, bestV+q)
	c.DEffInterval, c.DEffOpen = [2]float64{math.Exp(uLo), math.Exp(uHi)}, uOpen
	tLo, tHi, tOpen := fit.profileInterval(1, best, bestV+q)
	c.ThetaInterval, c.ThetaOpen = [2]float64{tLo, tHi}, tOpen

	// Curvature intervals for a and b (with d_eff and θ free, unless θ sits
	// on a bound, where the curvature in θ is not defined).
	sa, sb := fit.linearSE(best, a, b, c.ThetaAtBound)
	if math.IsNaN(sa) || math.IsNaN(sb) {
		return nil, fmt.Errorf("%w: the fit's curvature in a and b is singular at the optimum (d_eff = %.4g, θ = %.3g°)", ErrNotIdentified, c.DEff, c.ThetaDeg)
	}
	z := distuv.UnitNormal.Quantile(0.975) * math.Sqrt(c.Scale)
	c.AInterval = [2]float64{a - z*sa, a + z*sa}
	c.BInterval = [2]float64{b - z*sb, b + z*sb}
	return c, nil
}

func checkObservations(obs []Observation, t *ErrorTable) error {
	sizes := map[float64]bool{}
	unpruned := map[float64]bool{}
	keeps := map[Keep]bool{}
	for i, o := range obs {
		switch {
		case !(o.N > 0) || math.IsInf(o.N, 0):
			return fmt.Errorf("%w: observation %d: size N = %v must be a positive number", ErrBadInput, i, o.N)
		case !(o.F > 0 && o.F <= 1):
			return fmt.Errorf("%w: observation %d: fraction kept f = %v must be in (0, 1]", ErrBadInput, i, o.F)
		case o.F < 1 && o.Keep != KeepRandom && o.F < t.Axes.FMin:
			return fmt.Errorf("%w: observation %d: fraction kept f = %v is below the theory table's smallest fraction %v", ErrBadInput, i, o.F, t.Axes.FMin)
		case !(o.Err >= 0 && o.Err <= 1):
			return fmt.Errorf("%w: observation %d: test error %v must be in [0, 1]", ErrBadInput, i, o.Err)
		case !(o.SE > 0) || math.IsInf(o.SE, 0):
			return fmt.Errorf("%w: observation %d: standard error %v must be positive and finite (a floor such as the test set's binomial error keeps one seed's cells usable)", ErrBadInput, i, o.SE)
		case o.Keep != KeepHard && o.Keep != KeepEasy && o.Keep != KeepRandom:
			return fmt.Errorf("%w: observation %d: unknown keep policy %v", ErrBadInput, i, o.Keep)
		}
		sizes[o.N] = true
		if o.F == 1 {
			unpruned[o.N] = true
		} else {
			keeps[o.Keep] = true
		}
	}
	switch {
	case len(sizes) < 2:
		return fmt.Errorf("%w: the data hold %d initial size(s); d_eff needs at least two (it sets where on the α_tot axis each size lies)", ErrNotIdentified, len(sizes))
	case len(unpruned) < 2:
		return fmt.Errorf("%w: the unpruned error (f = 1) is measured at %d size(s); the map error = a + b·ε needs it at least at two, to anchor a and b", ErrNotIdentified, len(unpruned))
	case !keeps[KeepHard] || !keeps[KeepEasy]:
		var have []string
		for _, k := range []Keep{KeepHard, KeepEasy, KeepRandom} {
			if keeps[k] {
				have = append(have, k.String())
			}
		}
		return fmt.Errorf("%w: the pruned runs hold keep %v only; θ needs both keep hard and keep easy (their gap measures the metric's quality)", ErrNotIdentified, have)
	case len(obs) <= 4:
		return fmt.Errorf("%w: %d cells cannot determine 4 parameters with any degrees of freedom left", ErrNotIdentified, len(obs))
	}
	return nil
}

// calibrationFit evaluates the weighted residuals of a calibration.
type calibrationFit struct {
	obs      []Observation
	table    *ErrorTable
	uLo, uHi float64 // bounds of u = ln d_eff
	eps      []float64
}

// bounds sets the range of ln d_eff over which every observation maps into
// the table: N/d_eff (and N·f/d_eff for random pruning) within its α_tot range.
func (c *calibrationFit) bounds() {
	lo, hi := c.table.Axes.AlphaMin, c.table.Axes.AlphaMax
	c.uLo, c.uHi = math.Inf(-1), math.Inf(1)
	for _, o := range c.obs {
		a := o.N // keep hard and keep easy read the table at α_tot = N/d
		if o.Keep == KeepRandom || o.F == 1 {
			a = o.N * o.F // random pruning reads it at α_tot·f
		}
		// α = a/d ∈ [lo, hi]  ⇔  ln d ∈ [ln(a/hi), ln(a/lo)]
		c.uLo = math.Max(c.uLo, math.Log(a/hi))
		c.uHi = math.Min(c.uHi, math.Log(a/lo))
	}
	// Stay a hair inside, so that rounding never leaves the table.
	c.uLo += 1e-9
	c.uHi -= 1e-9
}

// theoryEps fills c.eps with ε of every observation at (u, θ).
func (c *calibrationFit) theoryEps(u, theta float64) bool {
	if len(c.eps) != len(c.obs) {
		c.eps = make([]float64, len(c.obs))
	}
	d := math.Exp(u)
	for i, o := range c.obs {
		keep, f := o.Keep, o.F
		if f == 1 {
			keep = KeepRandom
		}
		e, err := c.table.Eps(keep, o.N/d, f, theta)
		if err != nil {
			return false
		}
		c.eps[i] = e
	}
	return true
}

// profile returns the smallest χ² over (a, b ≥ 0) at (u, θ), and that (a, b):
// weighted least squares of err on ε, in closed form.
func (c *calibrationFit) profile(u, theta float64) (chi2, a, b float64) {
	if u < c.uLo || u > c.uHi || theta < 0 || theta > c.table.Axes.ThetaMax || !c.theoryEps(u, theta) {
		return math.Inf(1), 0, 0
	}
	var sw, sx, sy, sxx, sxy float64
	for i, o := range c.obs {
		w := 1 / (o.SE * o.SE)
		x := c.eps[i]
		sw += w
		sx += w * x
		sy += w * o.Err
		sxx += w * x * x
		sxy += w * x * o.Err
	}
	den := sw*sxx - sx*sx
	if den > 0 {
		b = (sw*sxy - sx*sy) / den
	}
	if !(b > 0) {
		// The map must increase with ε; at b = 0 the theory explains nothing.
		b = 0
	}
	a = (sy - b*sx) / sw
	return c.chi2(a, b), a, b
}

func (c *calibrationFit) chi2(a, b float64) float64 {
	var s float64
	for i, o := range c.obs {
		r := (o.Err - a - b*c.eps[i]) / o.SE
		s += r * r
	}
	return s
}

// refine minimises the profile χ² over (u, θ) from start by Nelder-Mead,
// with the bounds enforced by clamping and a penalty outside them.
func (c *calibrationFit) refine(start [2]float64) ([2]float64, float64) {
	clamp := func(x []float64) ([2]float64, float64) {
		u := math.Min(math.Max(x[0], c.uLo), c.uHi)
		th := math.Min(math.Max(x[1], 0), c.table.Axes.ThetaMax)
		pen := (x[0]-u)*(x[0]-u)*1e6 + (x[1]-th)*(x[1]-th)*1e4
		return [2]float64{u, th}, pen
	}
	p := optimize.Problem{Func: func(x []float64) float64 {
		pt, pen := clamp(x)
		v, _, _ := c.profile(pt[0], pt[1])
		return v + pen
	}}
	startV, _, _ := c.profile(start[0], start[1])
	res, err := optimize.Minimize(p, start[:], &optimize.Settings{FuncEvaluations: 4000}, &optimize.NelderMead{SimplexSize: 0.05})
	if err != nil && res == nil {
		return start, startV
	}
	pt, _ := clamp(res.X)
	v, _, _ := c.profile(pt[0], pt[1])
	if v > startV {
		return start, startV
	}
	return pt, v
}

// minOver returns the smallest profile χ² with coordinate which fixed at x
// and the other free, by a grid and a golden-section search.
func (c *calibrationFit) minOver(which int, x, hint float64) float64 {
	lo, hi := c.uLo, c.uHi
	if which == 0 {
		lo, hi = 0, c.table.Axes.ThetaMax
	}
	at := func(y float64) float64 {
		if which == 0 {
			v, _, _ := c.profile(x, y)
			return v
		}
		v, _, _ := c.profile(y, x)
		return v
	}
	// A grid, plus the joint optimum's other coordinate (hint), so that
	// the minimum at the optimum itself is never missed.
	const n = 31
	centre, bv := hint, at(hint)
	for i := 0; i < n; i++ {
		y := lo + (hi-lo)*float64(i)/(n-1)
		if v := at(y); v < bv {
			centre, bv = y, v
		}
	}
	step := (hi - lo) / (n - 1)
	a, b := math.Max(lo, centre-step), math.Min(hi, centre+step)
	const g = 0.6180339887498949
	x1, x2 := b-g*(b-a), a+g*(b-a)
	f1, f2 := at(x1), at(x2)
	for k := 0; k < 40 && b-a > 1e-6*(hi-lo); k++ {
		if f1 < f2 {
			b, x2, f2 = x2, x1, f1
			x1 = b - g*(b-a)
			f1 = at(x1)
		} else {
			a, x1, f1 = x1, x2, f2
			x2 = a + g*(b-a)
			f2 = at(x2)
		}
	}
	return math.Min(bv, math.Min(f1, f2))
}

// profileInterval returns the range of coordinate which (0: u, 1: θ) over
// which the profile χ² stays at or below level, found by bisection on each
// side of the fit; a side that reaches its bound returns the bound, and
// open says so. The set is taken to be one interval around the fit.
func (c *calibrationFit) profileInterval(which int, best [2]float64, level float64) (lo, hi float64, open [2]bool) {
	bLo, bHi := c.uLo, c.uHi
	if which == 1 {
		bLo, bHi = 0, c.table.Axes.ThetaMax
	}
	x0, hint := best[which], best[1-which]
	side := func(bound float64) (float64, bool) {
		if c.minOver(which, bound, hint) <= level {
			return bound, true
		}
		in, out := x0, bound
		for k := 0; k < 40 && math.Abs(out-in) > 1e-5*(bHi-bLo); k++ {
			mid := 0.5 * (in + out)
			if c.minOver(which, mid, hint) <= level {
				in = mid
			} else {
				out = mid
			}
		}
		return 0.5 * (in + out), false
	}
	lo, open[0] = side(bLo)
	hi, open[1] = side(bHi)
	return lo, hi, open
}

// linearSE returns the standard errors of a and b from the curvature of χ²
// over (u, θ, a, b), or over (u, a, b) when θ is fixed on a bound:
// Cov = 2·H⁻¹.
func (c *calibrationFit) linearSE(best [2]float64, a, b float64, thetaFixed bool) (sa, sb float64) {
	full := func(p []float64) float64 {
		u, th := p[0], best[1]
		ai, bi := 1, 2
		if !thetaFixed {
			th, ai, bi = p[1], 2, 3
		}
		// A step past a bound is evaluated on the bound: the curvature
		// there is one-sided, which widens the interval (conservative).
		u = math.Min(math.Max(u, c.uLo), c.uHi)
		th = math.Min(math.Max(th, 0), c.table.Axes.ThetaMax)
		if !c.theoryEps(u, th) {
			return math.NaN()
		}
		return c.chi2(p[ai], p[bi])
	}
	x := []float64{best[0], best[1], a, b}
	steps := []float64{1e-3 * math.Max(1, math.Abs(best[0])), 0.05, 1e-4, 1e-3 * math.Max(b, 1e-3)}
	if thetaFixed {
		x = []float64{best[0], a, b}
		steps = []float64{steps[0], steps[2], steps[3]}
	}
	n := len(x)
	h := mat.NewSymDense(n, nil)
	at := func(di, dj int, si, sj float64) float64 {
		p := slices.Clone(x)
		p[di] += si * steps[di]
		p[dj] += sj * steps[dj]
		return full(p)
	}
	f0 := full(x)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			var v float64
			if i == j {
				v = (at(i, i, 0.5, 0.5) - 2*f0 + at(i, i, -0.5, -0.5)) / (steps[i] * steps[i])
			} else {
				v = (at(i, j, 1, 1) - at(i, j, 1, -1) - at(i, j, -1, 1) + at(i, j, -1, -1)) / (4 * steps[i] * steps[j])
			}
			h.SetSym(i, j, v)
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(h); err != nil {
		// An ill-conditioned Hessian still has a usable inverse; a
		// singular one does not.
		var cond mat.Condition
		if !errors.As(err, &cond) {
			return math.NaN(), math.NaN()
		}
	}
	ia, ib := n-2, n-1
	va, vb := 2*inv.At(ia, ia), 2*inv.At(ib, ib)
	if !(va >= 0) || !(vb >= 0) {
		return math.NaN(), math.NaN()
	}
	return math.Sqrt(va), math.Sqrt(vb)
}

// AlphaTotal is N/DEff, where an initial set of n examples lies on the
// theory's α_tot axis.
func (c *Calibration) AlphaTotal(n float64) float64 { return n / c.DEff }

// Predict returns the calibrated prediction A + B·ε of the test error after
// keeping a fraction f of n examples by keep (f = 1: unpruned). It fails
// when n/DEff lies outside the theory table.
func (c *Calibration) Predict(n, f float64, keep Keep) (float64, error) {
	table := c.table
	if table == nil { // a calibration read back from a file
		var err error
		if table, err = DefaultErrorTable(); err != nil {
			return 0, err
		}
	}
	if f == 1 {
		keep = KeepRandom
	}
	e, err := table.Eps(keep, c.AlphaTotal(n), f, c.ThetaDeg)
	if err != nil {
		return 0, fmt.Errorf("predicting n = %g (α_tot = %.4g with d_eff = %.4g), f = %g: %w", n, c.AlphaTotal(n), c.DEff, f, err)
	}
	return c.A + c.B*e, nil
}
