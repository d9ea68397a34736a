package scaling

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"

	"beyondscaling/lib/fit"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/sweep"
)

// Point is one configuration's test error over seeds.
type Point struct {
	Metric, Keep string
	Fraction     float64
	Size         int // initial set
	Balance      float64
	Trained      float64 // mean examples trained on
	Mean, SEM    float64 // test error over seeds
	Seeds        int
	Errors       map[uint64]float64 // by seed, for paired comparisons
	// Correct is each seed's per-example test correctness as the record
	// packs it (sweep.PackCorrect), where the record has it.
	Correct map[uint64]string
	// Backend is the compute backend each seed's record trained on
	// (backend.Name; NoBackendRecorded for a record that names none). A run's
	// key leaves the backend out on purpose, so that runs made on a GPU or a
	// cluster are reused where the figures are made; this keeps the
	// provenance.
	Backend map[uint64]string
	// DynamicPrune is the dynamic pruning ratio its runs trained with (0:
	// none): a dynamically pruned run at f = 1 is not an unpruned run, and
	// the functions that look for the unpruned point skip it.
	DynamicPrune float64
	// Passes are the example passes (forward and backward) each seed's run
	// spent: the record's count where it has one, else its examples times
	// the epochs it ran.
	Passes map[uint64]float64
}

// NoBackendRecorded stands for the backend of a record made before records
// named one.
const NoBackendRecorded = "backend not recorded"

