package scaling

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"beyondscaling/lib/verdict"
)

// The selection methods that came after the paper and that a pruning study
// now compares against: coverage-centric selection (keep "ccs",
// lib/prune.KeepCCS) and dynamic pruning (InfoBatch, train.Config's
// DynamicPrune). CCS is compared with keep hard and random pruning at the
// same fraction; dynamic pruning prunes compute rather than data, so it is
// compared at the example passes it actually spent.

// CCSEffects are the claims of coverage-centric selection with each metric
// at each fraction, at one initial size: it beats random pruning, and it
// beats keep hard by the same metric (the failure at small fractions that
// it was designed for). cutoff gives the hard cutoff β a fraction was run
// with, for the setting's text. Missing runs are skipped.
func CCSEffects(ps []Point, metrics []string, size int, fractions []float64, cutoff func(f float64) float64, d ClaimDesign) []Effect {
	var out []Effect
	for _, m := range metrics {
		for _, f := range fractions {
			c, ok := find(ps, m, "ccs", f, size, 0)
			if !ok {
				continue
			}
			for _, other := range []struct{ metric, keep, name string }{{"random", "random", "random"}, {m, "hard", "keep hard"}} {
				o, ok := find(ps, other.metric, other.keep, f, size, 0)
				if !ok {
					continue
				}
				e := PairedEffect(fmt.Sprintf("coverage-centric selection (%s) beats %s", m, other.name),
					fmt.Sprintf("n = %d, f = %g, β = %g: error(ccs %s) − error(%s)", size, f, cutoff(f), m, other.name), c, o, -1, d)
				e.Metric, e.Fraction = m, f
				out = append(out, e)
			}
		}
	}
	return out
}

// StaticAtPasses interpolates one seed's test error of a static selection
// policy (the points of one metric and keep at one size, over fractions,
// with the unpruned point as f = 1) at m example passes: linearly in log
// error against log passes between the two points that bracket m, never
// extrapolated. It also returns the bracketing fractions.
func StaticAtPasses(policy []Point, seed uint64, m float64) (err float64, lo, hi float64, ok bool) {
	type pt struct{ m, e, f float64 }
	var pts []pt
	for _, p := range policy {
		e, okE := p.Errors[seed]
		pm, okM := p.Passes[seed]
		if okE && okM && pm > 0 && e > 0 {
			pts = append(pts, pt{pm, e, p.Fraction})
		}
	}
	sort.Slice(pts, func(a, b int) bool { return pts[a].m < pts[b].m })
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		if m < a.m || m > b.m || a.m == b.m {
			continue
		}
		t := (math.Log(m) - math.Log(a.m)) / (math.Log(b.m) - math.Log(a.m))
		return math.Exp((1-t)*math.Log(a.e) + t*math.Log(b.e)), a.f, b.f, true
	}
	return 0, 0, 0, false
}

