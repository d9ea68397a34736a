package calibration

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/sweep"
)

// Runs are a sweep's finished runs grouped by configuration.
type Runs struct {
	Points   []scaling.Point
	Datasets []string // the dataset column's values, when the file has one
	Seeds    []uint64 // every seed, ascending
}

// ReadRunsCSV reads the runs of a sweep as `prune sweep collect --out`
// writes them (columns metric, keep, fraction, size, seed, test_error and,
// when present, balance and dataset; others are ignored) and groups them by
// configuration (scaling.Aggregate).
func ReadRunsCSV(path string) (Runs, error) {
	f, err := os.Open(path)
	if err != nil {
		return Runs{}, fmt.Errorf("%v: write the runs with prune sweep collect --spec SPEC --store STORE --out %s", err, path)
	}
	defer f.Close()
	return readRuns(f, path)
}

func readRuns(r io.Reader, name string) (Runs, error) {
	var out Runs
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return Runs{}, fmt.Errorf("%s:1: cannot read the header: %v", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"metric", "keep", "fraction", "size", "seed", "test_error"} {
		if _, ok := col[need]; !ok {
			return Runs{}, fmt.Errorf("%s:1: no column %q (have %v): the file must be prune sweep collect's CSV", name, need, header)
		}
	}
	var recs []sweep.Record
	// One sweep's runs: two datasets, networks or budgets would be averaged
	// into one cell.
	var kind string
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Runs{}, fmt.Errorf("%s: %v", name, err)
		}
		line, _ := cr.FieldPos(0)
		var k []string
		for _, c := range []string{"dataset", "model", "epochs"} {
			if i, ok := col[c]; ok && i < len(row) {
				k = append(k, c+" "+row[i])
			}
		}
		if ks := strings.Join(k, ", "); kind == "" {
			kind = ks
		} else if ks != kind {
			return Runs{}, fmt.Errorf("%s:%d: %s, but earlier rows have %s: calibrate one sweep's runs at a time", name, line, ks, kind)
		}
		if len(row) != len(header) {
			return Runs{}, fmt.Errorf("%s:%d: %d fields, the header has %d", name, line, len(row), len(header))
		}
		num := func(c string) (float64, error) {
			v, err := strconv.ParseFloat(strings.TrimSpace(row[col[c]]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("%s:%d: column %s: %q is not a finite number", name, line, c, row[col[c]])
			}
			return v, nil
		}
		var rec sweep.Record
		rec.Run.Metric, rec.Run.Keep = row[col["metric"]], row[col["keep"]]
		if rec.Run.Fraction, err = num("fraction"); err != nil {
			return Runs{}, err
		}
		if !(rec.Run.Fraction > 0 && rec.Run.Fraction <= 1) {
			return Runs{}, fmt.Errorf("%s:%d: fraction %v must be in (0, 1]", name, line, rec.Run.Fraction)
		}
		size, err := num("size")
		if err != nil {
			return Runs{}, err
		}
		if size < 1 || size != math.Trunc(size) {
			return Runs{}, fmt.Errorf("%s:%d: size %v must be a positive whole number of examples", name, line, size)
		}
		rec.Run.Size = int(size)
		if rec.Run.Seed, err = strconv.ParseUint(strings.TrimSpace(row[col["seed"]]), 10, 64); err != nil {
			return Runs{}, fmt.Errorf("%s:%d: seed %q is not a whole number", name, line, row[col["seed"]])
		}
		if rec.TestError, err = num("test_error"); err != nil {
			return Runs{}, err
		}
		if !(rec.TestError >= 0 && rec.TestError <= 1) {
			return Runs{}, fmt.Errorf("%s:%d: test error %v must be in [0, 1]", name, line, rec.TestError)
		}
		if i, ok := col["dataset"]; ok && !slices.Contains(out.Datasets, row[i]) {
			out.Datasets = append(out.Datasets, row[i])
		}
		if i, ok := col["balance"]; ok && strings.TrimSpace(row[i]) != "" {
			if rec.Run.Balance, err = num("balance"); err != nil {
				return Runs{}, err
			}
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return Runs{}, fmt.Errorf("%s: no runs after the header", name)
	}
	out.Points = scaling.Aggregate(recs)
	out.Seeds = scaling.Seeds(out.Points)
	return out, nil
}

// fmtErr formats a test error in percent.
func fmtErr(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.2f", 100*v)
}

func fmtBest(b BestF) string {
	if math.IsNaN(b.F) {
		return "—"
	}
	if b.Keep == "all" {
		return "1 (keep all)"
	}
	return fmt.Sprintf("%g (%s)", b.F, b.Keep)
}

func sizesString(ns []int) string {
	var s []string
	for _, n := range ns {
		s = append(s, strconv.Itoa(n))
	}
	return strings.Join(s, ", ")
}

