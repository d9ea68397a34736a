package theory

import (
	"errors"
	"math"
	"testing"
)

// The maximally stable perceptron (f = 1): ε α → 0.5005 as α → ∞ (Opper,
// Kinzel et al. 1990; Engel and Van den Broeck 2001, ch. 4).
func TestMaximallyStablePerceptron(t *testing.T) {
	for _, alpha := range []float64{100, 300, 1000} {
		for _, theta := range []float64{0, 20} {
			s, err := Solve(Params{AlphaTotal: alpha, F: 1, ThetaDeg: theta, Keep: KeepRandom})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Eps * alpha; math.Abs(got-0.5005) > 1e-3 {
				t.Errorf("θ=%v α=%v: εα = %.5f, want 0.5005 ± 1e-3", theta, alpha, got)
			}
		}
	}
}

// Without pruning the probe is irrelevant: hard, easy and random coincide,
// and every θ gives the θ = 0 answer.
func TestFullDataIsPolicyAndAngleFree(t *testing.T) {
	for _, alpha := range []float64{0.3, 3, 30, 300} {
		ref, err := Solve(Params{AlphaTotal: alpha, F: 1, Keep: KeepRandom})
		if err != nil {
			t.Fatal(err)
		}
		for _, theta := range []float64{0, 10, 45} {
			for _, keep := range []Keep{KeepHard, KeepEasy, KeepRandom} {
				s, err := Solve(Params{AlphaTotal: alpha, F: 1, ThetaDeg: theta, Keep: keep})
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(s.Eps-ref.Eps) > 1e-8*ref.Eps {
					t.Errorf("α=%v θ=%v %v: ε=%.12g, θ=0 random ε=%.12g", alpha, theta, keep, s.Eps, ref.Eps)
				}
			}
		}
	}
}

// ε → 1/2 as α → 0 (a student trained on nothing guesses), rising
// strictly as the data shrink.
func TestSmallAlphaLimit(t *testing.T) {
	prev := 0.0
	for _, alpha := range []float64{1, 0.1, 0.01, 0.001} {
		s, err := Solve(Params{AlphaTotal: alpha, F: 1, Keep: KeepRandom})
		if err != nil {
			t.Fatal(err)
		}
		if !(prev < s.Eps && s.Eps < 0.5) {
			t.Errorf("α=%v: ε=%v, want between the ε of the next larger α (%v) and 1/2", alpha, s.Eps, prev)
		}
		// For small α the max-margin student is Hebbian-like, R ≈ √(2α/π).
		if alpha <= 0.01 {
			if want := math.Sqrt(2 * alpha / math.Pi); math.Abs(s.R-want) > 0.1*want {
				t.Errorf("α=%v: R=%v, want ≈ %v", alpha, s.R, want)
			}
		}
		if math.Abs(0.5-s.Eps) > 0.5*math.Sqrt(alpha) {
			t.Errorf("α=%v: ε=%v does not approach 1/2", alpha, s.Eps)
		}
		prev = s.Eps
	}
}

// The general solver at small θ joins the reduced θ = 0 system continuously.
func TestThetaToZeroContinuity(t *testing.T) {
	for _, keep := range []Keep{KeepHard, KeepEasy} {
		for _, c := range []struct{ alpha, f float64 }{{1, 0.3}, {10, 0.3}, {100, 0.1}, {20, 0.8}} {
			p := Params{AlphaTotal: c.alpha, F: c.f, Keep: keep}
			ref, err := Solve(p)
			if err != nil {
				t.Fatal(err)
			}
			prevDiff := math.Inf(1)
			for _, th := range []float64{2, 0.5, 0.1} {
				p.ThetaDeg = th
				s, err := Solve(p)
				if err != nil {
					t.Fatal(err)
				}
				diff := math.Abs(s.Eps - ref.Eps)
				if diff > 1e-10 && diff > prevDiff*1.0001 {
					t.Errorf("%v α=%v f=%v: |ε(θ=%v°) - ε(0)| = %.3g grew from %.3g", keep, c.alpha, c.f, th, diff, prevDiff)
				}
				prevDiff = diff
			}
			if prevDiff > 0.02*ref.Eps {
				t.Errorf("%v α=%v f=%v: ε(0.1°) differs from ε(0) = %.6g by %.3g", keep, c.alpha, c.f, ref.Eps, prevDiff)
			}
		}
	}
}

// Every point of the supported domain converges with residuals below 1e-6.
func TestConvergesEverywhere(t *testing.T) {
	alphas := []float64{0.1, 1, 10, 100, 1000}
	fs := []float64{0.001, 0.01, 0.1, 0.5, 1}
	thetas := []float64{0, 5, 10, 20, 30, 45}
	if testing.Short() {
		alphas, fs, thetas = []float64{0.1, 10, 1000}, []float64{0.001, 0.2, 1}, []float64{0, 10, 45}
	}
	for _, th := range thetas {
		for _, keep := range []Keep{KeepHard, KeepEasy, KeepRandom} {
			var s Solver
			for _, a := range alphas {
				for _, f := range fs {
					p := Params{AlphaTotal: a, F: f, ThetaDeg: th, Keep: keep}
					sol, err := s.Solve(p, nil)
					if err != nil {
						t.Errorf("%+v: %v", p, err)
						continue
					}
					if r := sol.MaxResidual(); !(r <= 1e-6) {
						t.Errorf("%+v: residual %v", p, r)
					}
					if !(sol.Eps > 0 && sol.Eps <= 0.5 && sol.Kappa > 0) {
						t.Errorf("%+v: unphysical ε=%v κ=%v", p, sol.Eps, sol.Kappa)
					}
				}
			}
		}
	}
}