// DynamicEffects are the claims of dynamic pruning (the points of its
// runs, dynamic, at the full set) against static selection at the same
// compute: on each fresh seed, its error minus the static policy's error
// interpolated at the example passes it spent (StaticAtPasses, over the
// policy's fractions at that size and the unpruned run). The static side
// has no per-example results at an interpolated point, so the test-set
// term bounds the two networks' disagreements (conservative), as the note
// says. policies names each static policy by (metric, keep).
func DynamicEffects(ps []Point, dynamic Point, policies [][2]string, d ClaimDesign) []Effect {
	var out []Effect
	full, hasFull := find(ps, "", "", 1, dynamic.Size, 0)
	for _, pol := range policies {
		metric, keep := pol[0], pol[1]
		var curve []Point
		for _, p := range ps {
			if p.Size == dynamic.Size && p.Metric == metric && p.Keep == keep && p.Fraction < 1 && p.Balance == 0 && p.DynamicPrune == 0 {
				curve = append(curve, p)
			}
		}
		if hasFull {
			curve = append(curve, full)
		}
		name := "random pruning"
		if keep != "random" {
			name = fmt.Sprintf("keep %s (%s)", keep, metric)
		}
		e := Effect{Claim: fmt.Sprintf("dynamic pruning beats %s at equal compute", name), Sign: -1, Metric: metric}
		var seeds []uint64
		for s := range dynamic.Errors {
			if d.fresh(s) {
				seeds = append(seeds, s)
			}
		}
		slices.Sort(seeds)
		var diffs []float64
		var term, passes float64
		var fLo, fHi float64
		for _, s := range seeds {
			m := dynamic.Passes[s]
			st, lo, hi, ok := StaticAtPasses(curve, s, m)
			if !ok {
				continue
			}
			diffs = append(diffs, dynamic.Errors[s]-st)
			term += pairedTestVariance(dynamic.Errors[s], st, d.TestExamples)
			passes += m
			fLo, fHi = lo, hi
		}
		e.Setting = fmt.Sprintf("n = %d, ratio %g: error(dynamic) − error(%s) interpolated at the same example passes", dynamic.Size, dynamic.DynamicPrune, name)
		if len(diffs) == 0 {
			e.Value, e.Verdict = unmeasured, verdict.NotMeasured
			e.Note = fmt.Sprintf("no fresh seed has %s runs that bracket the dynamic runs' example passes", name)
			out = append(out, e)
			continue
		}
		term /= float64(len(diffs))
		passes /= float64(len(diffs))
		e.Setting += fmt.Sprintf(" (%.3g M passes", passes/1e6)
		if full := meanPasses(full, seeds); full > 0 {
			e.Setting += fmt.Sprintf(", %.0f%% of unpruned training", 100*passes/full)
		}
		e.Setting += fmt.Sprintf("; between f = %g and %g on the last seed)", fLo, fHi)
		var err error
		e.Value, e.Verdict, err = verdict.Verdict(diffs, term, -1)
		if err != nil {
			e.Value, e.Verdict, e.Note = unmeasured, verdict.NotMeasured, err.Error()
		} else {
			e.Note = "test-set term from the per-seed variance with disagreements bounded (conservative): an interpolated error has no per-example results"
		}
		e.Backends = BackendsOf(seeds, dynamic)
		e.Runs = runsDigest(seeds, append(curve, dynamic)...)
		out = append(out, e)
	}
	return out
}

// meanPasses is the mean example passes of a point's runs on the seeds
// that have one (NaN when none has).
func meanPasses(p Point, seeds []uint64) float64 {
	var sum float64
	var k int
	for _, s := range seeds {
		if m, ok := p.Passes[s]; ok && m > 0 {
			sum += m
			k++
		}
	}
	return sum / float64(k)
}

// SelectionCurve is one static policy's test accuracy against the fraction
// kept at one initial size (balance 0): metric's keep (random pruning for
// metric "random"), sorted by fraction and ending at the unpruned run.
// Empty when the policy has no pruned point there.
func SelectionCurve(ps []Point, metric, keep string, size int) AccuracySeries {
	return selectionCurve(ps, metric, keep, size, 0)
}

// selectionCurve is SelectionCurve at a class-balancing ratio.
func selectionCurve(ps []Point, metric, keep string, size int, balance float64) AccuracySeries {
	var c AccuracySeries
	for _, p := range ps {
		if p.Metric == metric && (p.Keep == keep || metric == "random") && p.Size == size && p.Fraction < 1 && p.Balance == balance && p.DynamicPrune == 0 {
			c.add(p.Fraction, p)
		}
	}
	if len(c.X) == 0 {
		return c
	}
	if full, ok := find(ps, "", "", 1, size, 0); ok {
		c.add(1, full)
	}
	c.sortByX()
	return c
}

// DynamicSeries is dynamic pruning's test accuracy at the share of the
// unpruned training's example passes it spent (mean over the seeds both
// have), the x of SelectionCurve's static policies, whose share is their
// fraction kept. Empty without an unpruned run to compare with.
func DynamicSeries(ps []Point, dynamic Point) AccuracySeries {
	var c AccuracySeries
	full, ok := find(ps, "", "", 1, dynamic.Size, 0)
	if !ok {
		return c
	}
	var share float64
	var k int
	for _, s := range Seeds([]Point{dynamic}) {
		if fm, ok := full.Passes[s]; ok && fm > 0 {
			share += dynamic.Passes[s] / fm
			k++
		}
	}
	if k > 0 {
		c.add(share/float64(k), dynamic)
	}
	return c
}
