package theory

import (
	"errors"
	"fmt"
	"math"
)

// Limits of the parameter space the solver is checked on.
const (
	MinAlphaTotal = 0.1
	MaxAlphaTotal = 1000.0
	MinFraction   = 0.001
	MaxThetaDeg   = 45.0
)

// ErrBadInput is wrapped by every error about an invalid parameter.
var ErrBadInput = errors.New("invalid input")

// Params is one point of the theory: total data α_tot = P/N, the fraction
// kept F, the probe angle ThetaDeg in degrees and the keep policy.
type Params struct {
	AlphaTotal float64
	F          float64
	ThetaDeg   float64
	Keep       Keep
}

// AlphaPrune is α = f α_tot, the number of kept examples per dimension.
func (p Params) AlphaPrune() float64 { return p.F * p.AlphaTotal }

// Validate reports a clear error for a parameter outside the solver's range.
func (p Params) Validate() error {
	switch {
	case !(p.F > 0 && p.F <= 1):
		return fmt.Errorf("%w: fraction kept f = %v must be in (0, 1]", ErrBadInput, p.F)
	case p.F < MinFraction:
		return fmt.Errorf("%w: fraction kept f = %v is below the supported minimum %v", ErrBadInput, p.F, MinFraction)
	case !(p.AlphaTotal > 0) || math.IsInf(p.AlphaTotal, 0):
		return fmt.Errorf("%w: α_tot = %v must be a positive number (examples per dimension, P/N)", ErrBadInput, p.AlphaTotal)
	case !(p.ThetaDeg >= 0 && p.ThetaDeg <= MaxThetaDeg):
		return fmt.Errorf("%w: probe angle θ = %v° must be in [0°, %v°]", ErrBadInput, p.ThetaDeg, MaxThetaDeg)
	case p.Keep != KeepHard && p.Keep != KeepEasy && p.Keep != KeepRandom:
		return fmt.Errorf("%w: unknown keep policy %v: use hard, easy or random", ErrBadInput, p.Keep)
	}
	return nil
}

// Solution is the saddle point at Params.
//
// Res1, Res2 and Res3 are the relative residuals |LHS-RHS|/max(1,|LHS|,|RHS|)
// of the paper's eqs. (1), (2) and (3). At θ = 0, where those equations are
// singular, Res1 is the residual of E1 (the margin equation, eq. (2)'s
// reduction), Res3 that of E2 (stationarity in R) and Res2 repeats Res1.
type Solution struct {
	Params
	Alpha            float64 // α = f α_tot
	R, Rho, Kappa    float64
	Eps              float64 // test error arccos(R)/π
	Res1, Res2, Res3 float64
	// internal coordinates, kept for warm starts
	v, psi float64
}

// MaxResidual returns the largest of the three residuals.
func (s Solution) MaxResidual() float64 { return math.Max(s.Res1, math.Max(s.Res2, s.Res3)) }

// Solver solves saddle points. Its zero value is ready to use; it is not
// safe for concurrent use (it keeps quadrature buffers).
type Solver struct {
	// Nodes is the Gauss-Legendre order per quadrature segment (default 12).
	Nodes int
	rule  nodeRule
}

func (s *Solver) nodeRule() nodeRule {
	n := s.Nodes
	if n == 0 {
		n = 12
	}
	if len(s.rule.x) != n {
		s.rule = newNodeRule(n)
	}
	return s.rule
}

// Solve returns the saddle point at p. It never returns NaN: a point that
// cannot be solved gives an error that says why.
func Solve(p Params) (Solution, error) {
	var s Solver
	return s.Solve(p, nil)
}

