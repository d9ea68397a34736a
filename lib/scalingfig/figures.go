package scalingfig

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"beyondscaling/lib/fit"
	"beyondscaling/lib/plots"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/train"
)

const (
	labelTrained = "examples trained on, f·n (images)"
	labelError   = "test error (top-1, fraction)"
	labelF       = "fraction of data kept f"
	labelSize    = "initial training set size n (images)"
	labelAcc     = "test accuracy (top-1, %)"
)

// Scaling is Fig. 3: test error against examples trained on for each
// fraction kept (colour; keep easy and other Dashed curves dashed), random pruning, the
// unpruned curve, the best-f frontier (scaling.Frontier: the lowest error
// over f at fixed examples trained on) and the power law fitted to random
// pruning with its exponent's interval (error bars: ± 1 s.e. over seeds).
func Scaling(title string, curves []scaling.Curve, random, full, frontier scaling.Curve, law fit.PowerLaw) *plots.Figure {
	fig := &plots.Figure{Title: title, XLabel: labelTrained, YLabel: labelError, LogX: true, LogY: true, Legend: plots.BottomLeft}
	colors := plots.Family(max(1, len(curves)/2+1))
	colorOf := map[float64]int{}
	for _, c := range curves {
		if _, ok := colorOf[c.Fraction]; !ok {
			colorOf[c.Fraction] = len(colorOf) % len(colors)
		}
		fig.Series = append(fig.Series, plots.Series{Label: c.Label, X: c.Trained, Y: c.Mean, YErr: c.SEM, Kind: plots.LinePoints,
			Color: colors[colorOf[c.Fraction]], Dashed: c.Dashed})
	}
	if len(random.Trained) > 0 {
		fig.Series = append(fig.Series, plots.Series{Label: random.Label, X: random.Trained, Y: random.Mean, YErr: random.SEM, Kind: plots.Points, Color: plots.Grey})
	}
	if len(full.Trained) > 0 {
		fig.Series = append(fig.Series, plots.Series{Label: full.Label, X: full.Trained, Y: full.Mean, YErr: full.SEM, Kind: plots.LinePoints, Color: plots.Categorical[6]})
	}
	if len(frontier.Trained) > 0 {
		fig.Series = append(fig.Series, plots.Series{Label: frontier.Label, X: frontier.Trained, Y: frontier.Mean, Kind: plots.Line, Color: plots.Categorical[1]})
	}
	if law.A > 0 {
		lo, hi := math.Inf(1), 0.0
		for _, c := range append(append([]scaling.Curve{random, full}, curves...), frontier) {
			for _, x := range c.Trained {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
		var xs, ys []float64
		for i := 0; i <= 20; i++ {
			x := lo * math.Pow(hi/lo, float64(i)/20)
			xs, ys = append(xs, x), append(ys, law.Eval(x))
		}
		fig.Series = append(fig.Series, plots.Series{Label: fmt.Sprintf("power law fit to random: ν = %.3f [%.3f, %.3f]", law.Nu, law.NuLo, law.NuHi),
			X: xs, Y: ys, Kind: plots.Line, Dashed: true, Color: plots.Grey})
	}
	return fig
}

// HardMinusEasy is Fig. 1D: ε_hard − ε_easy over initial size and fraction
// kept (blue: keeping the hardest examples is better; red: the easiest).
func HardMinusEasy(title string, fractions []float64, sizes []int, diff [][]scaling.Diff) *plots.Figure {
	x := make([]float64, len(sizes))
	for i, n := range sizes {
		x[i] = float64(n)
	}
	z := make([][]float64, len(diff))
	for i, row := range diff {
		for _, d := range row {
			z[i] = append(z[i], d.Mean)
		}
	}
	return &plots.Figure{Title: title, XLabel: labelSize, YLabel: labelF, LogX: true,
		Heat: &plots.Heat{X: x, Y: fractions, Z: z, Diverging: true, Label: "hard − easy error"}}
}

// MetricBenchmark is Fig. 5: test accuracy against fraction kept for
// each metric (keep hard) and random pruning, at one initial size, each
// curve sorted by fraction and ending at the unpruned run (f = 1). A missing
// standard error (one seed) draws no bar.
func MetricBenchmark(title string, ps []scaling.Point, metrics []string, size int, balance float64) *plots.Figure {
	fig := &plots.Figure{Title: title, XLabel: labelF, YLabel: labelAcc, Legend: plots.BottomRight}
	colors := palette()
	for i, m := range metrics {
		c := scaling.BenchmarkCurve(ps, m, size, balance)
		if len(c.X) == 0 {
			continue
		}
		s := plots.Series{Label: m, X: c.X, Y: c.Acc, YErr: c.SEM, Kind: plots.LinePoints, Color: colors[i%len(colors)]}
		if m == "random" {
			s.Color, s.Dashed = plots.Categorical[6], true
		}
		fig.Series = append(fig.Series, s)
	}
	return fig
}

// Imbalance shows how much each metric unbalances classes when it
// keeps the hardest fraction f: the smallest over classes of
// (class's kept fraction)/f, 1 meaning perfectly balanced (the paper's
// observation that every metric amplifies class imbalance).
func Imbalance(title string, scores map[string][]float64, labels []int32, order []string) (*plots.Figure, error) {
	fig := &plots.Figure{Title: title, XLabel: labelF, YLabel: "least-kept class: kept share / f", Legend: plots.BottomRight}
	fs := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}
	sizes := prune.ClassSizes(labels)
	colors := palette()
	for i, m := range order {
		v, ok := scores[m]
		if !ok {
			continue
		}
		var ys []float64
		for _, f := range fs {
			idx, err := prune.Select(v, labels, prune.Options{Keep: prune.KeepHard, F: f})
			if err != nil {
				return nil, err
			}
			kept := make([]int, len(sizes))
			for _, k := range idx {
				kept[labels[k]]++
			}
			worst := math.Inf(1)
			for c, n := range sizes {
				if n > 0 {
					worst = math.Min(worst, float64(kept[c])/float64(n)/f)
				}
			}
			ys = append(ys, worst)
		}
		s := plots.Series{Label: m, X: fs, Y: ys, Kind: plots.LinePoints, Color: colors[i%len(colors)]}
		if m == "random" {
			s.Color, s.Dashed = plots.Categorical[6], true
		}
		fig.Series = append(fig.Series, s)
	}
	return fig, nil
}

// palette has enough distinct colours for the eleven benchmark curves.
func palette() []color.Color {
	return append(append([]color.Color{}, plots.Categorical[:6]...), plots.Categorical[7], color.NRGBA{120, 60, 20, 255},
		color.NRGBA{100, 100, 220, 255}, color.NRGBA{60, 140, 60, 255}, color.NRGBA{170, 30, 80, 255})
}

// ScalingOf is Fig. 3 for one metric of a sweep's points: the curves
// of the given keep policies, random pruning, no pruning, the best-f
// frontier at fixed examples trained on (on the seeds the points carry) and
// the power law fitted to random pruning, which it also writes to w.
func ScalingOf(title string, ps []scaling.Point, metric string, keeps []string, w io.Writer) (*plots.Figure, error) {
	curves, random, full := scaling.ScalingCurves(ps, metric, keeps)
	law, err := scaling.RandomPowerLaw(random, full)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w, "random pruning:", law)
	// The frontier over f at fixed examples trained on (the theory's
	// frontier), on the seeds the points carry (Reported's fresh seeds).
	frontier, _ := scaling.Frontier(ps, metric, scaling.Seeds(ps))
	return Scaling(title, curves, random, full, frontier, law), nil
}

