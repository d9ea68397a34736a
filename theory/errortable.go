package theory

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// TableAxes are the grid of an ErrorTable: log-spaced α_tot, evenly spaced
// fractions ending at 1 and evenly spaced probe angles starting at 0°.
// Uniform steps (in log α_tot, f and θ) let the table interpolate with
// Catmull-Rom cubics: continuous with a continuous first derivative (a
// second derivative across a grid line mixes two cubics, which a fit's
// finite-difference curvature, with steps far inside a cell, rarely meets).
type TableAxes struct {
	AlphaMin, AlphaMax float64 // α_tot range, within [MinAlphaTotal, MaxAlphaTotal]
	AlphaPoints        int     // log-spaced
	FMin               float64 // smallest fraction; the f axis runs evenly to 1
	FPoints            int
	ThetaMax           float64 // largest probe angle in degrees; the θ axis runs evenly from 0
	ThetaPoints        int
}

// DefaultTableAxes is the grid of the embedded table (errortable.csv.gz):
// α_tot from 0.1 to 1000 at ten points a decade, f from 0.1 to 1 in steps
// of 0.05, θ from 0° to 45° in steps of 2.5°.
var DefaultTableAxes = TableAxes{AlphaMin: 0.1, AlphaMax: 1000, AlphaPoints: 41, FMin: 0.1, FPoints: 19, ThetaMax: 45, ThetaPoints: 19}

func (a TableAxes) validate() error {
	switch {
	case !(a.AlphaMin >= MinAlphaTotal && a.AlphaMax <= MaxAlphaTotal && a.AlphaMin < a.AlphaMax):
		return fmt.Errorf("%w: table α_tot range [%v, %v] must lie in [%v, %v]", ErrBadInput, a.AlphaMin, a.AlphaMax, MinAlphaTotal, MaxAlphaTotal)
	case !(a.FMin >= MinFraction && a.FMin < 1):
		return fmt.Errorf("%w: table's smallest fraction %v must be in [%v, 1)", ErrBadInput, a.FMin, MinFraction)
	case !(a.ThetaMax > 0 && a.ThetaMax <= MaxThetaDeg):
		return fmt.Errorf("%w: table's largest angle %v° must be in (0°, %v°]", ErrBadInput, a.ThetaMax, MaxThetaDeg)
	case a.AlphaPoints < 4 || a.FPoints < 4 || a.ThetaPoints < 4:
		return fmt.Errorf("%w: a table needs at least 4 points on each axis (cubic interpolation), got %d, %d, %d", ErrBadInput, a.AlphaPoints, a.FPoints, a.ThetaPoints)
	}
	return nil
}

// Alpha, F and Theta return the i-th grid value of each axis.
func (a TableAxes) Alpha(i int) float64 {
	la, lb := math.Log(a.AlphaMin), math.Log(a.AlphaMax)
	if i == a.AlphaPoints-1 {
		return a.AlphaMax
	}
	return math.Exp(la + (lb-la)*float64(i)/float64(a.AlphaPoints-1))
}

func (a TableAxes) F(i int) float64 {
	if i == a.FPoints-1 {
		return 1
	}
	return a.FMin + (1-a.FMin)*float64(i)/float64(a.FPoints-1)
}

func (a TableAxes) Theta(i int) float64 {
	return a.ThetaMax * float64(i) / float64(a.ThetaPoints-1)
}

// ErrorTable is the theory's test error ε of keep hard and keep easy,
// precomputed on a grid of (α_tot, f, θ) and interpolated between grid
// points. A calibration evaluates the theory thousands of times; the solver
// takes milliseconds a point, the table microseconds. Random pruning needs
// no table of its own: it keeps a uniform subsample, so its ε at (α_tot, f)
// is the unpruned ε at α_tot·f, read off the f = 1 plane.
type ErrorTable struct {
	Axes TableAxes
	// logEps[keep][((i*FPoints)+j)*ThetaPoints+k] is log ε at
	// (Alpha(i), F(j), Theta(k)) for keep hard (0) and keep easy (1).
	logEps [2][]float64
}

