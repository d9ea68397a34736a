package theory

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func embeddedErrorTable(t testing.TB) *ErrorTable {
	t.Helper()
	tab, err := DefaultErrorTable()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// The embedded table must hold what the solver computes today: a stale
// table (the solver changed, the table was not regenerated) fails here.
// Tolerance: 1e-6 relative; the table stores 9 significant digits, and a
// cold solve and the table's warm-started one agree to the solver's own
// convergence (residuals below 1e-10).
func TestErrorTableMatchesSolver(t *testing.T) {
	tab := embeddedErrorTable(t)
	a := tab.Axes
	if a != DefaultTableAxes {
		t.Fatalf("embedded table's axes %+v differ from DefaultTableAxes %+v: regenerate with go generate ./theory", a, DefaultTableAxes)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 40
	if testing.Short() {
		n = 10
	}
	var s Solver
	for c := 0; c < n; c++ {
		i, j, k := rng.IntN(a.AlphaPoints), rng.IntN(a.FPoints), rng.IntN(a.ThetaPoints)
		keep := []Keep{KeepHard, KeepEasy}[rng.IntN(2)]
		p := Params{AlphaTotal: a.Alpha(i), F: a.F(j), ThetaDeg: a.Theta(k), Keep: keep}
		sol, err := s.Solve(p, nil)
		if err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		got, err := tab.Eps(keep, p.AlphaTotal, p.F, p.ThetaDeg)
		if err != nil {
			t.Fatal(err)
		}
		if rel := math.Abs(got-sol.Eps) / sol.Eps; rel > 1e-6 {
			t.Errorf("grid point %+v: table ε = %.9g, solver %.9g (relative %.2g)", p, got, sol.Eps, rel)
		}
	}
}

// Between grid points the tricubic interpolation must stay close to the
// solver: within 1% of ε (relative) at points off the grid in all three
// axes, away from θ = 0 (see TestErrorTableNearPerfectProbe), which is far
// below the seed-to-seed spread of any measured error it is compared with.
func TestErrorTableInterpolation(t *testing.T) {
	tab := embeddedErrorTable(t)
	a := tab.Axes
	rng := rand.New(rand.NewPCG(3, 4))
	n := 40
	if testing.Short() {
		n = 10
	}
	var s Solver
	worst := 0.0
	for c := 0; c < n; c++ {
		// Uniformly random positions off the grid (θ from its second
		// point on: TestErrorTableNearPerfectProbe covers the first cell).
		x := 0.5 + rng.Float64()*float64(a.AlphaPoints-2)
		y := rng.Float64() * float64(a.FPoints-1)
		z := 1 + rng.Float64()*float64(a.ThetaPoints-2)
		alpha := a.AlphaMin * math.Pow(a.AlphaMax/a.AlphaMin, x/float64(a.AlphaPoints-1))
		f := a.FMin + (1-a.FMin)*y/float64(a.FPoints-1)
		theta := a.ThetaMax * z / float64(a.ThetaPoints-1)
		keep := []Keep{KeepHard, KeepEasy, KeepRandom}[rng.IntN(3)]
		if keep == KeepRandom && alpha*f < a.AlphaMin {
			alpha = a.AlphaMin / f * 1.5
		}
		p := Params{AlphaTotal: alpha, F: f, ThetaDeg: theta, Keep: keep}
		sol, err := s.Solve(p, nil)
		if err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		got, err := tab.Eps(keep, alpha, f, theta)
		if err != nil {
			t.Fatal(err)
		}
		rel := math.Abs(got-sol.Eps) / sol.Eps
		worst = math.Max(worst, rel)
		if rel > 0.01 {
			t.Errorf("%+v: interpolated ε = %.6g, solver %.6g (relative %.3g > 1%%)", p, got, sol.Eps, rel)
		}
	}
	t.Logf("largest relative interpolation error over %d points: %.3g", n, worst)
}

// Between θ = 0° (the perfect probe, whose error falls exponentially with
// α) and the first grid angle the error changes fastest; there the
// interpolation is held to 10% (7.7% at the worst point below, keep easy
// at α_tot = 100), at the α_tot a calibration on a 1,000-55,000 image grid
// reaches; a calibrated θ below 2.5° is read with that in mind.
func TestErrorTableNearPerfectProbe(t *testing.T) {
	tab := embeddedErrorTable(t)
	var s Solver
	for _, p := range []Params{
		{AlphaTotal: 20, F: 0.5, ThetaDeg: 1.25, Keep: KeepHard},
		{AlphaTotal: 100, F: 0.3, ThetaDeg: 1.25, Keep: KeepHard},
		{AlphaTotal: 100, F: 0.3, ThetaDeg: 1.25, Keep: KeepEasy},
	} {
		sol, err := s.Solve(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tab.Eps(p.Keep, p.AlphaTotal, p.F, p.ThetaDeg)
		if err != nil {
			t.Fatal(err)
		}
		if rel := math.Abs(got-sol.Eps) / sol.Eps; rel > 0.10 {
			t.Errorf("%+v: interpolated ε = %.6g, solver %.6g (relative %.3g > 10%%)", p, got, sol.Eps, rel)
		}
	}
}

func TestErrorTableRandomIsUnprunedAtAlphaF(t *testing.T) {
	tab := embeddedErrorTable(t)
	got, err := tab.Eps(KeepRandom, 40, 0.25, 30)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tab.Eps(KeepHard, 10, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("random at α_tot = 40, f = 0.25: %v, want the unpruned ε at α_tot = 10, %v", got, want)
	}
}

func TestErrorTableOutOfRange(t *testing.T) {
	tab := embeddedErrorTable(t)
	for _, c := range []struct {
		keep        Keep
		alpha, f, θ float64
		want        string
	}{
		{KeepHard, 0.05, 0.5, 10, "α_tot"},
		{KeepHard, 2000, 0.5, 10, "α_tot"},
		{KeepHard, 10, 0.05, 10, "f = 0.05"},
		{KeepEasy, 10, 0.5, 50, "θ = 50"},
		{KeepRandom, 0.5, 0.1, 0, "α_tot·f"},
	} {
		_, err := tab.Eps(c.keep, c.alpha, c.f, c.θ)
		if err == nil || !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Eps(%v, %v, %v, %v): error %v, want one naming %q", c.keep, c.alpha, c.f, c.θ, err, c.want)
		}
	}
}

func TestReadErrorTableRejectsBadFiles(t *testing.T) {
	var good bytes.Buffer
	zr, err := gzip.NewReader(bytes.NewReader(embeddedTable))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(good.String(), "\n")
	for _, c := range []struct {
		name, text, want string
	}{
		{"not a table", "hello\n", "t.csv:1: not a theory error table"},
		{"truncated", strings.Join(lines[:100], "\n") + "\n", "lacks grid point"},
		{"bad eps", strings.Join(lines[:3], "\n") + "\nhard,0,0,0,0.1,0.1,0,0.7\n", "t.csv:4: ε"},
		{"bad index", strings.Join(lines[:3], "\n") + "\nhard,99,0,0,0.1,0.1,0,0.3\n", "t.csv:4: grid index"},
	} {
		_, err := ReadErrorTable(strings.NewReader(c.text), "t.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// syntheticObservations are a pruning grid generated by the calibration
// model itself: error = a + b·ε(n/d, f, θ) for keep hard, keep easy, random
// and unpruned, plus Gaussian noise of standard deviation se.
func syntheticObservations(t testing.TB, truth Calibration, sizes, fs []float64, se float64, seed uint64) []Observation {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	var obs []Observation
	for _, n := range sizes {
		for _, f := range fs {
			keeps := []Keep{KeepHard, KeepEasy, KeepRandom}
			if f == 1 {
				keeps = keeps[2:]
			}
			for _, k := range keeps {
				v, err := truth.Predict(n, f, k)
				if err != nil {
					t.Fatal(err)
				}
				obs = append(obs, Observation{N: n, F: f, Keep: k, Err: v + se*rng.NormFloat64(), SE: se})
			}
		}
	}
	return obs
}

// Parameter recovery: on data generated from the model with known
// parameters and noise of 0.3 points (the spread of a three-seed mean on a
// 10,000-image test set), the fit recovers d_eff within 15% (relative), θ
// within 2°, a within 0.01 and b within 15%, and predictions at a 7× larger
// held-out size fall within 0.01 of the truth, on each of 5 noise draws.
func TestCalibrateRecoversParameters(t *testing.T) {
	sizes := []float64{1000, 2700, 7400}
	fs := []float64{0.2, 0.3, 0.5, 0.7, 0.9, 1}
	for _, truth := range []Calibration{
		{DEff: 150, ThetaDeg: 10, A: 0.08, B: 0.9},
		{DEff: 600, ThetaDeg: 25, A: 0.05, B: 0.6},
	} {
		name := fmt.Sprintf("d_eff %g, θ %g°, a %g, b %g", truth.DEff, truth.ThetaDeg, truth.A, truth.B)
		for seed := uint64(1); seed <= 5; seed++ {
			obs := syntheticObservations(t, truth, sizes, fs, 0.003, seed)
			c, err := Calibrate(obs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rel := math.Abs(c.DEff-truth.DEff) / truth.DEff; rel > 0.15 {
				t.Errorf("%s, seed %d: d_eff = %.4g (relative error %.2g > 15%%)", name, seed, c.DEff, rel)
			}
			if d := math.Abs(c.ThetaDeg - truth.ThetaDeg); d > 2 {
				t.Errorf("%s, seed %d: θ = %.3g° (off by %.2g° > 2°)", name, seed, c.ThetaDeg, d)
			}
			if d := math.Abs(c.A - truth.A); d > 0.01 {
				t.Errorf("%s, seed %d: a = %.4g (off by %.2g > 0.01)", name, seed, c.A, d)
			}
			if rel := math.Abs(c.B-truth.B) / truth.B; rel > 0.15 {
				t.Errorf("%s, seed %d: b = %.4g (relative error %.2g > 15%%)", name, seed, c.B, rel)
			}
			for _, k := range []Keep{KeepHard, KeepEasy, KeepRandom} {
				want, _ := truth.Predict(50000, 0.5, k)
				got, err := c.Predict(50000, 0.5, k)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got-want) > 0.01 {
					t.Errorf("%s, seed %d: prediction at n = 50,000, f = 0.5, keep %v: %.4f, truth %.4f", name, seed, k, got, want)
				}
			}
		}
	}
}

// The 95% intervals cover the truth in about 95% of noise draws: over 40
// draws at least 32 covers per parameter (with a true coverage of 95% the
// chance of 31 or fewer is about 0.05%; an interval half as wide as it
// should be covers about 68%, and reaches 32 in only a few percent of
// runs).
func TestCalibrateIntervalsCover(t *testing.T) {
	if testing.Short() {
		t.Skip("40 calibrations")
	}
	truth := Calibration{DEff: 150, ThetaDeg: 10, A: 0.08, B: 0.9}
	sizes := []float64{1000, 2700, 7400}
	fs := []float64{0.2, 0.3, 0.5, 0.7, 0.9, 1}
	const draws = 40
	covered := make([]int, 4)
	var fitted [4][]float64
	for seed := uint64(100); seed < 100+draws; seed++ {
		c, err := Calibrate(syntheticObservations(t, truth, sizes, fs, 0.003, seed), nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range []struct {
			v     float64
			inter [2]float64
			got   float64
		}{{truth.DEff, c.DEffInterval, c.DEff}, {truth.ThetaDeg, c.ThetaInterval, c.ThetaDeg}, {truth.A, c.AInterval, c.A}, {truth.B, c.BInterval, c.B}} {
			if p.inter[0] <= p.v && p.v <= p.inter[1] {
				covered[i]++
			}
			fitted[i] = append(fitted[i], p.got)
		}
	}
	for i, name := range CalibrationParams {
		t.Logf("%s: covered in %d of %d draws; spread of the fits %.3g", name, covered[i], draws, stdDev(fitted[i]))
		if covered[i] < 32 {
			t.Errorf("%s: the 95%% interval covers the truth in %d of %d draws (want ≥ 32)", name, covered[i], draws)
		}
	}
}

func stdDev(xs []float64) float64 {
	var m, s float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(xs)-1))
}

func TestCalibrateRejectsDegenerateData(t *testing.T) {
	truth := Calibration{DEff: 150, ThetaDeg: 10, A: 0.08, B: 0.9}
	full := syntheticObservations(t, truth, []float64{1000, 2700, 7400}, []float64{0.2, 0.5, 1}, 0.003, 1)
	keepOnly := func(pred func(Observation) bool) []Observation {
		var out []Observation
		for _, o := range full {
			if pred(o) {
				out = append(out, o)
			}
		}
		return out
	}
	bad := append([]Observation(nil), full...)
	bad[0].SE = 0
	nan := append([]Observation(nil), full...)
	nan[1].Err = math.NaN()
	for _, c := range []struct {
		name string
		obs  []Observation
		is   error
		want string
	}{
		{"one size", keepOnly(func(o Observation) bool { return o.N == 1000 }), ErrNotIdentified, "at least two"},
		{"one policy", keepOnly(func(o Observation) bool { return o.Keep != KeepEasy }), ErrNotIdentified, "both keep hard and keep easy"},
		{"no f = 1", keepOnly(func(o Observation) bool { return o.F < 1 }), ErrNotIdentified, "f = 1"},
		{"zero standard error", bad, ErrBadInput, "standard error"},
		{"NaN error", nan, ErrBadInput, "test error NaN"},
		{"nothing", nil, ErrNotIdentified, "0 initial size"},
		{"no degrees of freedom", keepOnly(func(o Observation) bool {
			return o.N != 7400 && (o.F == 1 || (o.N == 1000 && o.F == 0.2 && o.Keep != KeepRandom))
		}), ErrNotIdentified, "4 cells"},
	} {
		_, err := Calibrate(c.obs, nil)
		if err == nil || !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %v naming %q", c.name, err, c.is, c.want)
		}
	}
}

// A perfect probe (θ = 0°, on the bound of the angle's range) is fitted
// without a singular curvature, with θ's interval open at 0°. (The fit
// lands within a degree of 0°: the table interpolates least well between
// 0° and 2.5°, TestErrorTableNearPerfectProbe.)
func TestCalibrateAtThetaBound(t *testing.T) {
	truth := Calibration{DEff: 150, ThetaDeg: 0, A: 0.08, B: 0.9}
	c, err := Calibrate(syntheticObservations(t, truth, []float64{1000, 2700, 7400}, []float64{0.2, 0.3, 0.5, 0.7, 0.9, 1}, 0.003, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ThetaDeg > 2 || c.ThetaInterval[0] != 0 || !c.ThetaOpen[0] {
		t.Errorf("θ = %.3g° [%.3g°, %.3g°], open %v: want θ within 2° of the truth 0° and an interval open at 0°", c.ThetaDeg, c.ThetaInterval[0], c.ThetaInterval[1], c.ThetaOpen)
	}
	for _, v := range []float64{c.AInterval[0], c.AInterval[1], c.BInterval[0], c.BInterval[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("a or b interval not finite: %v %v", c.AInterval, c.BInterval)
		}
	}
}

func BenchmarkCalibrate(b *testing.B) {
	truth := Calibration{DEff: 150, ThetaDeg: 10, A: 0.08, B: 0.9}
	obs := syntheticObservations(b, truth, []float64{1000, 2700, 7400}, []float64{0.2, 0.3, 0.5, 0.7, 0.9, 1}, 0.003, 1)
	for b.Loop() {
		if _, err := Calibrate(obs, nil); err != nil {
			b.Fatal(err)
		}
	}
}
