package theory

import (
	"fmt"
	"math"
)

// imperfectProbe solves the saddle-point equations (1)-(3) for θ > 0.
//
// Coordinates: the student's projection on the teacher-probe plane has norm
// q = cos χ and angle ψ from the teacher, so R = q cos ψ, ρ = q cos(θ - ψ),
// 1 - Q = sin²χ and Λ = sin θ sin χ. The unknowns are x = (κ, v, ψ) with
// v = log tan χ; every x is feasible.
//
// Given z, the student field λ ~ N(ρz, 1-ρ²) and the teacher field
// u ~ N(z cos θ, sin²θ) have correlation r = q sin(θ-ψ)/√(1-ρ²). With
// X = (λ - ρz)/√(1-ρ²), a = (κ - ρz)/√(1-ρ²), W = -(u - z cos θ)/sin θ and
// h = z cot θ, the event {λ < κ, y = +1} is {X < a, W < h}, so
//
//	G(z) = E[(κ-λ)² 1{λ<κ, u>0} | z] = (1-ρ²)(a² m0 - 2a m1 + m2)
//
// with the truncated bivariate moments m0, m1, m2 (truncMoments), and by the
// symmetry (λ, u, z) → -(λ, u, z), α E[(κ - yλ)₊²] = 2α⟨G⟩. The Gaussian
// t-integrals of eqs. (1) and (3) reduce to bΦ(b) + φ(b) with
// b = (κ - t0)/sin χ and t0 = z q sin ψ / sin θ.
type imperfectProbe struct {
	alpha, theta float64
	sinT, cosT   float64
	dens         Density
	rule         nodeRule
	grid         zGrid
}

// saddleState is one evaluation of eqs. (1)-(3).
type saddleState struct {
	kappa, v, psi          float64
	q, tau, r, rho         float64 // tau = sin χ = √(1-Q)
	lhs1, rhs1             float64
	lhs3, rhs3             float64
	g                      float64 // 2α⟨G⟩, the right side of eq. (2)
	res1, res2, res3       float64 // paper-normalised residuals
	newton1, newton3       float64 // residuals scaled for Newton
	oneMinusR, oneMinusRho float64 // 1 - R and 1 - ρ, computed without cancellation
}

func (p *imperfectProbe) setCoords(st *saddleState) {
	cq, sq := anglesFromV(st.v) // q = cos χ, τ = sin χ
	st.q, st.tau = cq, sq
	cpsi := math.Cos(st.psi)
	st.r = cq * cpsi
	st.rho = cq * math.Cos(p.theta-st.psi)
	oneMinusQ := sq * sq / (1 + cq)
	sh := math.Sin(st.psi / 2)
	st.oneMinusR = oneMinusQ + 2*cq*sh*sh
	sd := math.Sin((p.theta - st.psi) / 2)
	st.oneMinusRho = oneMinusQ + 2*cq*sd*sd
}

// features returns the sharp layers of the z-integrand at the state.
func (p *imperfectProbe) features(st *saddleState) []feature {
	fs := []feature{{0, math.Tan(p.theta)}}
	s := math.Sqrt(st.oneMinusRho * (1 + st.rho))
	if st.rho > 1e-12 && st.kappa > 0 {
		c := st.kappa / st.rho
		fs = append(fs, feature{c, s / st.rho}, feature{-c, s / st.rho})
	}
	if slope := st.q * math.Sin(st.psi) / p.sinT; math.Abs(slope) > 1e-12 {
		c := st.kappa / slope
		w := st.tau / math.Abs(slope)
		fs = append(fs, feature{c, w}, feature{-c, w})
	}
	return fs
}