// BackendsOf is the sorted union of the backends the points' runs on the
// given seeds trained on (every seed when seeds is nil).
func BackendsOf(seeds []uint64, ps ...Point) []string {
	var out []string
	for _, p := range ps {
		for s, b := range p.Backend {
			if (seeds == nil || slices.Contains(seeds, s)) && !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Aggregate groups records by configuration (all but the seed).
func Aggregate(recs []sweep.Record) []Point {
	type key struct {
		m, k    string
		f, b, d float64
		n       int
	}
	groups := map[key]*Point{}
	var order []key
	for _, r := range recs {
		k := key{r.Run.Metric, r.Run.Keep, r.Run.Fraction, r.Run.Balance, r.Run.DynamicPrune, r.Run.Size}
		p, ok := groups[k]
		if !ok {
			p = &Point{Metric: k.m, Keep: k.k, Fraction: k.f, Size: k.n, Balance: k.b, DynamicPrune: k.d,
				Errors: map[uint64]float64{}, Correct: map[uint64]string{}, Backend: map[uint64]string{}, Passes: map[uint64]float64{}}
			groups[k] = p
			order = append(order, k)
		}
		p.Errors[r.Run.Seed] = r.TestError
		p.Backend[r.Run.Seed] = cmp.Or(r.Training.Backend, NoBackendRecorded)
		if r.TestCorrect != "" {
			p.Correct[r.Run.Seed] = r.TestCorrect
		}
		p.Trained += float64(r.Trained)
		p.Passes[r.Run.Seed] = float64(r.Training.ExamplePasses)
		if r.Training.ExamplePasses == 0 {
			p.Passes[r.Run.Seed] = float64(r.Trained * r.Training.EpochsRun)
		}
	}
	var out []Point
	for _, k := range order {
		p := groups[k]
		p.Seeds = len(p.Errors)
		p.Trained /= float64(p.Seeds)
		// In seed order: a sum over the map would round differently from
		// run to run, and the figures' CSVs with it.
		var xs []float64
		for _, s := range Seeds([]Point{*p}) {
			xs = append(xs, p.Errors[s])
		}
		p.Mean, p.SEM = MeanSEM(xs)
		out = append(out, *p)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Metric != out[b].Metric {
			return out[a].Metric < out[b].Metric
		}
		if out[a].Keep != out[b].Keep {
			return out[a].Keep < out[b].Keep
		}
		if out[a].Fraction != out[b].Fraction {
			return out[a].Fraction < out[b].Fraction
		}
		return out[a].Size < out[b].Size
	})
	return out
}

// MeanSEM is the mean of xs and its standard error (NaN with fewer than
// two values, where there is no spread to estimate it from).
func MeanSEM(xs []float64) (mean, sem float64) {
	if len(xs) < 2 {
		return stat.Mean(xs, nil), math.NaN()
	}
	mean, std := stat.MeanStdDev(xs, nil)
	return mean, stat.StdErr(std, float64(len(xs)))
}

// find returns the point of a configuration, if present. Unpruned runs
// (fraction 1) are found whatever metric and keep are asked for.
func find(ps []Point, metric, keep string, f float64, n int, balance float64) (Point, bool) {
	for _, p := range ps {
		if p.Size != n || p.Fraction != f || p.DynamicPrune != 0 {
			continue
		}
		if f == 1 || (p.Metric == metric && p.Keep == keep && p.Balance == balance) {
			return p, true
		}
	}
	return Point{}, false
}

// Diff is a paired difference a − b, its mean over the seeds both have:
// a description for maps and tables. Claims are judged by verdict.Verdict
// (PairedEffect), whose interval also counts the test set's own sampling
// error.
type Diff struct {
	Mean  float64
	Seeds int
}

func (d Diff) String() string {
	if d.Seeds == 1 {
		return fmt.Sprintf("%+.4f (1 seed)", d.Mean)
	}
	return fmt.Sprintf("%+.4f (mean of %d seeds)", d.Mean, d.Seeds)
}

func paired(a, b Point) Diff {
	var xs []float64
	for s, ea := range a.Errors {
		if eb, ok := b.Errors[s]; ok {
			xs = append(xs, ea-eb)
		}
	}
	if len(xs) == 0 {
		return Diff{Mean: math.NaN()}
	}
	return Diff{stat.Mean(xs, nil), len(xs)}
}

// HardMinusEasy is ε_hard − ε_easy of a metric at each (fraction < 1, size),
// paired over seeds: negative where keeping the hardest examples wins.
func HardMinusEasy(ps []Point, metric string) (fractions []float64, sizes []int, diff [][]Diff) {
	fs, ns := map[float64]bool{}, map[int]bool{}
	for _, p := range ps {
		if p.Metric == metric && p.Fraction < 1 {
			fs[p.Fraction], ns[p.Size] = true, true
		}
	}
	for f := range fs {
		fractions = append(fractions, f)
	}
	for n := range ns {
		sizes = append(sizes, n)
	}
	sort.Float64s(fractions)
	sort.Ints(sizes)
	for _, f := range fractions {
		var row []Diff
		for _, n := range sizes {
			h, ok1 := find(ps, metric, "hard", f, n, 0)
			e, ok2 := find(ps, metric, "easy", f, n, 0)
			if ok1 && ok2 {
				row = append(row, paired(h, e))
			} else {
				row = append(row, Diff{Mean: math.NaN()})
			}
		}
		diff = append(diff, row)
	}
	return fractions, sizes, diff
}

// Curve is test error against examples trained on, at one fraction and policy.
type Curve struct {
	Label     string
	Keep      string  // policy of a pruned curve ("" for random, unpruned, envelope)
	Fraction  float64 // fraction kept of a pruned curve
	Dashed    bool    // drawn dashed (keep easy, or a variant set apart by the caller)
	Trained   []float64
	Mean, SEM []float64
}

// ScalingCurves returns, for a metric, one curve per (keep, fraction < 1)
// plus the unpruned curve, each against the number of examples trained on
// (f·n), and the random-pruning curve.
func ScalingCurves(ps []Point, metric string, keeps []string) (curves []Curve, random, full Curve) {
	byLabel := map[string]*Curve{}
	var labels []string
	add := func(label string, p Point) {
		c, ok := byLabel[label]
		if !ok {
			c = &Curve{Label: label, Keep: p.Keep, Fraction: p.Fraction, Dashed: p.Keep == "easy"}
			byLabel[label] = c
			labels = append(labels, label)
		}
		c.Trained = append(c.Trained, p.Trained)
		c.Mean = append(c.Mean, p.Mean)
		c.SEM = append(c.SEM, p.SEM)
	}
	random, full = Curve{Label: "random pruning"}, Curve{Label: "no pruning (f = 1)"}
	for _, p := range ps {
		switch {
		case p.DynamicPrune != 0:
			continue
		case p.Fraction == 1:
			full.Trained, full.Mean, full.SEM = append(full.Trained, p.Trained), append(full.Mean, p.Mean), append(full.SEM, p.SEM)
		case p.Metric == "random" && p.Balance == 0:
			random.Trained, random.Mean, random.SEM = append(random.Trained, p.Trained), append(random.Mean, p.Mean), append(random.SEM, p.SEM)
		case p.Metric == metric && p.Balance == 0:
			for _, k := range keeps {
				if p.Keep == k {
					add(fmt.Sprintf("keep %s, f = %g", k, p.Fraction), p)
				}
			}
		}
	}
	for _, l := range labels {
		curves = append(curves, *byLabel[l])
	}
	for _, c := range []*Curve{&random, &full} {
		sortCurve(c)
	}
	for i := range curves {
		sortCurve(&curves[i])
	}
	return curves, random, full
}

func sortCurve(c *Curve) {
	idx := make([]int, len(c.Trained))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return c.Trained[idx[a]] < c.Trained[idx[b]] })
	t, m, s := make([]float64, len(idx)), make([]float64, len(idx)), make([]float64, len(idx))
	for k, i := range idx {
		t[k], m[k], s[k] = c.Trained[i], c.Mean[i], c.SEM[i]
	}
	c.Trained, c.Mean, c.SEM = t, m, s
}