func keepIndex(k Keep) (int, error) {
	switch k {
	case KeepHard:
		return 0, nil
	case KeepEasy:
		return 1, nil
	}
	return 0, fmt.Errorf("%w: the error table holds keep hard and keep easy, not %v", ErrBadInput, k)
}

func (t *ErrorTable) index(i, j, k int) int {
	return (i*t.Axes.FPoints+j)*t.Axes.ThetaPoints + k
}

// BuildErrorTable solves the theory at every grid point of axes, one
// (policy, f, θ) line along α_tot per job, warm-starting each point from its
// neighbour, on workers goroutines (0: all cores). done, when not nil, is
// called after each line with the lines finished and their total.
func BuildErrorTable(axes TableAxes, workers int, done func(finished, total int)) (*ErrorTable, error) {
	if err := axes.validate(); err != nil {
		return nil, err
	}
	t := &ErrorTable{Axes: axes}
	size := axes.AlphaPoints * axes.FPoints * axes.ThetaPoints
	t.logEps = [2][]float64{make([]float64, size), make([]float64, size)}
	type line struct{ keep, j, k int }
	var lines []line
	for keep := 0; keep < 2; keep++ {
		for j := 0; j < axes.FPoints; j++ {
			for k := 0; k < axes.ThetaPoints; k++ {
				lines = append(lines, line{keep, j, k})
			}
		}
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan line)
	var (
		mu       sync.Mutex
		firstErr error
		finished int
		wg       sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s Solver
			for ln := range jobs {
				keep := []Keep{KeepHard, KeepEasy}[ln.keep]
				var warm *Solution
				var err error
				for i := 0; i < axes.AlphaPoints; i++ {
					p := Params{AlphaTotal: axes.Alpha(i), F: axes.F(ln.j), ThetaDeg: axes.Theta(ln.k), Keep: keep}
					var sol Solution
					sol, err = s.Solve(p, warm)
					if err != nil {
						// A failed warm start is retried cold before giving up.
						if sol, err = s.Solve(p, nil); err != nil {
							err = fmt.Errorf("error table at α_tot = %.4g, f = %.3g, θ = %.3g°, keep %v: %w", p.AlphaTotal, p.F, p.ThetaDeg, keep, err)
							break
						}
					}
					warm = &sol
					t.logEps[ln.keep][t.index(i, ln.j, ln.k)] = math.Log(sol.Eps)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				finished++
				if done != nil {
					done(finished, len(lines))
				}
				mu.Unlock()
			}
		}()
	}
	for _, ln := range lines {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		jobs <- ln
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return t, nil
}

// Eps interpolates ε at (alphaTotal, f, thetaDeg) for keep hard, keep easy
// or random; the point must lie within the table's axes (for random,
// alphaTotal·f must lie within its α_tot range). Interpolation is tricubic
// (Catmull-Rom) in log ε over (log α_tot, f, θ).
func (t *ErrorTable) Eps(keep Keep, alphaTotal, f, thetaDeg float64) (float64, error) {
	a := t.Axes
	if keep == KeepRandom {
		alphaTotal, f, thetaDeg, keep = alphaTotal*f, 1, 0, KeepHard
	}
	ki, err := keepIndex(keep)
	if err != nil {
		return 0, err
	}
	const slack = 1e-9
	switch {
	case !(alphaTotal >= a.AlphaMin*(1-slack) && alphaTotal <= a.AlphaMax*(1+slack)):
		return 0, fmt.Errorf("%w: α_tot = %.4g (α_tot·f for random pruning) is outside the error table's range [%v, %v]", ErrBadInput, alphaTotal, a.AlphaMin, a.AlphaMax)
	case !(f >= a.FMin-slack && f <= 1+slack):
		return 0, fmt.Errorf("%w: f = %v is outside the error table's range [%v, 1]", ErrBadInput, f, a.FMin)
	case !(thetaDeg >= -slack && thetaDeg <= a.ThetaMax+slack):
		return 0, fmt.Errorf("%w: θ = %v° is outside the error table's range [0°, %v°]", ErrBadInput, thetaDeg, a.ThetaMax)
	}
	// Positions in grid units.
	x := (math.Log(alphaTotal) - math.Log(a.AlphaMin)) / (math.Log(a.AlphaMax) - math.Log(a.AlphaMin)) * float64(a.AlphaPoints-1)
	y := (f - a.FMin) / (1 - a.FMin) * float64(a.FPoints-1)
	z := thetaDeg / a.ThetaMax * float64(a.ThetaPoints-1)
	ix, wx := cubicWeights(x, a.AlphaPoints)
	iy, wy := cubicWeights(y, a.FPoints)
	iz, wz := cubicWeights(z, a.ThetaPoints)
	vals := t.logEps[ki]
	var sum float64
	for p := 0; p < 4; p++ {
		for q := 0; q < 4; q++ {
			for r := 0; r < 4; r++ {
				w := wx[p] * wy[q] * wz[r]
				if w == 0 {
					continue
				}
				sum += w * t.ghost(vals, ix+p, iy+q, iz+r)
			}
		}
	}
	return math.Exp(sum), nil
}

// ghost returns the value at grid index (i, j, k), extrapolating linearly
// one step beyond an edge, where the Catmull-Rom stencil needs it.
func (t *ErrorTable) ghost(vals []float64, i, j, k int) float64 {
	a := t.Axes
	if i < 0 {
		return 2*t.ghost(vals, 0, j, k) - t.ghost(vals, 1, j, k)
	}
	if i >= a.AlphaPoints {
		return 2*t.ghost(vals, a.AlphaPoints-1, j, k) - t.ghost(vals, a.AlphaPoints-2, j, k)
	}
	if j < 0 {
		return 2*t.ghost(vals, i, 0, k) - t.ghost(vals, i, 1, k)
	}
	if j >= a.FPoints {
		return 2*t.ghost(vals, i, a.FPoints-1, k) - t.ghost(vals, i, a.FPoints-2, k)
	}
	if k < 0 {
		return 2*t.ghost(vals, i, j, 0) - t.ghost(vals, i, j, 1)
	}
	if k >= a.ThetaPoints {
		return 2*t.ghost(vals, i, j, a.ThetaPoints-1) - t.ghost(vals, i, j, a.ThetaPoints-2)
	}
	return vals[t.index(i, j, k)]
}

// cubicWeights returns the first index of the 4-point Catmull-Rom stencil
// around grid position x (in [0, n-1]) and its weights.
func cubicWeights(x float64, n int) (int, [4]float64) {
	i := int(math.Floor(x))
	if i >= n-1 {
		i = n - 2
	}
	if i < 0 {
		i = 0
	}
	u := x - float64(i)
	u2, u3 := u*u, u*u*u
	return i - 1, [4]float64{
		0.5 * (-u3 + 2*u2 - u),
		0.5 * (3*u3 - 5*u2 + 2),
		0.5 * (-3*u3 + 4*u2 + u),
		0.5 * (u3 - u2),
	}
}

// tableHeader starts every table file; the axes follow it.
const tableHeader = "# beyondscaling theory error table v1"

// WriteTo writes the table as text: a header line with the axes, then one
// line per grid point (keep, i, j, k, ε with 9 significant digits).
func (t *ErrorTable) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	a := t.Axes
	fmt.Fprintf(&b, "%s\n# axes %g %g %d %g %d %g %d\nkeep,alpha_index,f_index,theta_index,alpha_total,f,theta_deg,eps\n",
		tableHeader, a.AlphaMin, a.AlphaMax, a.AlphaPoints, a.FMin, a.FPoints, a.ThetaMax, a.ThetaPoints)
	for ki, keep := range []Keep{KeepHard, KeepEasy} {
		for i := 0; i < a.AlphaPoints; i++ {
			for j := 0; j < a.FPoints; j++ {
				for k := 0; k < a.ThetaPoints; k++ {
					fmt.Fprintf(&b, "%v,%d,%d,%d,%.6g,%.4g,%.4g,%.9g\n", keep, i, j, k, a.Alpha(i), a.F(j), a.Theta(k), math.Exp(t.logEps[ki][t.index(i, j, k)]))
				}
			}
		}
	}
	return b.WriteTo(w)
}

