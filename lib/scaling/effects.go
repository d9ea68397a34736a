package scaling

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/data"
	"beyondscaling/lib/sweep"
)

// Effect is one measured result: a claim of the paper, where it was
// measured, the measured value with its 95% interval over fresh seeds, and
// the verdict of the protocol's rule (Verdict).
type Effect struct {
	Claim   string
	Setting string
	Value   Estimate
	Sign    int    // the sign the claim predicts for Value (−1 or +1)
	Verdict string // "yes", "opposite", "not resolved" or "not measured"
	Note    string // why a claim was not measured, or what else to know
	// Metric, Fraction and Balance say which selection a claim about one
	// metric is measured on (BeatsRandom sets them; empty and 0 otherwise),
	// so that notes about that selection are matched to it by value.
	Metric            string
	Fraction, Balance float64
	// Backends are the compute backends the compared runs trained on
	// (Point.Backend).
	Backends []string
}

// Design is what the effects need besides the points: the size of the
// test set every run is graded on, and the selection seeds, whose runs
// choose the configurations of "beats the power law" and are never
// reported. Every other seed is a fresh seed.
type Design struct {
	TestExamples int
	Selection    []uint64
}

// DesignFor is the design of a sweep analysed by ScalingEffects: its first
// seed is the selection seed, the others are fresh.
func DesignFor(seeds []uint64, testExamples int) Design {
	return Design{TestExamples: testExamples, Selection: seeds[:min(1, len(seeds))]}
}

// TestExamples is the size of a dataset's test split, on which every run of
// a sweep is graded.
func TestExamples(dataset string) (int, error) {
	ds, err := data.Load(dataset, "test")
	if err != nil {
		return 0, err
	}
	return ds.Len(), nil
}

// unmeasured is the value of a claim that could not be measured.
var unmeasured = Estimate{Mean: math.NaN(), SE: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}

// fresh reports whether a seed is a fresh seed of the design.
func (d Design) fresh(seed uint64) bool { return !slices.Contains(d.Selection, seed) }

// PairedEffect is a claim on the paired difference error(a) − error(b) over
// the fresh seeds that both points have, judged by Verdict with the test
// set's sampling variance of each seed's difference.
func PairedEffect(claim, setting string, a, b Point, sign int, d Design) Effect {
	var seeds []uint64
	for s := range a.Errors {
		if _, ok := b.Errors[s]; ok && d.fresh(s) {
			seeds = append(seeds, s)
		}
	}
	slices.Sort(seeds)
	diffs, vars := make([]float64, len(seeds)), make([]float64, len(seeds))
	bounded := 0
	for k, s := range seeds {
		diffs[k] = a.Errors[s] - b.Errors[s]
		if disagree, ok := Disagreements(a.Correct[s], b.Correct[s], d.TestExamples); ok {
			vars[k] = PairedTestVariance(diffs[k], disagree, d.TestExamples)
		} else {
			vars[k] = pairedTestVariance(a.Errors[s], b.Errors[s], d.TestExamples)
			bounded++
		}
	}
	e := Effect{Claim: claim, Setting: setting, Sign: sign, Backends: BackendsOf(seeds, a, b)}
	if bounded > 0 {
		e.Note = fmt.Sprintf("%d of %d seeds without per-example test results: their disagreements are bounded", bounded, len(seeds))
	}
	var err error
	if e.Value, e.Verdict, err = Verdict(diffs, vars, sign); err != nil {
		e.Value, e.Verdict, e.Note = unmeasured, NotMeasured, err.Error()
	} else if len(seeds) == 0 {
		e.Note = "no fresh seed has both runs"
	}
	return e
}

// Disagreements counts the test examples on which exactly one of two
// networks is right, from their records' per-example correctness
// (sweep.PackCorrect) on T test examples; false when either is missing or
// malformed.
func Disagreements(a, b string, testExamples int) (int, bool) {
	if a == "" || b == "" {
		return 0, false
	}
	x, err1 := sweep.UnpackCorrect(a, testExamples)
	y, err2 := sweep.UnpackCorrect(b, testExamples)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	n := 0
	for i := range x {
		n += bits.OnesCount8(x[i] ^ y[i])
	}
	return n, true
}

// ClaimFractions are the fractions kept at which ScalingEffects judges the
// abundant-data claims at the largest initial size (issue 11: f = 0.5 and
// 0.7, where the paper's keep-hard gains are largest).
var ClaimFractions = []float64{0.5, 0.7}