// Solve returns the saddle point at p, starting from warm (a nearby solution
// with the same θ, e.g. the previous point of a curve) when it is not nil.
func (s *Solver) Solve(p Params, warm *Solution) (Solution, error) {
	if err := p.Validate(); err != nil {
		return Solution{}, err
	}
	dens, err := NewDensity(p.Keep, p.F)
	if err != nil {
		return Solution{}, fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	alpha := p.AlphaPrune()
	if p.ThetaDeg == 0 {
		return s.solvePerfect(p, dens, alpha, warm)
	}
	return s.solveImperfect(p, dens, alpha, warm)
}

func (s *Solver) solvePerfect(p Params, dens Density, alpha float64, warm *Solution) (Solution, error) {
	pp := perfectProbe{alpha: alpha, dens: dens, rule: s.nodeRule()}
	v0 := guessV(alpha)
	if warm != nil && warm.ThetaDeg == 0 && isFinite(warm.v) {
		v0 = warm.v
	}
	st, err := pp.solve(v0)
	if err != nil {
		return Solution{}, fmt.Errorf("θ = 0, keep %v, f = %g, α_tot = %g: %w", p.Keep, p.F, p.AlphaTotal, err)
	}
	sol := Solution{Params: p, Alpha: alpha, R: st.r, Rho: st.r, Kappa: st.kappa,
		Eps: math.Atan2(st.s, st.r) / math.Pi, v: st.v}
	sol.Res1 = math.Abs(st.e1) / math.Max(1, math.Abs(st.e1+1))
	sol.Res2 = sol.Res1
	sol.Res3 = math.Abs(st.e2) / math.Max(1, st.r)
	return sol, sol.check()
}

// guessV is a starting student angle: ε ≈ 1/(2(1+α)) interpolates the small-α
// (ε → 1/2) and large-α (ε ≈ 0.5/α) limits of the unpruned perceptron.
func guessV(alpha float64) float64 {
	eps := 0.5 / (1 + alpha)
	return math.Log(math.Tan(math.Pi * eps))
}

func (s *Solver) solveImperfect(p Params, dens Density, alpha float64, warm *Solution) (Solution, error) {
	theta := p.ThetaDeg * math.Pi / 180
	ip := imperfectProbe{alpha: alpha, theta: theta, sinT: math.Sin(theta), cosT: math.Cos(theta),
		dens: dens, rule: s.nodeRule()}
	var guess saddleState
	guessAlpha := alpha
	if warm != nil && warm.ThetaDeg == p.ThetaDeg && isFinite(warm.v) && warm.Keep == p.Keep {
		guess = saddleState{kappa: warm.Kappa, v: warm.v, psi: warm.psi}
		guessAlpha = warm.Alpha
	} else {
		// Start from the unpruned solution at the same α: the student lies
		// along the teacher (ψ = 0) with q = R.
		base, err := s.Solve(Params{AlphaTotal: alpha, F: 1, ThetaDeg: 0, Keep: KeepRandom}, nil)
		if err != nil {
			return Solution{}, err
		}
		guess = saddleState{kappa: base.Kappa, v: base.v, psi: 0}
	}
	fresh := func(a float64) saddleState {
		base, err := s.Solve(Params{AlphaTotal: a, F: 1, ThetaDeg: 0, Keep: KeepRandom}, nil)
		if err != nil {
			return guess
		}
		return saddleState{kappa: base.Kappa, v: base.v, psi: 0}
	}
	st, err := ip.solveFrom(guess, guessAlpha, fresh)
	if err != nil {
		return Solution{}, fmt.Errorf("θ = %g°, keep %v, f = %g, α_tot = %g: %w", p.ThetaDeg, p.Keep, p.F, p.AlphaTotal, err)
	}
	ip.alpha = alpha
	buildGrid(ip.dens, ip.rule, ip.features(&st), false, &ip.grid)
	ip.eval(&st)
	sol := Solution{Params: p, Alpha: alpha, R: st.r, Rho: st.rho, Kappa: st.kappa,
		Eps:  2 * math.Asin(math.Sqrt(st.oneMinusR/2)) / math.Pi,
		Res1: st.res1, Res2: st.res2, Res3: st.res3, v: st.v, psi: st.psi}
	return sol, sol.check()
}

// residualLimit is the largest residual a returned solution may have.
const residualLimit = 1e-6

func (s Solution) check() error {
	for _, x := range []float64{s.R, s.Rho, s.Kappa, s.Eps, s.Res1, s.Res2, s.Res3} {
		if !isFinite(x) {
			return fmt.Errorf("solution at %+v is not finite", s.Params)
		}
	}
	if r := s.MaxResidual(); r > residualLimit {
		return fmt.Errorf("θ = %g°, keep %v, f = %g, α_tot = %g: residual %.2g exceeds %g", s.ThetaDeg, s.Keep, s.F, s.AlphaTotal, r, residualLimit)
	}
	return nil
}
