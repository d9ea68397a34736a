package theory

import (
	"fmt"
	"math"
)

// perfectProbe solves the θ = 0 reduced system (perfect probe, z = u, ρ = R):
//
//	E1: 1 = α ⟨(1 + a²)Φ(a) + aφ(a)⟩_z
//	E2: R = α ⟨|z| √(1-R²) (aΦ(a) + φ(a)) + R Φ(a)⟩_z,   a = (κ - R|z|)/√(1-R²).
//
// E1 is the vanishing of the Gardner volume (it fixes κ for given R); E2 is
// dκ/dR = 0 (its residual has the sign of -dκ/dR). The student angle
// φ = arccos R = πε is carried as v = log tan φ so that both ε → 0 (large α)
// and ε → 1/2 (small α) keep full precision.
type perfectProbe struct {
	alpha float64
	dens  Density
	rule  nodeRule
	grid  zGrid
}

// perfectState is one evaluation of the reduced equations.
type perfectState struct {
	v, r, s, kappa float64 // v = log tan φ, R = cos φ, s = sin φ
	e1, e2         float64 // residuals: α⟨…⟩ - 1 and R - α⟨…⟩
	de1dk          float64 // ∂e1/∂κ
}

func anglesFromV(v float64) (r, s float64) {
	// cos φ and sin φ for tan φ = e^v, without cancellation at either end.
	if v > 0 {
		t := math.Exp(-v) // cot φ
		n := math.Sqrt(1 + t*t)
		return t / n, 1 / n
	}
	t := math.Exp(v)
	n := math.Sqrt(1 + t*t)
	return 1 / n, t / n
}

// layerFeatures returns the sharp layer of the integrand: |z| = κ/R with
// width √(1-R²)/R.
func (p *perfectProbe) layerFeatures(r, s, kappa float64) []feature {
	if r <= 0 || kappa <= 0 {
		return nil
	}
	c, w := kappa/r, s/r
	return []feature{{c, w}}
}

// eval computes the residuals at (v, κ) on the current grid.
func (p *perfectProbe) eval(st *perfectState) {
	r, s, k := st.r, st.s, st.kappa
	var sum1, sum2, sumd float64
	for i, z := range p.grid.z {
		az := math.Abs(z)
		a := (k - r*az) / s
		phi := normPDF(a)
		cdf := normCDF(a)
		lin := a*cdf + phi // ∫ (a - x)₊ φ(x) dx
		sum1 += p.grid.w[i] * ((1+a*a)*cdf + a*phi)
		sum2 += p.grid.w[i] * (az*s*lin + r*cdf)
		sumd += p.grid.w[i] * 2 * lin
	}
	st.e1 = p.alpha*sum1 - 1
	st.e2 = r - p.alpha*sum2
	st.de1dk = p.alpha * sumd / s
}

// solveKappa finds κ with E1 = 0 at fixed v by safeguarded Newton steps
// (E1 is increasing and convex in κ). The grid is rebuilt around the layer
// once κ has moved, then kept fixed while converging.
func (p *perfectProbe) solveKappa(st *perfectState, kappa0 float64) error {
	st.r, st.s = anglesFromV(st.v)
	st.kappa = kappa0
	for pass := 0; pass < 3; pass++ {
		buildGrid(p.dens, p.rule, p.layerFeatures(st.r, st.s, st.kappa), true, &p.grid)
		lo, hi := math.Inf(-1), math.Inf(1)
		converged := false
		for it := 0; it < 200; it++ {
			p.eval(st)
			if st.e1 > 0 {
				hi = math.Min(hi, st.kappa)
			} else {
				lo = math.Max(lo, st.kappa)
			}
			if math.Abs(st.e1) < 1e-13 || hi-lo <= 1e-14*math.Max(1, math.Abs(st.kappa)) {
				converged = true
				break
			}
			next := st.kappa - st.e1/st.de1dk
			// Newton is trusted inside the bracket and, while the bracket
			// is open, for steps of at most max(1, |κ|).
			tooFar := math.Abs(next-st.kappa) > math.Max(1, math.Abs(st.kappa)) && (math.IsInf(lo, -1) || math.IsInf(hi, 1))
			if !(next > lo && next < hi) || st.de1dk <= 0 || tooFar {
				switch {
				case math.IsInf(lo, -1):
					next = st.kappa - math.Max(1, math.Abs(st.kappa))
				case math.IsInf(hi, 1):
					next = st.kappa + math.Max(1, math.Abs(st.kappa))
				default:
					next = (lo + hi) / 2
				}
			}
			if math.Abs(next-st.kappa) <= 4e-16*math.Max(1, math.Abs(st.kappa)) && math.Abs(st.e1) < 1e-10 {
				converged = true
				break
			}
			st.kappa = next
		}
		if !converged {
			return fmt.Errorf("margin equation E1 did not converge at ε = %g", math.Atan(math.Exp(st.v))/math.Pi)
		}
		if pass > 0 && math.Abs(st.kappa-kappa0) < 1e-9*math.Max(1, math.Abs(kappa0)) {
			break
		}
		kappa0 = st.kappa
	}
	return nil
}

// initialKappa guesses κ from the small-α limit κ ≈ 1/√α and clamps it.
func initialKappa(alpha float64) float64 {
	return math.Min(1/math.Sqrt(alpha), 1e3)
}

// solve finds the max-margin saddle point by bracketing the root of E2 in v
// (E2 > 0 below the optimal angle, < 0 above it) and refining it with a
// bracketed secant/bisection (Illinois) iteration.
func (p *perfectProbe) solve(v0 float64) (perfectState, error) {
	var st perfectState
	kappa := initialKappa(p.alpha)
	at := func(v float64) (perfectState, error) {
		s := perfectState{v: v}
		err := p.solveKappa(&s, kappa)
		if err == nil {
			kappa = s.kappa
		}
		return s, err
	}
	a, err := at(v0)
	if err != nil {
		return st, err
	}
	if a.e2 == 0 {
		return a, nil
	}
	// Expand the bracket: E2 > 0 means the angle is too small: increase v.
	step := 1.0
	b := a
	for i := 0; ; i++ {
		if i > 80 {
			return st, fmt.Errorf("could not bracket the optimal student angle (E2 keeps sign %v)", math.Signbit(a.e2))
		}
		vb := b.v + step
		if a.e2 < 0 {
			vb = b.v - step
		}
		next, err := at(vb)
		if err != nil {
			return st, err
		}
		if (next.e2 > 0) != (a.e2 > 0) {
			a, b = b, next
			break
		}
		b = next
		step *= 1.6
	}
	// Illinois iteration on the bracket [a, b].
	side := 0
	for it := 0; it < 200; it++ {
		v := (a.v*b.e2 - b.v*a.e2) / (b.e2 - a.e2)
		if !(v > math.Min(a.v, b.v) && v < math.Max(a.v, b.v)) {
			v = (a.v + b.v) / 2
		}
		c, err := at(v)
		if err != nil {
			return st, err
		}
		if math.Abs(c.e2) < 1e-13*math.Max(1, c.r) || math.Abs(b.v-a.v) < 1e-14*math.Max(1, math.Abs(v)) {
			return c, nil
		}
		if (c.e2 > 0) == (b.e2 > 0) {
			b = c
			if side == -1 {
				a.e2 /= 2
			}
			side = -1
		} else {
			a = c
			if side == 1 {
				b.e2 /= 2
			}
			side = 1
		}
	}
	return st, fmt.Errorf("optimal student angle did not converge")
}
