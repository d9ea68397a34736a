package curves

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"beyondscaling/lib/plots"
	"beyondscaling/theory"
	"beyondscaling/theory/simulate"

	"gonum.org/v1/gonum/floats"
)

// Scene is one teacher-student draw seen in the plane of the teacher T and
// the probe's component v orthogonal to it: u = T·x, w = v·x, so the probe
// field is z = u cos θ + w sin θ.
type Scene struct {
	Config         simulate.Config
	Seed           uint64
	U, W, Y        []float64 // all examples before pruning
	Kept           []bool
	Threshold      float64    // |z| threshold of the pruning
	Student        [2]float64 // the max-margin student's in-plane direction (T, v components)
	StudentEps     float64    // its test error
	TheoryEps      float64    // the replica prediction (N → ∞)
	StudentOverlap float64    // R
}

// TeachingScene draws one instance, prunes it, trains the max-margin student
// on the kept examples and returns everything the teaching figure shows.
func TeachingScene(c simulate.Config, seed uint64) (Scene, error) {
	full := c
	full.F = 1
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	inst, err := simulate.Draw(full, rng)
	if err != nil {
		return Scene{}, err
	}
	n := c.N
	// v: the probe's component orthogonal to the teacher.
	th := c.ThetaDeg * math.Pi / 180
	v := make([]float64, n)
	if math.Sin(th) > 1e-12 {
		for i := range v {
			v[i] = (inst.Probe[i] - math.Cos(th)*inst.Teacher[i]) / math.Sin(th)
		}
	} else { // any direction orthogonal to the teacher
		r := rand.New(rand.NewPCG(seed, 1))
		for i := range v {
			v[i] = r.NormFloat64()
		}
		d := floats.Dot(v, inst.Teacher)
		for i := range v {
			v[i] -= d * inst.Teacher[i]
		}
		s := math.Sqrt(floats.Dot(v, v))
		for i := range v {
			v[i] /= s
		}
	}
	p := len(inst.Y)
	sc := Scene{Config: c, Seed: seed, U: make([]float64, p), W: make([]float64, p), Y: inst.Y, Kept: make([]bool, p)}
	z := make([]float64, p)
	for i := 0; i < p; i++ {
		row := inst.X[i*n : (i+1)*n]
		sc.U[i], sc.W[i] = floats.Dot(row, inst.Teacher), floats.Dot(row, v)
		z[i] = math.Abs(floats.Dot(row, inst.Probe))
	}
	// Keep by |z| exactly as simulate.Draw does.
	k := int(math.Round(c.F * float64(p)))
	order := argsort(z)
	switch c.Keep {
	case theory.KeepHard:
		for _, i := range order[:k] {
			sc.Kept[i] = true
		}
		sc.Threshold = z[order[k-1]]
	case theory.KeepEasy:
		for _, i := range order[p-k:] {
			sc.Kept[i] = true
		}
		sc.Threshold = z[order[p-k]]
	default:
		perm := rng.Perm(p)
		for _, i := range perm[:k] {
			sc.Kept[i] = true
		}
		sc.Threshold = math.NaN()
	}
	var xs, ys []float64
	for i := 0; i < p; i++ {
		if sc.Kept[i] {
			xs = append(xs, inst.X[i*n:(i+1)*n]...)
			ys = append(ys, inst.Y[i])
		}
	}
	res, err := simulate.MaxMargin(xs, ys, n, simulate.Options{})
	if err != nil {
		return Scene{}, err
	}
	wn := math.Sqrt(floats.Dot(res.W, res.W))
	sc.Student = [2]float64{floats.Dot(res.W, inst.Teacher) / wn, floats.Dot(res.W, v) / wn}
	sc.StudentOverlap = sc.Student[0]
	sc.StudentEps = inst.GeneralisationError(res.W)
	if sol, err := theory.Solve(theory.Params{AlphaTotal: c.AlphaTotal, F: c.F, ThetaDeg: c.ThetaDeg, Keep: c.Keep}); err == nil {
		sc.TheoryEps = sol.Eps
	} else {
		sc.TheoryEps = math.NaN()
	}
	return sc, nil
}