// ReadErrorTable reads a table written by WriteTo; name labels errors.
func ReadErrorTable(r io.Reader, name string) (*ErrorTable, error) {
	sc := bufio.NewScanner(r)
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return sc.Text(), true
	}
	if h, ok := next(); !ok || h != tableHeader {
		return nil, fmt.Errorf("%s:1: not a theory error table (first line %q, want %q): regenerate it with go generate ./theory", name, h, tableHeader)
	}
	h, _ := next()
	var a TableAxes
	if _, err := fmt.Sscanf(h, "# axes %g %g %d %g %d %g %d", &a.AlphaMin, &a.AlphaMax, &a.AlphaPoints, &a.FMin, &a.FPoints, &a.ThetaMax, &a.ThetaPoints); err != nil {
		return nil, fmt.Errorf("%s:2: cannot read the table's axes from %q: %v", name, h, err)
	}
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("%s:2: %w", name, err)
	}
	next() // column names
	t := &ErrorTable{Axes: a}
	size := a.AlphaPoints * a.FPoints * a.ThetaPoints
	t.logEps = [2][]float64{make([]float64, size), make([]float64, size)}
	seen := [2][]bool{make([]bool, size), make([]bool, size)}
	for {
		s, ok := next()
		if !ok {
			break
		}
		fields := strings.Split(s, ",")
		if len(fields) != 8 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 8 (keep,alpha_index,f_index,theta_index,alpha_total,f,theta_deg,eps)", name, line, len(fields))
		}
		keep, err := ParseKeep(fields[0])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		ki, err := keepIndex(keep)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		var idx [3]int
		lim := [3]int{a.AlphaPoints, a.FPoints, a.ThetaPoints}
		for c := 0; c < 3; c++ {
			if idx[c], err = strconv.Atoi(fields[1+c]); err != nil || idx[c] < 0 || idx[c] >= lim[c] {
				return nil, fmt.Errorf("%s:%d: grid index %q out of range [0, %d)", name, line, fields[1+c], lim[c])
			}
		}
		eps, err := strconv.ParseFloat(fields[7], 64)
		if err != nil || !(eps > 0 && eps <= 0.5) {
			return nil, fmt.Errorf("%s:%d: ε = %q is not a test error in (0, 0.5]", name, line, fields[7])
		}
		n := t.index(idx[0], idx[1], idx[2])
		t.logEps[ki][n] = math.Log(eps)
		seen[ki][n] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", name, line, err)
	}
	for ki := range seen {
		for n, ok := range seen[ki] {
			if !ok {
				return nil, fmt.Errorf("%s: the table lacks grid point %d of keep %v (%d lines read): regenerate it with go generate ./theory", name, n, []Keep{KeepHard, KeepEasy}[ki], line)
			}
		}
	}
	return t, nil
}

//go:generate go run ./internal/errortablegen -out errortable.csv.gz

//go:embed errortable.csv.gz
var embeddedTable []byte

var (
	defaultTableOnce sync.Once
	defaultTable     *ErrorTable
	defaultTableErr  error
)

// DefaultErrorTable returns the embedded table on DefaultTableAxes, read
// once. TestErrorTableMatchesSolver checks it against the solver.
func DefaultErrorTable() (*ErrorTable, error) {
	defaultTableOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(embeddedTable))
		if err != nil {
			defaultTableErr = fmt.Errorf("theory/errortable.csv.gz: %v", err)
			return
		}
		defaultTable, defaultTableErr = ReadErrorTable(zr, "theory/errortable.csv.gz")
	})
	return defaultTable, defaultTableErr
}
