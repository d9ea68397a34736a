package simulate

import (
	"math"
	"math/rand/v2"
	"testing"

	"beyondscaling/theory"

	"gonum.org/v1/gonum/floats"
)

// In two dimensions the max-margin direction can be found by brute force:
// maximise min_i y_i (cos φ, sin φ)·x_i over a fine grid of φ, then refine.
func bruteForceMargin2D(x, y []float64) float64 {
	margin := func(phi float64) float64 {
		c, s := math.Cos(phi), math.Sin(phi)
		m := math.Inf(1)
		for i := range y {
			m = math.Min(m, y[i]*(c*x[2*i]+s*x[2*i+1]))
		}
		return m
	}
	best, bestPhi := math.Inf(-1), 0.0
	for k := 0; k < 200000; k++ {
		phi := 2 * math.Pi * float64(k) / 200000
		if m := margin(phi); m > best {
			best, bestPhi = m, phi
		}
	}
	step := 2 * math.Pi / 200000
	for it := 0; it < 60; it++ { // golden-section-like shrink around the grid optimum
		l, r := margin(bestPhi-step/2), margin(bestPhi+step/2)
		if l > best {
			best, bestPhi = l, bestPhi-step/2
		} else if r > best {
			best, bestPhi = r, bestPhi+step/2
		}
		step /= 2
	}
	return best
}

func TestMaxMarginAgainstBruteForce2D(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		inst, err := Draw(Config{N: 2, AlphaTotal: 15, F: 1, Keep: theory.KeepRandom}, rng)
		if err != nil {
			t.Fatal(err)
		}
		res, err := MaxMargin(inst.X, inst.Y, 2, Options{Tol: 1e-10})
		if err != nil {
			t.Fatal(err)
		}
		want := bruteForceMargin2D(inst.X, inst.Y)
		if math.Abs(res.Kappa-want) > 1e-9*math.Max(1, want) {
			t.Errorf("seed %d: κ = %.12g, brute force %.12g", seed, res.Kappa, want)
		}
	}
}