// WriteReport prints the fitted parameters with their intervals, the
// held-out predictions and the comparison with the baselines.
func (r *Result) WriteReport(w io.Writer) error {
	c := r.Calibration
	bw := &strings.Builder{}
	ends := func(lo, hi string, open [2]bool) string {
		if open[0] {
			lo = "≤ " + lo + " (range edge)"
		}
		if open[1] {
			hi = "≥ " + hi + " (range edge)"
		}
		return "[" + lo + ", " + hi + "]"
	}
	fmt.Fprintf(bw, "Calibration of the perceptron theory on %d cells at n = %s (error = a + b·ε(n/d_eff, f, θ)):\n", c.Observations, sizesString(r.FitSizes))
	var alphas []string
	for _, n := range append(append([]int(nil), r.FitSizes...), r.HeldOutSizes...) {
		alphas = append(alphas, fmt.Sprintf("%d → %.3g", n, c.AlphaTotal(float64(n))))
	}
	fmt.Fprintf(bw, "  d_eff = %.4g %s\n          α_tot = n/d_eff: %s\n", c.DEff,
		ends(fmt.Sprintf("%.4g", c.DEffInterval[0]), fmt.Sprintf("%.4g", c.DEffInterval[1]), c.DEffOpen), strings.Join(alphas, ", "))
	fmt.Fprintf(bw, "  θ     = %.2f° %s", c.ThetaDeg, ends(fmt.Sprintf("%.2f°", c.ThetaInterval[0]), fmt.Sprintf("%.2f°", c.ThetaInterval[1]), c.ThetaOpen))
	if c.ThetaAtBound {
		fmt.Fprint(bw, "   (on the bound of its range: the interval is one-sided)")
	}
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "  a     = %.4f [%.4f, %.4f]   (error at infinite data)\n", c.A, c.AInterval[0], c.AInterval[1])
	fmt.Fprintf(bw, "  b     = %.4f [%.4f, %.4f]\n", c.B, c.BInterval[0], c.BInterval[1])
	fmt.Fprintf(bw, "  χ² = %.1f on %d degrees of freedom", c.ChiSquare, c.DOF)
	if c.Scale > 1 {
		fmt.Fprintf(bw, ": the model misses the cells by more than their standard errors, so the intervals are widened by √%.3g", c.Scale)
	}
	fmt.Fprintf(bw, ".\n  Intervals: 95%%, profile likelihood for d_eff and θ, the fit's curvature for a and b.\n")
	if len(r.HeldOutSizes) == 0 {
		fmt.Fprintf(bw, "No larger sizes to predict.\n")
		_, err := io.WriteString(w, bw.String())
		return err
	}
	fmt.Fprintf(bw, "\nHeld out (never seen by the fit): n = %s. Test error in %%:\n", sizesString(r.HeldOutSizes))
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "n\tf\tpolicy\tmeasured\ts.e.\t")
	for i := range r.Methods {
		fmt.Fprintf(tw, "(%d)\t", i+1)
	}
	fmt.Fprintln(tw)
	for _, p := range r.HeldOut {
		fmt.Fprintf(tw, "%d\t%g\t%s\t%s\t%s\t", p.Size, p.F, p.Keep, fmtErr(p.Err), fmtErr(p.SE))
		for _, v := range p.Predicted {
			fmt.Fprintf(tw, "%s\t", fmtErr(v))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	for i, m := range r.Methods {
		fmt.Fprintf(bw, "  (%d) %s\n", i+1, m)
	}
	fmt.Fprintf(bw, "\nHow well each method predicts the held-out sizes from the same fitted cells:\n")
	tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "method\thard − easy signs right\tbest f at n = %s", sizesString(r.HeldOutSizes))
	fmt.Fprintf(tw, "\tbest-f error\tMAE (points)\n")
	fmt.Fprintf(tw, "measured\t\t")
	for i, b := range r.MeasuredBestF {
		if i > 0 {
			fmt.Fprint(tw, "; ")
		}
		fmt.Fprint(tw, fmtBest(b))
	}
	fmt.Fprintf(tw, "\t\t\n")
	for _, s := range r.Scores {
		fmt.Fprintf(tw, "%s\t%d of %d\t", s.Method, s.SignsRight, s.SignsTotal)
		for i, b := range s.BestF {
			if i > 0 {
				fmt.Fprint(tw, "; ")
			}
			fmt.Fprint(tw, fmtBest(b))
		}
		bf := "—"
		if !math.IsNaN(s.BestFError) {
			bf = fmt.Sprintf("%.3g", s.BestFError)
		}
		fmt.Fprintf(tw, "\t%s\t%s\n", bf, fmtErr(s.MAE))
	}
	tw.Flush()
	fmt.Fprintf(bw, "Best f: the smallest fraction whose error is within %g%% (relative) of the unpruned error, with the policy\nthat reaches it. MAE: mean absolute error of the predicted test error over the %d held-out cells every method predicts.\n", 100*r.Tolerance, r.ScoredCells)
	_, err := io.WriteString(w, bw.String())
	return err
}

// WriteCSV writes every cell, fitted and held out, with the calibrated
// prediction (and, for held-out cells, the baselines'), atomically.
func (r *Result) WriteCSV(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		head := []string{"size", "f", "policy", "role", "measured", "se", "seeds"}
		for _, m := range r.Methods {
			head = append(head, m)
		}
		cw.Write(head)
		ft := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
		for _, c := range r.Fitted {
			row := []string{strconv.Itoa(c.Size), ft(c.F), c.Keep, "fitted", ft(c.Err), ft(c.SE), strconv.Itoa(c.Seeds)}
			for _, m := range r.Methods {
				v := math.NaN()
				if m == MethodTheory {
					v = r.Predicted(c)
				}
				row = append(row, ft(v))
			}
			cw.Write(row)
		}
		for _, p := range r.HeldOut {
			row := []string{strconv.Itoa(p.Size), ft(p.F), p.Keep, "held out", ft(p.Err), ft(p.SE), strconv.Itoa(p.Seeds)}
			for _, v := range p.Predicted {
				row = append(row, ft(v))
			}
			cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	})
}