// WeakProbe compares keep hard by a metric from weak probes (dashed)
// with the usual one: the paper's observation that a worse probe brings back
// power-law scaling.
func WeakProbe(title string, ps []scaling.Point, usual, weak string) (*plots.Figure, error) {
	weakCurves, random, full := scaling.ScalingCurves(ps, weak, []string{"hard"})
	usualCurves, _, _ := scaling.ScalingCurves(ps, usual, []string{"hard"})
	law, err := scaling.RandomPowerLaw(random, full)
	if err != nil {
		return nil, err
	}
	var curves []scaling.Curve
	for _, c := range weakCurves {
		c.Label, c.Dashed = "weak probe: "+c.Label, true
		curves = append(curves, c)
	}
	for _, c := range usualCurves {
		c.Label = "usual probe: " + c.Label
		curves = append(curves, c)
	}
	return Scaling(title, curves, random, full, scaling.Curve{}, law), nil
}

// Schedule draws a learning-rate schedule over epochs, sampled
// stepsPerEpoch times an epoch, from a base rate.
func Schedule(title, label string, s train.Schedule, base float64, epochs, stepsPerEpoch int) *plots.Figure {
	total := epochs * stepsPerEpoch
	var x, lr []float64
	for step := 0; step <= total; step++ {
		x = append(x, float64(step)/float64(stepsPerEpoch))
		lr = append(lr, base*s.Factor(step, total))
	}
	return &plots.Figure{Title: title, XLabel: "epoch", YLabel: "learning rate", LogY: true,
		Series: []plots.Series{{Label: label, X: x, Y: lr, Kind: plots.Line}}}
}

