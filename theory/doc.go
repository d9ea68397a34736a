// Package theory solves the replica theory of data pruning for the
// teacher-student perceptron of Sorscher et al. (2022), "Beyond neural
// scaling laws: beating power law scaling via data pruning".
//
// A teacher T labels Gaussian inputs x ~ N(0, I_N) by y = sign(T·x). A probe
// student at angle θ to the teacher ranks the P = α_tot N examples by the
// unsigned probe field |z| and a fraction f of them is kept (keep hard: the
// smallest |z|; keep easy: the largest; random: a uniform subsample). A new
// maximum-margin student J is trained on the αN = f α_tot N kept examples.
//
// Solve returns the order parameters of the replica-symmetric saddle point
// (R = student-teacher overlap, ρ = student-probe overlap, κ = margin) and
// the test error ε = arccos(R)/π, together with the residuals of the
// saddle-point equations, for α_tot in [0.1, 1000], f in [0.001, 1] and θ
// in [0°, 45°]. At θ = 0 the system is singular and the reduced equations
// (E1, E2) are solved instead.
//
// How it is solved, and why. For fixed (R, ρ) the margin condition
//
//	1 - Q = α E[(κ - yλ)₊²],  Q = (R² + ρ² - 2ρR cos θ)/sin² θ,
//
// (the paper's eq. 2) determines κ(R, ρ); the max-margin student maximises κ
// over (R, ρ), and eqs. (1) and (3) are the stationarity conditions. Given z
// the student field λ and the teacher field u are jointly Gaussian, so every
// t-integral of eqs. (1)-(3) has a closed form in terms of the bivariate
// normal distribution function; only the average over the pruned density
// p(z) is done numerically, by composite Gauss-Legendre quadrature with
// breakpoints at the support edges and at every sharp layer of the
// integrand. Nothing divides by Λ (the determinant that vanishes at large α),
// which keeps the solver accurate where Λ → 0. The student is parametrised
// by its in-plane norm q = √Q and angle ψ (R = q cos ψ, ρ = q cos(θ - ψ),
// Λ² = sin²θ (1 - q²)), so every iterate is feasible.
//
// Derived quantities (Pareto frontier, optimal fraction f_opt, minimum
// fraction f_min(θ), keep-hard/keep-easy crossover) are in frontier.go.
// Advise (advise.go) turns them into a researcher's answer to "how much of
// my data should I keep?": what can be dropped at no cost at fixed α_tot,
// and how to spend a training budget α_prune ≤ α_tot. Teacher-student
// simulations that check the theory are in package theory/simulate.
//
// ErrorTable (errortable.go) is ε precomputed on a grid of (α_tot, f, θ)
// and interpolated, for work that evaluates the theory tens of thousands of
// times; Calibrate (calibrate.go) fits it to a real pruning experiment,
// error = a + b·ε(n/d_eff, f, θ), so that the theory predicts sizes that
// were never run (docs/calibration.md).
package theory
