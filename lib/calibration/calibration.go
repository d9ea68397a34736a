package calibration

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"beyondscaling/lib/fit"
	"beyondscaling/lib/scaling"
	"beyondscaling/theory"
)

// Cell is one configuration of a pruning grid, over seeds: the mean test
// error of a keep policy ("hard", "easy", "random"; "all" for the unpruned
// network, f = 1) at initial size Size and fraction F.
type Cell struct {
	Size  int
	Keep  string
	F     float64
	Err   float64 // mean test error over Seeds seeds
	SE    float64 // its standard error, with the test set's floor (Cells)
	Seeds int
}

// Cells turns a sweep's points into the cells of one metric: keep hard and
// keep easy of metric, random pruning and the unpruned runs, class
// balancing 0, over the given seeds (nil: every seed). The standard error
// of a mean over S seeds is the larger of the seeds' spread (s.d./√S) and
// the test set's binomial error √(err(1−err)/T), T = testExamples: every
// seed is graded on the same T examples, so that part does not shrink with
// S, and with three seeds the spread alone can come out near zero by
// chance and weigh one cell far above the others.
func Cells(ps []scaling.Point, metric string, seeds []uint64, testExamples int) ([]Cell, error) {
	if testExamples <= 0 {
		return nil, fmt.Errorf("calibration: the test set size %d must be positive", testExamples)
	}
	if seeds != nil {
		ps = scaling.OnSeeds(ps, seeds)
	}
	var out []Cell
	for _, p := range ps {
		if p.Balance != 0 || p.DynamicPrune != 0 {
			continue
		}
		keep := p.Keep
		switch {
		case p.Fraction == 1:
			keep = "all"
		case p.Metric == "random":
			keep = "random"
		case p.Metric != metric || (keep != "hard" && keep != "easy"):
			continue
		}
		// In seed order: a sum over a map would round differently from
		// run to run.
		var xs []float64
		for _, s := range scaling.Seeds([]scaling.Point{p}) {
			xs = append(xs, p.Errors[s])
		}
		if len(xs) == 0 {
			continue
		}
		mean, sem := scaling.MeanSEM(xs)
		v := mean * (1 - mean) / float64(testExamples)
		if len(xs) > 1 {
			v = math.Max(v, sem*sem)
		}
		if v == 0 {
			v = 0.25 / float64(testExamples) // an error of exactly 0 or 1
		}
		out = append(out, Cell{Size: p.Size, Keep: keep, F: p.Fraction, Err: mean, SE: math.Sqrt(v), Seeds: len(xs)})
	}
	sortCells(out)
	// The unpruned runs of one size may come from several metrics' specs:
	// keep one cell per (size, keep, f).
	out = slices.CompactFunc(out, func(a, b Cell) bool { return a.Size == b.Size && a.Keep == b.Keep && a.F == b.F })
	var metrics []string
	for _, p := range ps {
		if p.Fraction < 1 && p.Metric != "random" && !slices.Contains(metrics, p.Metric) {
			metrics = append(metrics, p.Metric)
		}
	}
	if !slices.ContainsFunc(out, func(c Cell) bool { return c.Keep == "hard" || c.Keep == "easy" }) {
		return nil, fmt.Errorf("calibration: no runs of metric %q keeping hard or easy examples (the runs' metrics: %v): name one with --metric", metric, metrics)
	}
	return out, nil
}

func keepOrder(k string) int {
	return slices.Index([]string{"hard", "easy", "random", "all"}, k)
}

func sortCells(cs []Cell) {
	sort.SliceStable(cs, func(a, b int) bool {
		x, y := cs[a], cs[b]
		if x.Size != y.Size {
			return x.Size < y.Size
		}
		if x.F != y.F {
			return x.F < y.F
		}
		return keepOrder(x.Keep) < keepOrder(y.Keep)
	})
}

// policy maps a cell's keep onto the theory's.
func policy(keep string) (theory.Keep, error) {
	switch keep {
	case "hard":
		return theory.KeepHard, nil
	case "easy":
		return theory.KeepEasy, nil
	case "random", "all":
		return theory.KeepRandom, nil
	}
	return 0, fmt.Errorf("calibration: unknown keep policy %q (want hard, easy, random or all)", keep)
}