// PrototypeK draws scaling.PrototypeK for a sweep of notebook 06 on the
// dataset that label names (its title's first line): accuracy
// against k, with the reference metrics as dashed horizontal lines over the
// range of k.
func PrototypeK(label string, ps []scaling.Point, spec sweep.Spec, references []string) *plots.Figure {
	n, f := spec.Sizes[0], spec.Fractions[0]
	byK, others := scaling.PrototypeK(ps, n, f)
	fig := &plots.Figure{Title: fmt.Sprintf("%s\nself-supervised prototypes: sensitivity to k (n = %d, f = %g, %s)", label, n, f, spec.Preset),
		XLabel: "clusters k", YLabel: labelAcc, LogX: true, Legend: plots.BottomRight,
		Series: []plots.Series{{Label: "self-supervised prototypes", X: byK.X, Y: byK.Acc, YErr: byK.SEM, Kind: plots.LinePoints, Color: plots.Categorical[0]}}}
	if len(byK.X) < 2 {
		return fig
	}
	lo, hi := byK.X[0], byK.X[len(byK.X)-1]
	for i, m := range references {
		if v, ok := others[m]; ok {
			fig.Series = append(fig.Series, plots.Series{Label: m, X: []float64{lo, hi}, Y: []float64{v, v}, Kind: plots.Line, Dashed: true, Color: plots.Categorical[i+1]})
		}
	}
	return fig
}

// PrototypeBalance draws scaling.PrototypeBalance, titled by the dataset's
// label, for self-supervised
// prototypes and random pruning.
func PrototypeBalance(label string, ps []scaling.Point, spec sweep.Spec, clusters int) *plots.Figure {
	n, f := spec.Sizes[0], spec.Fractions[0]
	fig := &plots.Figure{Title: fmt.Sprintf("%s\nclass-balancing ratio r (n = %d, f = %g)", label, n, f),
		XLabel: "class-balancing ratio r", YLabel: labelAcc, Legend: plots.BottomRight}
	for i, m := range []string{"ssl-prototypes", "random"} {
		s := scaling.PrototypeBalance(ps, m, n, f, clusters)
		fig.Series = append(fig.Series, plots.Series{Label: m, X: s.X, Y: s.Acc, YErr: s.SEM, Kind: plots.LinePoints, Color: plots.Categorical[i]})
	}
	return fig
}