// ScalingEffects are notebook 02/03's claims: at the smallest initial size,
// keep easy beats keep hard (at the smallest pruned fraction and at each of
// ClaimFractions); at the largest initial size, keep hard beats keep easy
// and beats random pruning (at each of ClaimFractions); and pruning beats
// the power law fitted to random pruning (BeatsPowerLaw, the protocol's one
// definition). A claim fraction the grid lacks is skipped.
func ScalingEffects(ps []Point, metric string, d Design) []Effect {
	fractions, sizes, _ := HardMinusEasy(ps, metric)
	var out []Effect
	if len(sizes) > 0 && len(fractions) > 0 {
		pair := func(claim string, keepA, keepB string, f float64, n, sign int) {
			metricB := metric
			if keepB == "random" {
				metricB = "random"
			}
			setting := fmt.Sprintf("%s, n = %d, f = %g: error(%s) − error(%s)", metric, n, f, keepA, keepB)
			a, ok1 := find(ps, metric, keepA, f, n, 0)
			b, ok2 := find(ps, metricB, keepB, f, n, 0)
			if !ok1 || !ok2 {
				out = append(out, Effect{Claim: claim, Setting: setting, Value: unmeasured, Sign: sign, Verdict: NotMeasured, Note: "runs missing"})
				return
			}
			out = append(out, PairedEffect(claim, setting, a, b, sign, d))
		}
		var claimAt []float64
		for _, f := range ClaimFractions {
			if slices.Contains(fractions, f) {
				claimAt = append(claimAt, f)
			}
		}
		scarce := claimAt
		if !slices.Contains(scarce, fractions[0]) {
			scarce = append([]float64{fractions[0]}, scarce...)
		}
		small, large := sizes[0], sizes[len(sizes)-1]
		for _, f := range scarce {
			pair("keep easy beats keep hard when data is scarce", "hard", "easy", f, small, +1)
		}
		for _, f := range claimAt {
			pair("keep hard beats keep easy when data is abundant", "hard", "easy", f, large, -1)
		}
		for _, f := range claimAt {
			pair("keep hard beats random when data is abundant", "hard", "random", f, large, -1)
		}
	}
	fresh := slices.DeleteFunc(Seeds(ps), func(s uint64) bool { return !d.fresh(s) })
	claim := "pruning beats the power law fitted to random pruning"
	t, err := BeatsPowerLaw(ps, metric, d.Selection, fresh, d.TestExamples)
	// Every seed of the metric's, random pruning's and the unpruned runs
	// (as configurationCurves picks them) takes part: the selection seeds
	// choose c*(m), the fresh ones judge it.
	compared := slices.DeleteFunc(slices.Clone(ps), func(p Point) bool {
		return p.Balance != 0 || (p.Metric != metric && p.Metric != "random" && p.Fraction != 1)
	})
	e := Effect{Claim: claim, Sign: -1, Value: unmeasured, Backends: BackendsOf(nil, compared...),
		Setting: fmt.Sprintf("%s: mean over m of log(error(c*(m))/power law), c*(m) chosen on selection seeds %v: %s", metric, d.Selection, t.ChoicesString())}
	if err != nil {
		e.Verdict, e.Note = NotMeasured, err.Error()
	} else {
		e.Value, e.Verdict = t.Estimate, t.Verdict
	}
	return append(out, e)
}

// BeatsRandom are notebook 05/06's claims: pruning by a metric (keep hard)
// gives lower test error than random pruning at the same fraction.
func BeatsRandom(ps []Point, metrics []string, size int, fractions []float64, balance float64, d Design) []Effect {
	var out []Effect
	for _, m := range metrics {
		if m == "random" {
			continue
		}
		for _, f := range fractions {
			a, ok1 := find(ps, m, "hard", f, size, balance)
			r, ok2 := find(ps, "random", "random", f, size, balance)
			if !ok1 || !ok2 {
				continue
			}
			e := PairedEffect(fmt.Sprintf("%s pruning beats random", m),
				fmt.Sprintf("n = %d, f = %g, balance %g: error(%s) − error(random)", size, f, balance, m), a, r, -1, d)
			e.Metric, e.Fraction, e.Balance = m, f, balance
			out = append(out, e)
		}
	}
	return out
}

// resultsHeader is the header of a results-NOTEBOOK.csv file; its last
// column names the backends the compared runs trained on, joined by
// backendSeparator.
var resultsHeader = []string{"notebook", "dataset", "claim", "setting", "value", "ci95_low", "ci95_high", "se", "seeds", "verdict", "note", "backend"}

const backendSeparator = "; "