// stateAt evaluates eqs. (1)-(3) at given (κ, R, ρ) on a fixed grid.
func stateAt(ip *imperfectProbe, kappa, r, rho float64) saddleState {
	qs := (rho - r*ip.cosT) / ip.sinT // q sin ψ
	q := math.Hypot(r, qs)
	st := saddleState{kappa: kappa, psi: math.Atan2(qs, r), v: math.Log(math.Sqrt(1-q*q) / q)}
	ip.eval(&st)
	return st
}

// Eqs. (1) and (3) are transcribed from the paper and (2) is the margin
// condition F(κ, R, ρ) = α E[(κ - yλ)₊²] - (1 - Q) = 0. Check, by finite
// differences of F alone, that (1) and (3) are its stationarity conditions,
// ∂F/∂R = 2(LHS₁ - RHS₁) and ∂F/∂ρ = 2(LHS₃ - RHS₃), at points that are not
// solutions; and that the solution maximises κ(R, ρ) defined by F = 0.
func TestSaddleEquationsAreStationarityOfMargin(t *testing.T) {
	for _, c := range []struct {
		theta, alpha, f float64
		keep            Keep
	}{{10, 5, 0.4, KeepHard}, {20, 2, 0.3, KeepEasy}, {30, 50, 0.2, KeepHard}} {
		th := c.theta * math.Pi / 180
		d, _ := NewDensity(c.keep, c.f)
		ip := imperfectProbe{alpha: c.alpha * c.f, theta: th, sinT: math.Sin(th), cosT: math.Cos(th), dens: d, rule: newNodeRule(24)}
		sol, err := Solve(Params{AlphaTotal: c.alpha, F: c.f, ThetaDeg: c.theta, Keep: c.keep})
		if err != nil {
			t.Fatal(err)
		}
		base := saddleState{kappa: sol.Kappa, v: sol.v, psi: sol.psi}
		ip.setCoords(&base)
		buildGrid(ip.dens, ip.rule, ip.features(&base), false, &ip.grid)
		F := func(k, r, rho float64) float64 { st := stateAt(&ip, k, r, rho); return st.g - st.tau*st.tau }
		// Away from the solution.
		k, r, rho := sol.Kappa*1.1, sol.R*0.97, sol.Rho*0.95
		st := stateAt(&ip, k, r, rho)
		h := 1e-5
		dR := (F(k, r+h, rho) - F(k, r-h, rho)) / (2 * h)
		dRho := (F(k, r, rho+h) - F(k, r, rho-h)) / (2 * h)
		if want := 2 * (st.lhs1 - st.rhs1); math.Abs(dR-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("%+v: ∂F/∂R = %.10g, 2(LHS₁-RHS₁) = %.10g", c, dR, want)
		}
		if want := 2 * (st.lhs3 - st.rhs3); math.Abs(dRho-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("%+v: ∂F/∂ρ = %.10g, 2(LHS₃-RHS₃) = %.10g", c, dRho, want)
		}
		// κ(R, ρ) from F = 0 alone is maximal at the solution.
		kappaOf := func(r, rho float64) float64 {
			lo, hi := 0.0, 10*sol.Kappa+1
			for i := 0; i < 200; i++ {
				m := (lo + hi) / 2
				if F(m, r, rho) > 0 {
					hi = m
				} else {
					lo = m
				}
			}
			return (lo + hi) / 2
		}
		k0 := kappaOf(sol.R, sol.Rho)
		if math.Abs(k0-sol.Kappa) > 1e-8*sol.Kappa {
			t.Errorf("%+v: κ from eq. (2) = %.12g, solver κ = %.12g", c, k0, sol.Kappa)
		}
		for _, dd := range [][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {-1, 1}} {
			e := 2e-3 * (1 - sol.R)
			if kk := kappaOf(sol.R+dd[0]*e, sol.Rho+dd[1]*e); kk > k0*(1+1e-12) {
				t.Errorf("%+v: κ(R%+.1g, ρ%+.1g) = %.12g exceeds κ* = %.12g", c, dd[0]*e, dd[1]*e, kk, k0)
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	for name, p := range map[string]Params{
		"f zero":         {AlphaTotal: 1, F: 0, Keep: KeepHard},
		"f above one":    {AlphaTotal: 1, F: 1.2, Keep: KeepHard},
		"f NaN":          {AlphaTotal: 1, F: math.NaN(), Keep: KeepHard},
		"negative alpha": {AlphaTotal: -1, F: 0.5, Keep: KeepHard},
		"theta too big":  {AlphaTotal: 1, F: 0.5, ThetaDeg: 60, Keep: KeepHard},
		"theta negative": {AlphaTotal: 1, F: 0.5, ThetaDeg: -1, Keep: KeepHard},
		"unknown keep":   {AlphaTotal: 1, F: 0.5, Keep: Keep(7)},
	} {
		if _, err := Solve(p); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: error %v, want ErrBadInput", name, err)
		}
	}
}