// Observations are cells as the theory's calibration takes them.
func Observations(cs []Cell) ([]theory.Observation, error) {
	out := make([]theory.Observation, 0, len(cs))
	for _, c := range cs {
		k, err := policy(c.Keep)
		if err != nil {
			return nil, err
		}
		out = append(out, theory.Observation{N: float64(c.Size), F: c.F, Keep: k, Err: c.Err, SE: c.SE})
	}
	return out, nil
}

// Options control Calibrate.
type Options struct {
	// FitMaxSize is the largest initial size fitted; larger ones are held
	// out and predicted (0: the smaller half of the sizes, at least two,
	// are fitted).
	FitMaxSize int
	// Tolerance is the relative error increase that counts as costing
	// nothing when choosing the best fraction (default DefaultTolerance).
	Tolerance float64
	// Table is the theory's error table (nil: theory.DefaultErrorTable).
	Table *theory.ErrorTable
}

// DefaultTolerance: a fraction "costs nothing" when its error is within 5%
// (relative) of the unpruned error, about half a point at 12% error, the
// resolution of a few seeds on a 10,000-image test set.
const DefaultTolerance = 0.05

// Method names, in the order of Result.Scores.
const (
	MethodTheory      = "calibrated theory"
	MethodPersistence = "largest fitted n carries over"
	MethodPowerLaw    = "per-(policy, f) power law in n"
)

// Prediction is one held-out cell, measured and predicted by each method
// (Predicted[i] by Result.Methods[i]; NaN where a method has no answer).
type Prediction struct {
	Cell
	Predicted []float64
}

// BestF is the answer to "how much of my data should I keep?" at one size:
// the smallest fraction (with the policy that reaches it) whose error is
// within the tolerance of the unpruned error, 1 when none is.
type BestF struct {
	F    float64
	Keep string // "all" when F = 1
}

// Score sums up one method over the held-out sizes.
type Score struct {
	Method string
	// SignsRight of SignsTotal held-out (n, f) cells where the method gets
	// the sign of error(keep hard) − error(keep easy) right.
	SignsRight, SignsTotal int
	// BestF is the method's best fraction at each held-out size (in
	// Result.HeldOutSizes order); BestFError the mean over those sizes of
	// |its f − the measured best f|.
	BestF      []BestF
	BestFError float64
	// MAE is the mean absolute error of the predicted test error over every
	// held-out cell.
	MAE float64
}

// Result is a calibration and its check on held-out sizes.
type Result struct {
	Calibration   *theory.Calibration
	Fitted        []Cell
	HeldOut       []Prediction
	FitSizes      []int
	HeldOutSizes  []int
	Methods       []string
	MeasuredBestF []BestF // at each held-out size
	Scores        []Score
	// ScoredCells is how many held-out cells every method predicts: the
	// scores are over those.
	ScoredCells int
	Tolerance   float64
}