// WriteEffects writes a notebook's effects, measured on the dataset that
// the label names as figures name it (e.g. "Fashion-MNIST (in place of
// SVHN)"), as DIR/results-NOTEBOOK.csv, atomically, and prints them. The
// interval and standard error are empty where there is no interval (fewer
// than two seeds).
func WriteEffects(dir, notebook, dataset string, effects []Effect, w io.Writer) error {
	if w != nil {
		for _, e := range effects {
			fmt.Fprintf(w, "%-62s %s\n    %s: %s\n", e.Claim, e.Verdict, e.Setting, e.Value)
			if e.Note != "" {
				fmt.Fprintf(w, "    (%s)\n", e.Note)
			}
		}
	}
	num := func(x float64, digits int) string {
		if math.IsNaN(x) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', digits, 64)
	}
	return atomicfile.Write(filepath.Join(dir, "results-"+notebook+".csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(resultsHeader)
		for _, e := range effects {
			cw.Write([]string{notebook, dataset, e.Claim, e.Setting, num(e.Value.Mean, 5), num(e.Value.Lo, 5), num(e.Value.Hi, 5),
				num(e.Value.SE, 3), strconv.Itoa(e.Value.Seeds), e.Verdict, e.Note, strings.Join(e.Backends, backendSeparator)})
		}
		cw.Flush()
		return cw.Error()
	})
}

// Summarize gathers every DIR/results-*.csv into DIR/summary.md, the short
// table of measured results that the main job leaves beside the figures,
// headed by the profile, the compute backends the runs trained on (from
// their records) and the verdict rule.
func Summarize(dir, profileLine string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "results-*.csv"))
	sort.Strings(files)
	var table strings.Builder
	fmt.Fprintf(&table, "| notebook | dataset | claim | setting | value [95%% interval] (seeds) | verdict |\n|---|---|---|---|---|---|\n")
	backends := map[string][]string{} // by notebook
	var notebooks []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		switch {
		case len(rows) > 0 && slices.Equal(rows[0], resultsHeader):
		case len(rows) > 0 && slices.Equal(rows[0], resultsHeader[:len(resultsHeader)-1]):
			// Written before results named backends: read as such.
			for k := range rows {
				rows[k] = append(rows[k], NoBackendRecorded)
			}
		default:
			return fmt.Errorf("%s: not a results file of this version (header %v): re-run its notebook", f, rows[:min(1, len(rows))])
		}
		for _, r := range rows[1:] {
			if !slices.Contains(notebooks, r[0]) {
				notebooks = append(notebooks, r[0])
			}
			for _, name := range strings.Split(r[11], backendSeparator) {
				if name != "" && !slices.Contains(backends[r[0]], name) {
					backends[r[0]] = append(backends[r[0]], name)
				}
			}
			value, verdict := r[4], r[9]
			switch {
			case value == "":
				value = "—"
			case r[5] != "":
				value += " [" + r[5] + ", " + r[6] + "] (" + r[8] + " seeds)"
			default:
				value += " (no interval, " + r[8] + " seeds)"
			}
			if r[10] != "" {
				verdict += " (" + r[10] + ")"
			}
			setting := r[3]
			if setting == "" {
				setting = "—"
			}
			fmt.Fprintf(&table, "| %s | %s | %s | %s | %s | %s |\n", r[0], r[1], r[2], setting, value, verdict)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Measured results\n\n%s.\n\n%s\n\n%s\n\n%s\n\n", profileLine, backendLine(notebooks, backends), VerdictRule, PowerLawRule)
	b.WriteString(table.String())
	return atomicfile.WriteBytes(filepath.Join(dir, "summary.md"), []byte(b.String()))
}

// backendLine says which compute backends the runs behind the results
// trained on: one list when every notebook agrees, else one per notebook.
func backendLine(notebooks []string, backends map[string][]string) string {
	list := func(names []string) string {
		if len(names) == 0 {
			return "none recorded"
		}
		names = slices.Sorted(slices.Values(names))
		return strings.Join(names, ", ")
	}
	same := true
	for _, nb := range notebooks {
		same = same && list(backends[nb]) == list(backends[notebooks[0]])
	}
	switch {
	case len(notebooks) == 0:
		return "Compute backend: no results."
	case same:
		return "Compute backend the runs trained on (from their records): " + list(backends[notebooks[0]]) + "."
	}
	var parts []string
	for _, nb := range notebooks {
		parts = append(parts, nb+": "+list(backends[nb]))
	}
	return "Compute backends the runs trained on (from their records), by notebook: " + strings.Join(parts, "; ") + "."
}

// PowerLawRule is BeatsPowerLaw's definition in words, for the summary's
// header.
const PowerLawRule = `"Pruning beats the power law" is computed one way (BeatsPowerLaw): on the selection seeds, ` +
	`whose errors are never reported, each configuration (keep policy and fraction kept, random pruning at each fraction, no pruning) ` +
	`is interpolated linearly in log error against log examples trained on, without extrapolation, and at each number m of examples ` +
	`trained on of the random-pruning grid the configuration c*(m) with the lowest error is chosen; on each fresh seed s, ` +
	`error = a·m^(−ν) is fitted to that seed's random-pruning and unpruned runs outside the chosen configurations, and ` +
	`d_s = mean over m of log(error_s(c*(m), m)/fit_s(m)); the verdict rule applies to d_s, predicted sign negative.`