// KKT conditions and the certified gap on larger problems, including
// keep-hard data (many near-boundary examples) and more examples than
// dimensions (support sets that reach N).
func TestMaxMarginOptimality(t *testing.T) {
	for _, c := range []Config{
		{N: 50, AlphaTotal: 3, F: 1, Keep: theory.KeepRandom},
		{N: 100, AlphaTotal: 20, F: 0.3, Keep: theory.KeepHard},
		{N: 80, AlphaTotal: 20, F: 0.2, ThetaDeg: 10, Keep: theory.KeepHard},
		{N: 60, AlphaTotal: 5, F: 0.5, Keep: theory.KeepEasy},
	} {
		inst, err := Draw(c, rand.New(rand.NewPCG(7, 7)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := MaxMargin(inst.X, inst.Y, c.N, Options{Tol: 1e-9})
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if res.Support > c.N {
			t.Errorf("%+v: %d support vectors exceed N", c, res.Support)
		}
		wn := math.Sqrt(floats.Dot(res.W, res.W))
		for i := range inst.Y {
			m := inst.Y[i] * floats.Dot(inst.X[i*c.N:(i+1)*c.N], res.W)
			if m < 1-1e-9 {
				t.Errorf("%+v: example %d violates the margin: %v", c, i, m)
				break
			}
		}
		if math.Abs(res.Kappa-1/wn) > 1e-9 {
			t.Errorf("%+v: κ = %v but 1/|w| = %v", c, res.Kappa, 1/wn)
		}
	}
}

func TestMaxMarginNotSeparable(t *testing.T) {
	x := []float64{1, 0, -1, 0} // x and -x with the same label
	y := []float64{1, 1}
	if _, err := MaxMargin(x, y, 2, Options{}); err == nil {
		t.Error("non-separable data accepted")
	}
}

func TestDrawProbeAngleAndPruning(t *testing.T) {
	for _, keep := range []theory.Keep{theory.KeepHard, theory.KeepEasy, theory.KeepRandom} {
		c := Config{N: 40, AlphaTotal: 5, F: 0.3, ThetaDeg: 17, Keep: keep}
		inst, err := Draw(c, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		if got := math.Acos(floats.Dot(inst.Teacher, inst.Probe)) * 180 / math.Pi; math.Abs(got-17) > 1e-9 {
			t.Errorf("probe angle %v°, want 17°", got)
		}
		if len(inst.Y) != 60 {
			t.Errorf("kept %d, want round(0.3·200) = 60", len(inst.Y))
		}
		for i := range inst.Y {
			row := inst.X[i*c.N : (i+1)*c.N]
			if math.Copysign(1, floats.Dot(row, inst.Teacher)) != inst.Y[i] {
				t.Fatal("label is not the teacher's sign")
			}
		}
	}
}

// The kept examples are exactly the ones with the smallest (hard) or
// largest (easy) probe fields: compare with a full draw at f = 1 from the
// same seed.
func TestDrawKeepsTheRightExamples(t *testing.T) {
	full, _ := Draw(Config{N: 30, AlphaTotal: 4, F: 1, ThetaDeg: 5, Keep: theory.KeepHard}, rand.New(rand.NewPCG(9, 9)))
	hard, _ := Draw(Config{N: 30, AlphaTotal: 4, F: 0.25, ThetaDeg: 5, Keep: theory.KeepHard}, rand.New(rand.NewPCG(9, 9)))
	field := func(in Instance, i int) float64 { return math.Abs(floats.Dot(in.X[i*30:(i+1)*30], in.Probe)) }
	var all []float64
	for i := range full.Y {
		all = append(all, field(full, i))
	}
	maxKept := 0.0
	for i := range hard.Y {
		maxKept = math.Max(maxKept, field(hard, i))
	}
	below := 0
	for _, z := range all {
		if z <= maxKept+1e-12 {
			below++
		}
	}
	if below != len(hard.Y) {
		t.Errorf("%d examples have |z| ≤ the largest kept, want exactly the %d kept", below, len(hard.Y))
	}
}

func TestRunIsReproducible(t *testing.T) {
	c := Config{N: 50, AlphaTotal: 4, F: 0.5, ThetaDeg: 10, Keep: theory.KeepHard}
	a, err := Run(c, 4, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Run(c, 4, Options{})
	for i := range a.Eps {
		if a.Eps[i] != b.Eps[i] {
			t.Fatalf("seed %d: %v then %v", i, a.Eps[i], b.Eps[i])
		}
	}
}

// Theory (N → ∞) against simulations at N = 200 over 10 fixed seeds: within
// max(2.5 standard errors, 3% relative), at settings covering θ = 0 and 10°,
// keep hard and easy, scarce and abundant data.
func TestTheoryMatchesSimulation(t *testing.T) {
	if testing.Short() {
		t.Skip("simulations take about 15 s")
	}
	for _, c := range []Config{
		{N: 200, AlphaTotal: 2, F: 0.5, ThetaDeg: 0, Keep: theory.KeepHard},
		{N: 200, AlphaTotal: 2, F: 0.5, ThetaDeg: 0, Keep: theory.KeepEasy},
		{N: 200, AlphaTotal: 10, F: 0.5, ThetaDeg: 0, Keep: theory.KeepHard},
		{N: 200, AlphaTotal: 10, F: 0.5, ThetaDeg: 0, Keep: theory.KeepEasy},
		{N: 200, AlphaTotal: 3, F: 0.4, ThetaDeg: 10, Keep: theory.KeepEasy},
		{N: 200, AlphaTotal: 3, F: 0.4, ThetaDeg: 10, Keep: theory.KeepHard},
		{N: 200, AlphaTotal: 10, F: 0.3, ThetaDeg: 10, Keep: theory.KeepHard},
		{N: 200, AlphaTotal: 20, F: 0.2, ThetaDeg: 10, Keep: theory.KeepHard},
		{N: 200, AlphaTotal: 1, F: 1, ThetaDeg: 0, Keep: theory.KeepRandom},
	} {
		st, err := Run(c, 10, Options{})
		if err != nil {
			t.Fatal(err)
		}
		th, err := theory.Solve(theory.Params{AlphaTotal: c.AlphaTotal, F: c.F, ThetaDeg: c.ThetaDeg, Keep: c.Keep})
		if err != nil {
			t.Fatal(err)
		}
		tol := math.Max(2.5*st.EpsSEM, 0.03*th.Eps)
		t.Logf("%v θ=%v° α_tot=%v f=%v: simulation %.4f ± %.4f, theory %.4f", c.Keep, c.ThetaDeg, c.AlphaTotal, c.F, st.EpsMean, st.EpsSEM, th.Eps)
		if d := math.Abs(st.EpsMean - th.Eps); d > tol {
			t.Errorf("%+v: |simulation - theory| = %.4f > %.4f", c, d, tol)
		}
	}
}