// Envelope is the Pareto envelope of test error against examples trained
// on: at each initial size, the best configuration of a metric (any keep,
// any fraction, including no pruning), placed at the number trained on.
// It is the empirical counterpart of the theory's frontier.
func Envelope(ps []Point, metric string) Curve {
	best := map[int]Point{}
	for _, p := range ps {
		if p.Balance != 0 || (p.Fraction < 1 && p.Metric != metric) {
			continue
		}
		if b, ok := best[p.Size]; !ok || p.Mean < b.Mean {
			best[p.Size] = p
		}
	}
	c := Curve{Label: "best f (envelope)"}
	for _, p := range best {
		c.Trained = append(c.Trained, p.Trained)
		c.Mean = append(c.Mean, p.Mean)
		c.SEM = append(c.SEM, p.SEM)
	}
	sortCurve(&c)
	return c
}

// RandomPowerLaw fits ε = a·n^(−ν) to random pruning and the unpruned runs
// together (both are random subsets of the data).
func RandomPowerLaw(random, full Curve) (fit.PowerLaw, error) {
	n := append(append([]float64(nil), random.Trained...), full.Trained...)
	e := append(append([]float64(nil), random.Mean...), full.Mean...)
	return fit.Fit(n, e, fit.Options{Seed: 1})
}