// Calibrate fits the theory to the cells at sizes up to opt.FitMaxSize and
// predicts the larger ones, beside two baselines that see the same fitted
// cells: the largest fitted size's errors carried over unchanged, and a
// power law err = c·n^(−ν) fitted per (policy, f) over the fitted sizes and
// extrapolated.
func Calibrate(cells []Cell, opt Options) (*Result, error) {
	var sizes []int
	for _, c := range cells {
		if !slices.Contains(sizes, c.Size) {
			sizes = append(sizes, c.Size)
		}
	}
	slices.Sort(sizes)
	maxFit := opt.FitMaxSize
	if maxFit == 0 && len(sizes) > 0 {
		maxFit = sizes[min(len(sizes), max(2, (len(sizes)+1)/2))-1]
	}
	if opt.Tolerance == 0 {
		opt.Tolerance = DefaultTolerance
	}
	if !(opt.Tolerance > 0) {
		return nil, fmt.Errorf("calibration: tolerance %v must be positive, e.g. 0.05 for 5%%", opt.Tolerance)
	}
	r := &Result{Methods: []string{MethodTheory, MethodPersistence, MethodPowerLaw}, Tolerance: opt.Tolerance}
	for _, n := range sizes {
		if n <= maxFit {
			r.FitSizes = append(r.FitSizes, n)
		} else {
			r.HeldOutSizes = append(r.HeldOutSizes, n)
		}
	}
	for _, c := range cells {
		if c.Size <= maxFit {
			r.Fitted = append(r.Fitted, c)
		}
	}
	sortCells(r.Fitted)
	obs, err := Observations(r.Fitted)
	if err != nil {
		return nil, err
	}
	if r.Calibration, err = theory.Calibrate(obs, opt.Table); err != nil {
		return nil, fmt.Errorf("calibrating on the sizes up to %d (%v): %w", maxFit, r.FitSizes, err)
	}
	if len(r.HeldOutSizes) == 0 {
		return r, nil // nothing to check: a calibration only
	}

	largest := r.FitSizes[len(r.FitSizes)-1]
	at := func(cs []Cell, n int, keep string, f float64) (Cell, bool) {
		for _, c := range cs {
			if c.Size == n && c.Keep == keep && c.F == f {
				return c, true
			}
		}
		return Cell{}, false
	}
	laws := map[[2]float64]fit.PowerLaw{} // by (keep order, f)
	for _, c := range r.Fitted {
		k := [2]float64{float64(keepOrder(c.Keep)), c.F}
		if _, done := laws[k]; done {
			continue
		}
		var ns, es []float64
		for _, d := range r.Fitted {
			if d.Keep == c.Keep && d.F == c.F && d.Err > 0 {
				ns, es = append(ns, float64(d.Size)), append(es, d.Err)
			}
		}
		if p, err := fit.Fit(ns, es, fit.Options{Bootstrap: -1}); err == nil {
			laws[k] = p
		}
	}
	predict := func(method string, c Cell) float64 {
		switch method {
		case MethodTheory:
			return r.Predicted(c)
		case MethodPersistence:
			if d, ok := at(r.Fitted, largest, c.Keep, c.F); ok {
				return d.Err
			}
		case MethodPowerLaw:
			if p, ok := laws[[2]float64{float64(keepOrder(c.Keep)), c.F}]; ok {
				return p.Eval(float64(c.Size))
			}
		}
		return math.NaN()
	}
	var held []Cell
	for _, c := range cells {
		if c.Size > maxFit {
			held = append(held, c)
		}
	}
	sortCells(held)
	for _, c := range held {
		p := Prediction{Cell: c}
		for _, m := range r.Methods {
			p.Predicted = append(p.Predicted, predict(m, c))
		}
		r.HeldOut = append(r.HeldOut, p)
	}

	measured := func(c Cell) float64 { return c.Err }
	for _, n := range r.HeldOutSizes {
		r.MeasuredBestF = append(r.MeasuredBestF, bestF(held, n, measured, opt.Tolerance))
	}
	// Every method is scored on the same cells: those every method
	// predicts (the theory cannot where n/d_eff leaves its table).
	common := map[int]bool{}
	for i, p := range r.HeldOut {
		common[i] = !slices.ContainsFunc(p.Predicted, math.IsNaN)
		if common[i] {
			r.ScoredCells++
		}
	}
	for mi, m := range r.Methods {
		s := Score{Method: m}
		var absSum float64
		var absN int
		for i, p := range r.HeldOut {
			if common[i] {
				absSum += math.Abs(p.Predicted[mi] - p.Err)
				absN++
			}
		}
		s.MAE = math.NaN()
		if absN > 0 {
			s.MAE = absSum / float64(absN)
		}
		pred := func(c Cell) float64 { return predict(m, c) }
		for i, p := range r.HeldOut {
			if p.Keep != "hard" || !common[i] {
				continue
			}
			e, ok := at(held, p.Size, "easy", p.F)
			if !ok || slices.ContainsFunc(r.HeldOut, func(q Prediction) bool { return q.Cell == e && slices.ContainsFunc(q.Predicted, math.IsNaN) }) {
				continue
			}
			measuredSign := math.Copysign(1, p.Err-e.Err)
			ph, pe := pred(p.Cell), pred(e)
			if p.Err == e.Err || math.IsNaN(ph) || math.IsNaN(pe) {
				continue
			}
			s.SignsTotal++
			if math.Copysign(1, ph-pe) == measuredSign && ph != pe {
				s.SignsRight++
			}
		}
		var fErr float64
		var fN int
		for i, n := range r.HeldOutSizes {
			b := bestF(held, n, pred, opt.Tolerance)
			s.BestF = append(s.BestF, b)
			if !math.IsNaN(b.F) {
				fErr += math.Abs(b.F - r.MeasuredBestF[i].F)
				fN++
			}
		}
		s.BestFError = math.NaN()
		if fN > 0 {
			s.BestFError = fErr / float64(fN)
		}
		r.Scores = append(r.Scores, s)
	}
	return r, nil
}