// eval computes both sides of eqs. (1)-(3) on the current grid.
func (p *imperfectProbe) eval(st *saddleState) {
	p.setCoords(st)
	q, tau, rho, k := st.q, st.tau, st.rho, st.kappa
	s2 := st.oneMinusRho * (1 + rho) // 1 - ρ²
	s := math.Sqrt(s2)
	corr := 0.0 // corr(X, W) = -r
	if s > 0 {
		corr = -q * math.Sin(p.theta-st.psi) / s
		corr = math.Max(-1, math.Min(1, corr))
	}
	cot := p.cosT / p.sinT
	slope := q * math.Sin(st.psi) / p.sinT // t0 = slope·z
	rhoRmCos := rho*st.r - p.cosT
	var sumG, sum1, sum3 float64
	for i, z := range p.grid.z {
		w := p.grid.w[i]
		a := (k - rho*z) / s
		h := z * cot
		a1, a2 := positivePartMoments(a, h, corr, p.rule)
		gz := s2 * a2
		b := (k - slope*z) / tau
		gauss := normPDF(h) * (b*normCDF(b) + normPDF(b))
		t1 := s*z*a1 - rho*(a*a1-a2)
		t2 := rhoRmCos / s2 * (tau / p.sinT) * gauss
		sumG += w * gz
		sum1 += w * gauss
		sum3 += w * (t1 + t2)
	}
	st.g = 2 * p.alpha * sumG
	st.lhs1 = q * math.Sin(p.theta-st.psi) / p.sinT
	st.rhs1 = 2 * p.alpha * tau / p.sinT * sum1
	st.lhs3 = q * math.Sin(st.psi) / p.sinT
	st.rhs3 = 2 * p.alpha * sum3
	tau2 := tau * tau
	st.res1 = relResidual(st.lhs1, st.rhs1)
	st.res2 = relResidual(tau2, st.g)
	st.res3 = relResidual(st.lhs3, st.rhs3)
	// For Newton, eq. (2) is used in the scale-free form 2α⟨G⟩/(1-Q) - 1,
	// and (1), (3) relative to the size of their terms.
	st.newton1 = (st.lhs1 - st.rhs1) / math.Max(1e-300, math.Max(math.Abs(st.lhs1), math.Abs(st.rhs1))+tau)
	st.newton3 = (st.lhs3 - st.rhs3) / math.Max(1e-300, math.Max(math.Abs(st.lhs3), math.Abs(st.rhs3))+tau)
}

// relResidual is |lhs - rhs| / max(1, |lhs|, |rhs|).
func relResidual(lhs, rhs float64) float64 {
	return math.Abs(lhs-rhs) / math.Max(1, math.Max(math.Abs(lhs), math.Abs(rhs)))
}

func (st *saddleState) vector() [3]float64 {
	return [3]float64{st.g/(st.tau*st.tau) - 1, st.newton1, st.newton3}
}

func norm3(r [3]float64) float64 { return math.Sqrt(r[0]*r[0] + r[1]*r[1] + r[2]*r[2]) }

