package scaling

import (
	"fmt"
	"io"

	"beyondscaling/lib/data"
	"beyondscaling/lib/plots"
	"beyondscaling/lib/profile"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/train"
)

// WriteHardMinusEasy prints the keep-hard minus keep-easy map (HardMinusEasy)
// one line per fraction kept and initial size.
func WriteHardMinusEasy(w io.Writer, fractions []float64, sizes []int, diff [][]Diff) error {
	for i, f := range fractions {
		for j, n := range sizes {
			if _, err := fmt.Fprintf(w, "f = %.1f, n = %5d: error(hard) − error(easy) = %v\n", f, n, diff[i][j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// ScalingFigureOf is Fig. 3 for one metric of a sweep's points: the curves
// of the given keep policies, random pruning, no pruning, the envelope and
// the power law fitted to random pruning, which it also writes to w.
func ScalingFigureOf(title string, ps []Point, metric string, keeps []string, w io.Writer) (*plots.Figure, error) {
	curves, random, full := ScalingCurves(ps, metric, keeps)
	law, err := RandomPowerLaw(random, full)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w, "random pruning:", law)
	return ScalingFigure(title, curves, random, full, Envelope(ps, metric), law), nil
}

// WritePlan describes sweeps: what is trained, on what, how many runs.
func WritePlan(w io.Writer, specs ...sweep.Spec) error {
	for _, s := range specs {
		_, err := fmt.Fprintf(w, "sweep %q: %s on %s for %d epochs; initial sizes %v, fractions kept %v, seeds %v, balance %g, metrics %v (preset %s): %d runs\n",
			s.Name, s.Model, s.Dataset, s.Epochs, s.Sizes, s.Fractions, s.Seeds, s.Balance, s.Metrics, s.Preset, len(s.Runs()))
		if err != nil {
			return err
		}
	}
	return nil
}

// WeakProbeFigure compares keep hard by a metric from weak probes (dashed)
// with the usual one: the paper's observation that a worse probe brings back
// power-law scaling.
func WeakProbeFigure(title string, ps []Point, usual, weak string) (*plots.Figure, error) {
	weakCurves, random, full := ScalingCurves(ps, weak, []string{"hard"})
	usualCurves, _, _ := ScalingCurves(ps, usual, []string{"hard"})
	law, err := RandomPowerLaw(random, full)
	if err != nil {
		return nil, err
	}
	var curves []Curve
	for _, c := range weakCurves {
		c.Label, c.Dashed = "weak probe: "+c.Label, true
		curves = append(curves, c)
	}
	for _, c := range usualCurves {
		c.Label = "usual probe: " + c.Label
		curves = append(curves, c)
	}
	return ScalingFigure(title, curves, random, full, Curve{}, law), nil
}

// SVHNOrStandIn returns the dataset notebook 03 uses and the name its
// figures give it: SVHN where it is present, else Fashion-MNIST in its
// place, said in every title, with a line to w on how to get SVHN.
func SVHNOrStandIn(w io.Writer) (dataset, label string) {
	if _, err := data.Load("svhn", "test"); err == nil {
		return "svhn", "SVHN"
	}
	fmt.Fprintln(w, "SVHN is not present here: using Fashion-MNIST in its place (prune data fetch svhn to get SVHN)")
	return "fashion-mnist", "Fashion-MNIST (in place of SVHN)"
}

// ImageNetVariant returns the ImageNet variant a profile can use here, or
// "" when none is present, writing to w why each candidate is missing.
func ImageNetVariant(p profile.Name, w io.Writer) string {
	candidates := []string{"imagenet32", "imagenet64"}
	if p == profile.Paper {
		candidates = []string{"imagenet", "imagenet64", "imagenet32"}
	}
	for _, name := range candidates {
		if _, err := data.Load(name, "val"); err == nil {
			return name
		}
		fmt.Fprintf(w, "%s: not present here (%s)\n", name, data.HowToGet(name))
	}
	return ""
}

// ScalingEffectsOf is ScalingEffects for a sweep, for each metric in turn,
// under the sweep's design (DesignFor: the first seed selects the
// configurations compared with the power law, the others are fresh; every
// run is graded on the dataset's test split). It says which seed selects.
func ScalingEffectsOf(ps []Point, spec sweep.Spec, w io.Writer, metrics ...string) ([]Effect, error) {
	n, err := TestExamples(spec.Dataset)
	if err != nil {
		return nil, err
	}
	design := DesignFor(spec.Seeds, n)
	fmt.Fprintf(w, "selection seed %v: chooses the configurations compared with the power law and is never reported; the other seeds are fresh\n", design.Selection)
	var effects []Effect
	for _, m := range metrics {
		effects = append(effects, ScalingEffects(ps, m, design)...)
	}
	return effects, nil
}

// ScheduleFigure draws a learning-rate schedule over epochs, sampled
// stepsPerEpoch times an epoch, from a base rate.
func ScheduleFigure(title, label string, s train.Schedule, base float64, epochs, stepsPerEpoch int) *plots.Figure {
	total := epochs * stepsPerEpoch
	var x, lr []float64
	for step := 0; step <= total; step++ {
		x = append(x, float64(step)/float64(stepsPerEpoch))
		lr = append(lr, base*s.Factor(step, total))
	}
	return &plots.Figure{Title: title, XLabel: "epoch", YLabel: "learning rate", LogY: true,
		Series: []plots.Series{{Label: label, X: x, Y: lr, Kind: plots.Line}}}
}