// ImputationNote says, for a figure's caption, how many examples of the
// held-out metrics (memorization, influence, DDD, ensemble-al) in score
// files had no held-out network and got an imputed score, and by which
// rule (from the files' sidecars); "" when none of the files is of such a
// metric.
func ImputationNote(scores []*prune.Scores) string {
	type count struct{ undefined, total int }
	by := map[string]*count{}
	var names []string
	rule := ""
	for _, s := range scores {
		u, ok := s.Meta.Params["undefined_examples"]
		if !ok {
			continue
		}
		k, err := strconv.Atoi(u)
		if err != nil {
			continue
		}
		c := by[s.Meta.Metric]
		if c == nil {
			c = &count{}
			by[s.Meta.Metric] = c
			names = append(names, s.Meta.Metric)
		}
		c.undefined += k
		c.total += len(s.IDs)
		if rule == "" {
			rule, _, _ = strings.Cut(s.Meta.Params["imputation"], " (")
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	var parts []string
	for _, m := range names {
		if c := by[m]; c.undefined > 0 {
			parts = append(parts, fmt.Sprintf("%s %d of %d", m, c.undefined, c.total))
		}
	}
	if len(parts) == 0 {
		return "Every example had a held-out probe network: no score imputed."
	}
	return fmt.Sprintf("Examples without a held-out probe network, scored by the %s: %s.", rule, strings.Join(parts, ", "))
}

// Seeds is every seed that some point has an error for, in increasing
// order.
func Seeds(ps []Point) []uint64 {
	var out []uint64
	for _, p := range ps {
		for s := range p.Errors {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// OnSeeds returns the points recomputed over the given seeds only (mean,
// standard error and count from those seeds' errors; Errors keeps only
// them), dropping points that have none of them. Figures and tables of
// reported results use it with the fresh seeds: the selection seeds' errors
// choose c*(m) and are never reported (docs/protocol.md).
func OnSeeds(ps []Point, seeds []uint64) []Point {
	var out []Point
	for _, p := range ps {
		q := p
		q.Errors = map[uint64]float64{}
		var xs []float64
		for _, s := range seeds {
			if e, ok := p.Errors[s]; ok {
				q.Errors[s] = e
				xs = append(xs, e)
			}
		}
		if len(xs) == 0 {
			continue
		}
		q.Seeds = len(xs)
		q.Mean, q.SEM = MeanSEM(xs)
		out = append(out, q)
	}
	return out
}

// Reported are the points a figure of a sweep shows: over its fresh seeds
// only (OnSeeds with every seed but DesignFor's selection seed), with a note
// saying which seeds they are. A sweep of a single seed (the smoke profile)
// has no fresh seed: its points are returned as they are and the note says
// that the figure shows the selection seed.
func Reported(ps []Point, seeds []uint64) ([]Point, string) {
	fresh, ok := ReportedSeeds(seeds)
	if !ok {
		return ps, fmt.Sprintf("Seed %v only: the selection seed, as this profile has no fresh seed.", seeds)
	}
	return OnSeeds(ps, fresh), fmt.Sprintf("Fresh seeds %v; the selection seed %v is not shown.", fresh, DesignFor(seeds, 0).Selection)
}

// ReportedSeeds are the seeds Reported shows: every seed but DesignFor's
// selection seed, or all of them (ok false) when there is no other.
func ReportedSeeds(seeds []uint64) (fresh []uint64, ok bool) {
	d := DesignFor(seeds, 0)
	if len(seeds) <= len(d.Selection) {
		return seeds, false
	}
	return seeds[len(d.Selection):], true
}

// Frontier is the best-f frontier at fixed examples trained on, the
// empirical counterpart of the theory's frontier (the lowest error over f
// at fixed α_prune): at each m of the random-pruning grid, the lowest error
// over every configuration (the metric's keep policies at each f < 1,
// random pruning at each f, and no pruning), each interpolated at m from
// its mean over seeds as BeatsPowerLaw interpolates (linearly in log error
// against log m, never extrapolated). It also returns the configuration
// chosen at each m. Envelope instead takes the best at fixed initial size,
// where more data usually wins and the envelope is the unpruned curve.
//
// Taking the minimum on the seeds that are plotted biases the frontier
// low; whether pruning beats the power law is BeatsPowerLaw's verdict
// (configurations chosen on selection seeds, judged on fresh ones).
func Frontier(ps []Point, metric string, seeds []uint64) (Curve, []Configuration) {
	curves := configurationCurves(ps, metric)
	var grid []float64
	configs := make([]Configuration, 0, len(curves))
	for c, cv := range curves {
		configs = append(configs, c)
		if c.Metric == "random" && c.Fraction < 1 {
			grid = append(grid, cv.trained...)
		}
	}
	sort.Float64s(grid)
	sort.Slice(configs, func(a, b int) bool { return configs[a].String() < configs[b].String() })
	out := Curve{Label: "best f at fixed examples trained on"}
	var chosen []Configuration
	for i, m := range grid {
		if i > 0 && m == grid[i-1] {
			continue
		}
		best, bestErr := Configuration{}, math.Inf(1)
		for _, c := range configs {
			if e, ok := curves[c].at(m, seeds); ok && e < bestErr {
				best, bestErr = c, e
			}
		}
		if math.IsInf(bestErr, 1) {
			continue
		}
		out.Trained = append(out.Trained, m)
		out.Mean = append(out.Mean, bestErr)
		out.SEM = append(out.SEM, math.NaN())
		chosen = append(chosen, best)
	}
	return out, chosen
}