// newton runs damped Newton with a finite-difference Jacobian on eqs.
// (2), (1), (3) from x0. It returns the final state and whether it converged.
func (p *imperfectProbe) newton(x0 saddleState) (saddleState, bool) {
	st := x0
	buildGrid(p.dens, p.rule, p.features(&st), false, &p.grid)
	p.eval(&st)
	for it := 0; it < 60; it++ {
		if !isFinite(st.g) || !isFinite(st.rhs1) || !isFinite(st.rhs3) {
			return st, false
		}
		buildGrid(p.dens, p.rule, p.features(&st), false, &p.grid)
		p.eval(&st)
		r := st.vector()
		if norm3(r) < 1e-12 {
			return st, plausible(&st, norm3(r))
		}
		// Jacobian by forward differences in (κ, v, ψ).
		var jac [3][3]float64
		steps := [3]float64{1e-7 * math.Max(1, math.Abs(st.kappa)), 1e-7 * math.Max(1, math.Abs(st.v)), 1e-7}
		for j := 0; j < 3; j++ {
			pt := st
			switch j {
			case 0:
				pt.kappa += steps[j]
			case 1:
				pt.v += steps[j]
			case 2:
				pt.psi += steps[j]
			}
			p.eval(&pt)
			rp := pt.vector()
			for i := 0; i < 3; i++ {
				jac[i][j] = (rp[i] - r[i]) / steps[j]
			}
		}
		dx, ok := solve3(jac, [3]float64{-r[0], -r[1], -r[2]})
		if !ok {
			return st, false
		}
		// Limit the step: χ and ψ are angles, κ is O(1) or larger.
		scale := 1.0
		if m := math.Max(math.Abs(dx[1]), math.Abs(dx[2])/0.3); m > 1 {
			scale = 1 / m
		}
		improved := false
		for ls := 0; ls < 30; ls++ {
			trial := st
			trial.kappa += scale * dx[0]
			trial.v += scale * dx[1]
			trial.psi += scale * dx[2]
			p.eval(&trial)
			if tr := trial.vector(); isFinite(norm3(tr)) && norm3(tr) < norm3(r)*(1-1e-4*scale) {
				st = trial
				improved = true
				break
			}
			scale /= 2
		}
		if !improved {
			return st, plausible(&st, norm3(r))
		}
		if math.Abs(scale*dx[0]) < 1e-14*math.Max(1, math.Abs(st.kappa)) &&
			math.Abs(scale*dx[1]) < 1e-13 && math.Abs(scale*dx[2]) < 1e-13 {
			return st, plausible(&st, norm3(st.vector()))
		}
	}
	return st, plausible(&st, norm3(st.vector()))
}

// plausible accepts a Newton end point as the max-margin saddle point only if
// it converged and is physical: a positive margin (the teacher separates any
// data set, so the optimal κ is positive) and a student on the teacher's side.
func plausible(st *saddleState, resid float64) bool {
	return resid < 1e-7 && st.kappa > 0 && st.r > 0 && st.q > 0 && st.q <= 1
}

// solve3 solves a 3x3 linear system by Gaussian elimination with pivoting.
func solve3(a [3][3]float64, b [3]float64) ([3]float64, bool) {
	for c := 0; c < 3; c++ {
		piv := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[piv][c]) {
				piv = r
			}
		}
		if a[piv][c] == 0 || !isFinite(a[piv][c]) {
			return b, false
		}
		a[c], a[piv] = a[piv], a[c]
		b[c], b[piv] = b[piv], b[c]
		for r := c + 1; r < 3; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < 3; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < 3; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// solveFrom tries Newton from the guess; if that fails it continues in α from
// a small value, where the saddle point is close to the guess, up to α.
//
// fresh, if not nil, gives a starting point for a small α.
func (p *imperfectProbe) solveFrom(guess saddleState, guessAlpha float64, fresh func(alpha float64) saddleState) (saddleState, error) {
	if st, ok := p.newton(guess); ok {
		return st, nil
	}
	target := p.alpha
	defer func() { p.alpha = target }()
	start := math.Min(guessAlpha, target/8)
	cur := guess
	if fresh != nil {
		start = math.Min(start, 1e-2)
		cur = fresh(start)
	}
	// Solve at the start point from the guess, shrinking α until it works.
	for tries := 0; ; tries++ {
		p.alpha = start
		st, ok := p.newton(cur)
		if ok {
			cur = st
			break
		}
		if tries > 12 {
			return saddleState{}, fmt.Errorf("saddle point not found: Newton failed even at α = %g", start)
		}
		start /= 4
		if fresh != nil {
			cur = fresh(start)
		}
	}
	a := start
	step := math.Log(target / start)
	if step > 1 {
		step = 1
	}
	for a < target {
		next := math.Min(target, a*math.Exp(step))
		p.alpha = next
		st, ok := p.newton(cur)
		if !ok {
			step /= 2
			if step < 1e-4 {
				return saddleState{}, fmt.Errorf("saddle point lost along the continuation in α at α = %g", next)
			}
			continue
		}
		cur, a = st, next
		step = math.Min(1, step*1.5)
	}
	return cur, nil
}