// bestF is the smallest fraction at size n whose error (by errOf) under some
// policy is within tol (relative) of the unpruned error, with the policy
// that has the lowest error there; F = 1 when none is, NaN when errOf has
// no unpruned error at n.
func bestF(cells []Cell, n int, errOf func(Cell) float64, tol float64) BestF {
	full := math.NaN()
	for _, c := range cells {
		if c.Size == n && c.Keep == "all" {
			full = errOf(c)
		}
	}
	if math.IsNaN(full) {
		return BestF{F: math.NaN()}
	}
	best := BestF{F: 1, Keep: "all"}
	bestErr := math.Inf(1)
	for _, c := range cells {
		if c.Size != n || c.Keep == "all" {
			continue
		}
		e := errOf(c)
		if math.IsNaN(e) || e > full*(1+tol) {
			continue
		}
		if c.F < best.F || (c.F == best.F && e < bestErr) {
			best, bestErr = BestF{F: c.F, Keep: c.Keep}, e
		}
	}
	return best
}

// Phase is the phase diagram of keep hard against keep easy, measured and
// as the calibration predicts it: error(hard) − error(easy) at every size
// (fitted and held out) and fraction f < 1 of the grid, Z[i][j] at
// (Sizes[j], Fractions[i]) (NaN where a cell is missing).
func (r *Result) Phase() (fractions []float64, sizes []int, measured, predicted [][]float64) {
	all := append([]Cell(nil), r.Fitted...)
	for _, p := range r.HeldOut {
		all = append(all, p.Cell)
	}
	for _, c := range all {
		if c.F < 1 && !slices.Contains(fractions, c.F) {
			fractions = append(fractions, c.F)
		}
		if !slices.Contains(sizes, c.Size) {
			sizes = append(sizes, c.Size)
		}
	}
	slices.Sort(fractions)
	slices.Sort(sizes)
	find := func(n int, keep string, f float64) (Cell, bool) {
		for _, c := range all {
			if c.Size == n && c.Keep == keep && c.F == f {
				return c, true
			}
		}
		return Cell{}, false
	}
	for _, f := range fractions {
		var mRow, pRow []float64
		for _, n := range sizes {
			m := math.NaN()
			h, okH := find(n, "hard", f)
			e, okE := find(n, "easy", f)
			if okH && okE {
				m = h.Err - e.Err
			}
			p := math.NaN()
			ph, errH := r.Calibration.Predict(float64(n), f, theory.KeepHard)
			pe, errE := r.Calibration.Predict(float64(n), f, theory.KeepEasy)
			if errH == nil && errE == nil {
				p = ph - pe
			}
			mRow, pRow = append(mRow, m), append(pRow, p)
		}
		measured, predicted = append(measured, mRow), append(predicted, pRow)
	}
	return fractions, sizes, measured, predicted
}

// Predicted is the calibrated theory's test error for a cell's
// configuration (NaN where the theory table does not reach it).
func (r *Result) Predicted(c Cell) float64 {
	k, err := policy(c.Keep)
	if err != nil {
		return math.NaN()
	}
	v, err := r.Calibration.Predict(float64(c.Size), c.F, k)
	if err != nil {
		return math.NaN()
	}
	return v
}
