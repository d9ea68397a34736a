package calibration

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/theory"
)

// File is a calibration as `prune theory calibrate --out` saves it and
// `prune theory advise --calibration` reads it.
type File struct {
	Calibration *theory.Calibration `json:"calibration"`
	Metric      string              `json:"metric"` // the pruning metric calibrated (its keep hard and keep easy)
	Source      string              `json:"source"` // the runs it was fitted to
	Seeds       []uint64            `json:"seeds"`  // the seeds whose runs were used
	FitSizes    []int               `json:"fit_sizes"`
}

// Save writes f as JSON, atomically.
func (f File) Save(path string) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("saving the calibration to %s: %w", path, err)
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}

// Load reads a File written by Save and checks that it holds a usable
// calibration.
func Load(path string) (File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("%v: write a calibration with prune theory calibrate --results RUNS.csv --out %s", err, path)
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return File{}, fmt.Errorf("%s: not a calibration file (%v): write one with prune theory calibrate --out", path, err)
	}
	c := f.Calibration
	if c == nil || !(c.DEff > 0) || math.IsInf(c.DEff, 0) || !(c.B >= 0) || math.IsInf(c.B, 0) || math.IsNaN(c.A) || math.IsInf(c.A, 0) || !(c.ThetaDeg >= 0 && c.ThetaDeg <= theory.MaxThetaDeg) {
		return File{}, fmt.Errorf("%s: the calibration is missing or invalid (d_eff, θ, a, b = %+v): write it again with prune theory calibrate --out", path, c)
	}
	return f, nil
}

// WriteAdvice answers "how much of my data should I keep?" for n examples
// from a calibration: the predicted test error of each policy at each
// fraction, the better policy, and the smallest fraction within tolerance
// (relative) of the unpruned error.
func WriteAdvice(w io.Writer, f File, n float64, tolerance float64) error {
	c := f.Calibration
	if !(n > 0) {
		return fmt.Errorf("--n %v: the number of examples must be positive", n)
	}
	if !(tolerance > 0) {
		return fmt.Errorf("tolerance %v must be positive, e.g. 0.05 for 5%%", tolerance)
	}
	table, err := theory.DefaultErrorTable()
	if err != nil {
		return err
	}
	var b strings.Builder
	alpha := c.AlphaTotal(n)
	fmt.Fprintf(&b, "Calibrated answer for n = %g examples, metric %s (fitted on %s at n = %s):\n", n, f.Metric, f.Source, sizesString(f.FitSizes))
	fmt.Fprintf(&b, "  d_eff = %.4g [%.4g, %.4g], so α_tot = n/d_eff = %.4g; θ = %.2f° [%.2f°, %.2f°]; error = %.4f + %.4f·ε\n",
		c.DEff, c.DEffInterval[0], c.DEffInterval[1], alpha, c.ThetaDeg, c.ThetaInterval[0], c.ThetaInterval[1], c.A, c.B)
	if c.DOF > 0 && c.ChiSquare/float64(c.DOF) > 2 {
		fmt.Fprintf(&b, "  Caution: the calibration misses the cells it was fitted to by more than their errors (χ²/dof = %.3g):\n  read its check on held-out sizes (prune theory calibrate) before trusting this answer.\n", c.ChiSquare/float64(c.DOF))
	}
	if len(f.FitSizes) > 0 && n > 3*float64(f.FitSizes[len(f.FitSizes)-1]) {
		fmt.Fprintf(&b, "  n is %.3g× the largest size fitted: an extrapolation.\n", n/float64(f.FitSizes[len(f.FitSizes)-1]))
	}
	full, err := c.Predict(n, 1, theory.KeepRandom)
	if err != nil {
		return fmt.Errorf("%w (the theory table covers α_tot in [%v, %v]: n between %.4g and %.4g with this d_eff)", err, table.Axes.AlphaMin, table.Axes.AlphaMax, table.Axes.AlphaMin*c.DEff, table.Axes.AlphaMax*c.DEff)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "f\tkeep hard (%%)\tkeep easy (%%)\trandom (%%)\tbetter\t\n")
	fmt.Fprintf(tw, "1\t%s\t%s\t%s\t—\t\n", fmtErr(full), fmtErr(full), fmtErr(full))
	best, bestKeep, bestErr := 1.0, "all", full
	for _, fr := range theory.DefaultAdviceFractions {
		if fr == 1 || fr < table.Axes.FMin {
			continue
		}
		var vals [3]float64
		better, betterErr := "", math.Inf(1)
		for i, k := range []theory.Keep{theory.KeepHard, theory.KeepEasy, theory.KeepRandom} {
			v, err := c.Predict(n, fr, k)
			if err != nil {
				v = math.NaN()
			} else if v < betterErr {
				better, betterErr = k.String(), v
			}
			vals[i] = v
		}
		fmt.Fprintf(tw, "%g\t%s\t%s\t%s\t%s\t\n", fr, fmtErr(vals[0]), fmtErr(vals[1]), fmtErr(vals[2]), better)
		if betterErr <= full*(1+tolerance) && fr < best {
			best, bestKeep, bestErr = fr, better, betterErr
		}
	}
	tw.Flush()
	if best == 1 {
		fmt.Fprintf(&b, "Every fraction below 1 costs more than %g%% (relative) of the unpruned error (%s%%): keep all the data.\n", 100*tolerance, fmtErr(full))
	} else {
		fmt.Fprintf(&b, "Smallest fraction within %g%% (relative) of the unpruned error (%s%%): f = %g, keep %s (%s%%).\n", 100*tolerance, fmtErr(full), best, bestKeep, fmtErr(bestErr))
	}
	fmt.Fprintf(&b, "These are the perceptron model's predictions under the calibration, not measurements; f_min(θ) and the budget question: prune theory advise --alpha-total %.4g --theta %.3g.\n", alpha, c.ThetaDeg)
	_, err = io.WriteString(w, b.String())
	return err
}