// SceneFigure draws the scene: discarded examples in grey, kept ones coloured
// by label, the teacher's boundary (u = 0), the probe's boundary and the
// edges of the kept band, and the student's in-plane boundary.
func SceneFigure(sc Scene) *plots.Figure {
	c := sc.Config
	fig := &plots.Figure{
		Title: fmt.Sprintf("Keep %v, f = %g, θ = %g°: student ε = %.3f (theory %.3f)",
			c.Keep, c.F, c.ThetaDeg, sc.StudentEps, sc.TheoryEps),
		XLabel: "teacher field u = T·x", YLabel: "orthogonal field w = v·x",
		Style: &plots.Style{},
	}
	*fig.Style = plots.Paper
	fig.Style.Width, fig.Style.Height = plots.Size(4.2, 4.2)
	var gx, gy, px, py, nx, ny []float64
	for i := range sc.U {
		switch {
		case !sc.Kept[i]:
			gx, gy = append(gx, sc.U[i]), append(gy, sc.W[i])
		case sc.Y[i] > 0:
			px, py = append(px, sc.U[i]), append(py, sc.W[i])
		default:
			nx, ny = append(nx, sc.U[i]), append(ny, sc.W[i])
		}
	}
	grey := plots.Grey
	fig.Series = append(fig.Series,
		plots.Series{Label: "pruned away", X: gx, Y: gy, Kind: plots.Points, Color: grey},
		plots.Series{Label: "kept, y = +1", X: px, Y: py, Kind: plots.Points, Color: plots.Categorical[1]},
		plots.Series{Label: "kept, y = -1", X: nx, Y: ny, Kind: plots.Points, Color: plots.Categorical[0]},
	)
	const ext = 3.5
	line := func(label string, a, b, off float64, col int, dashed bool) plots.Series {
		// points with a·u + b·w = off inside the square [-ext, ext]²
		var x, y []float64
		if math.Abs(b) > math.Abs(a) {
			for _, u := range []float64{-ext, ext} {
				x, y = append(x, u), append(y, (off-a*u)/b)
			}
		} else {
			for _, w := range []float64{-ext, ext} {
				x, y = append(x, (off-b*w)/a), append(y, w)
			}
		}
		return plots.Series{Label: label, X: x, Y: y, Kind: plots.Line, Color: plots.Categorical[col], Dashed: dashed, Parametric: true} // a line in the plane, any direction
	}
	th := c.ThetaDeg * math.Pi / 180
	fig.Series = append(fig.Series,
		line("teacher boundary", 1, 0, 0, 6, false),
		line("probe boundary", math.Cos(th), math.Sin(th), 0, 4, true),
		line("student boundary (in-plane)", sc.Student[0], sc.Student[1], 0, 2, false),
	)
	if !math.IsNaN(sc.Threshold) {
		fig.Series = append(fig.Series,
			line("kept band edge |z| = g", math.Cos(th), math.Sin(th), sc.Threshold, 3, true),
			line("", math.Cos(th), math.Sin(th), -sc.Threshold, 3, true))
	}
	return fig
}

// DensityFigure draws the pruned densities p(z) of keep hard and keep easy at f.
func DensityFigure(f float64) (*plots.Figure, error) {
	fig := &plots.Figure{Title: fmt.Sprintf("Pruned densities of the probe field at f = %g", f), XLabel: "probe field z (teacher-normalised)", YLabel: "density p(z)"}
	for i, keep := range []theory.Keep{theory.KeepRandom, theory.KeepHard, theory.KeepEasy} {
		d, err := theory.NewDensity(keep, f)
		if err != nil {
			return nil, err
		}
		var x, y []float64
		for z := -4.0; z <= 4.0001; z += 0.01 {
			x, y = append(x, z), append(y, d.PDF(z))
		}
		fig.Series = append(fig.Series, plots.Series{Label: "keep " + keep.String(), X: x, Y: y, Kind: plots.Line, Color: plots.Categorical[i]})
	}
	return fig, nil
}

func argsort(z []float64) []int {
	idx := make([]int, len(z))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return z[idx[a]] < z[idx[b]] })
	return idx
}
