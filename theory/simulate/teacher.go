package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"beyondscaling/theory"

	"gonum.org/v1/gonum/floats"
)

// Config is one teacher-student experiment.
type Config struct {
	N          int     // input dimension
	AlphaTotal float64 // P = round(AlphaTotal·N) examples before pruning
	F          float64 // fraction kept
	ThetaDeg   float64 // probe angle to the teacher, degrees
	Keep       theory.Keep
}

// Validate reports a clear error for an invalid configuration.
func (c Config) Validate() error {
	switch {
	case c.N < 2:
		return fmt.Errorf("dimension N = %d must be at least 2", c.N)
	case !(c.AlphaTotal > 0):
		return fmt.Errorf("α_tot = %v must be positive", c.AlphaTotal)
	case !(c.F > 0 && c.F <= 1):
		return fmt.Errorf("fraction kept f = %v must be in (0, 1]", c.F)
	case !(c.ThetaDeg >= 0 && c.ThetaDeg <= 90):
		return fmt.Errorf("probe angle θ = %v° must be in [0°, 90°]", c.ThetaDeg)
	case c.Keep != theory.KeepHard && c.Keep != theory.KeepEasy && c.Keep != theory.KeepRandom:
		return fmt.Errorf("unknown keep policy %v", c.Keep)
	}
	if c.kept() < 1 {
		return fmt.Errorf("f·α_tot·N = %.3g keeps no example", c.F*c.AlphaTotal*float64(c.N))
	}
	return nil
}

func (c Config) total() int { return int(math.Round(c.AlphaTotal * float64(c.N))) }
func (c Config) kept() int  { return int(math.Round(c.F * float64(c.total()))) }

// Instance is one drawn data set: the teacher, the probe and the kept
// examples (row-major X, one row of length N per example).
type Instance struct {
	N       int
	Teacher []float64 // unit vector
	Probe   []float64 // unit vector at angle θ to Teacher
	X       []float64
	Y       []float64 // ±1
}

// Draw samples a teacher, a probe at exactly angle θ, P Gaussian examples,
// and keeps the fraction f by the probe's unsigned field.
func Draw(c Config, rng *rand.Rand) (Instance, error) {
	if err := c.Validate(); err != nil {
		return Instance{}, err
	}
	n := c.N
	t := randomUnit(n, rng)
	v := randomUnit(n, rng)
	// Gram-Schmidt: v ⟂ t, so probe = cos θ t + sin θ v is at angle θ exactly.
	d := floats.Dot(v, t)
	for i := range v {
		v[i] -= d * t[i]
	}
	floats.Scale(1/math.Sqrt(floats.Dot(v, v)), v)
	th := c.ThetaDeg * math.Pi / 180
	probe := make([]float64, n)
	for i := range probe {
		probe[i] = math.Cos(th)*t[i] + math.Sin(th)*v[i]
	}
	p := c.total()
	x := make([]float64, p*n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	z := make([]float64, p)
	for i := 0; i < p; i++ {
		z[i] = math.Abs(floats.Dot(x[i*n:(i+1)*n], probe))
	}
	idx := make([]int, p)
	for i := range idx {
		idx[i] = i
	}
	switch c.Keep {
	case theory.KeepHard:
		sort.Slice(idx, func(a, b int) bool { return z[idx[a]] < z[idx[b]] })
	case theory.KeepEasy:
		sort.Slice(idx, func(a, b int) bool { return z[idx[a]] > z[idx[b]] })
	case theory.KeepRandom:
		rng.Shuffle(p, func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
	}
	k := c.kept()
	inst := Instance{N: n, Teacher: t, Probe: probe, X: make([]float64, k*n), Y: make([]float64, k)}
	for j, i := range idx[:k] {
		row := x[i*n : (i+1)*n]
		copy(inst.X[j*n:], row)
		inst.Y[j] = 1
		if floats.Dot(row, t) < 0 {
			inst.Y[j] = -1
		}
	}
	return inst, nil
}

// GeneralisationError is arccos(R)/π for the student w, R its cosine with the teacher.
func (in Instance) GeneralisationError(w []float64) float64 {
	r := floats.Dot(w, in.Teacher) / math.Sqrt(floats.Dot(w, w))
	return math.Acos(math.Max(-1, math.Min(1, r))) / math.Pi
}

func randomUnit(n int, rng *rand.Rand) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	floats.Scale(1/math.Sqrt(floats.Dot(v, v)), v)
	return v
}