// NewerBaselines is the benchmark of the selection methods that came after
// the paper, at one initial size: test accuracy against the share of the
// unpruned training's example passes, for random pruning (dashed grey),
// keep hard (solid) and coverage-centric selection (dashed, the metric's
// colour) by each metric, every curve ending at the unpruned run, and
// dynamic pruning at the passes it spent (black). For a static policy the
// share is its fraction kept. Error bars ± 1 s.e. over seeds.
func NewerBaselines(title string, ps []scaling.Point, dynamic []scaling.Point, metrics []string, size int) *plots.Figure {
	fig := &plots.Figure{Title: title, XLabel: "example passes (share of unpruned training)", YLabel: labelAcc, Legend: plots.BottomRight}
	colors := palette()
	if c := scaling.SelectionCurve(ps, "random", "random", size); len(c.X) > 0 {
		fig.Series = append(fig.Series, plots.Series{Label: "random pruning", X: c.X, Y: c.Acc, YErr: c.SEM, Kind: plots.LinePoints, Color: plots.Grey, Dashed: true})
	}
	for i, m := range metrics {
		for _, k := range []string{"hard", "ccs"} {
			c := scaling.SelectionCurve(ps, m, k, size)
			if len(c.X) == 0 {
				continue
			}
			label := fmt.Sprintf("keep hard, %s", m)
			if k == "ccs" {
				label = fmt.Sprintf("coverage-centric, %s", m)
			}
			fig.Series = append(fig.Series, plots.Series{Label: label, X: c.X, Y: c.Acc, YErr: c.SEM, Kind: plots.LinePoints, Color: colors[i%len(colors)], Dashed: k == "ccs"})
		}
	}
	for _, d := range dynamic {
		if c := scaling.DynamicSeries(ps, d); len(c.X) > 0 {
			fig.Series = append(fig.Series, plots.Series{Label: fmt.Sprintf("dynamic pruning (InfoBatch, ratio %g)", d.DynamicPrune), X: c.X, Y: c.Acc, YErr: c.SEM, Kind: plots.Points, Color: color.Black})
		}
	}
	return fig
}

// Transfer is one panel of Fig. 4 at small scale: downstream test accuracy
// against the fraction of the data kept (xLabel says which data), for the
// metric's selection (keep hard) and random pruning, each ending at all the
// data, and the untrained encoder at 0 where the points have it (error
// bars ± 1 s.e. over seeds).
func Transfer(title, xLabel string, ps []scaling.Point, metric, metricLabel string) *plots.Figure {
	fig := &plots.Figure{Title: title, XLabel: xLabel, YLabel: "downstream test accuracy (top-1, %)", Legend: plots.BottomRight}
	if c := scaling.SelectionCurve(ps, metric, "hard", 1); len(c.X) > 0 {
		fig.Series = append(fig.Series, plots.Series{Label: metricLabel, X: c.X, Y: c.Acc, YErr: c.SEM, Kind: plots.LinePoints, Color: plots.Categorical[0]})
	}
	if c := scaling.SelectionCurve(ps, "random", "random", 1); len(c.X) > 0 {
		fig.Series = append(fig.Series, plots.Series{Label: "random pruning", X: c.X, Y: c.Acc, YErr: c.SEM, Kind: plots.LinePoints, Color: plots.Grey, Dashed: true})
	}
	for _, p := range ps {
		if p.Metric == untrained && p.Keep == untrained {
			fig.Series = append(fig.Series, plots.Series{Label: "no pretraining (random weights)", X: []float64{0}, Y: []float64{100 * (1 - p.Mean)},
				YErr: []float64{100 * p.SEM}, Kind: plots.Points, Color: color.Black})
		}
	}
	return fig
}

// untrained is lib/transfer's UntrainedMetric (the untrained encoder's
// point), not imported to keep this package free of the experiment's.
const untrained = "untrained"
