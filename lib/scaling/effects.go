package scaling

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/data"
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
	Note    string // why a claim was not measured
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
	for k, s := range seeds {
		diffs[k] = a.Errors[s] - b.Errors[s]
		vars[k] = pairedTestVariance(a.Errors[s], b.Errors[s], d.TestExamples)
	}
	e := Effect{Claim: claim, Setting: setting, Sign: sign}
	var err error
	if e.Value, e.Verdict, err = Verdict(diffs, vars, sign); err != nil {
		e.Value, e.Verdict, e.Note = unmeasured, NotMeasured, err.Error()
	} else if len(seeds) == 0 {
		e.Note = "no fresh seed has both runs"
	}
	return e
}

// ScalingEffects are notebook 02/03's claims: keep easy wins at the
// smallest initial size and keep hard at the largest (at the smallest and
// largest pruned fractions), and pruning beats the power law fitted to
// random pruning (BeatsPowerLaw, the protocol's one definition).
func ScalingEffects(ps []Point, metric string, d Design) []Effect {
	fractions, sizes, _ := HardMinusEasy(ps, metric)
	var out []Effect
	if len(sizes) > 0 && len(fractions) > 0 {
		pair := func(claim string, f float64, n, sign int) {
			setting := fmt.Sprintf("%s, n = %d, f = %g: error(hard) − error(easy)", metric, n, f)
			h, ok1 := find(ps, metric, "hard", f, n, 0)
			e, ok2 := find(ps, metric, "easy", f, n, 0)
			if !ok1 || !ok2 {
				out = append(out, Effect{Claim: claim, Setting: setting, Value: unmeasured, Sign: sign, Verdict: NotMeasured, Note: "runs missing"})
				return
			}
			out = append(out, PairedEffect(claim, setting, h, e, sign, d))
		}
		pair("keep easy beats keep hard when data is scarce", fractions[0], sizes[0], +1)
		pair("keep hard beats keep easy when data is abundant", fractions[len(fractions)-1], sizes[len(sizes)-1], -1)
	}
	var fresh []uint64
	for _, p := range ps {
		for s := range p.Errors {
			if d.fresh(s) && !slices.Contains(fresh, s) {
				fresh = append(fresh, s)
			}
		}
	}
	slices.Sort(fresh)
	claim := "pruning beats the power law fitted to random pruning"
	t, err := BeatsPowerLaw(ps, metric, d.Selection, fresh, d.TestExamples)
	e := Effect{Claim: claim, Sign: -1, Value: unmeasured,
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
			out = append(out, PairedEffect(fmt.Sprintf("%s pruning beats random", m),
				fmt.Sprintf("n = %d, f = %g, balance %g: error(%s) − error(random)", size, f, balance, m), a, r, -1, d))
		}
	}
	return out
}

// WriteEffects writes a notebook's effects as DIR/results-NOTEBOOK.csv,
// atomically, and prints them. The interval and standard error are empty
// where there is no interval (fewer than two seeds).
func WriteEffects(dir, notebook string, effects []Effect, w io.Writer) error {
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
		cw.Write([]string{"notebook", "claim", "setting", "value", "ci95_low", "ci95_high", "se", "seeds", "verdict", "note"})
		for _, e := range effects {
			cw.Write([]string{notebook, e.Claim, e.Setting, num(e.Value.Mean, 5), num(e.Value.Lo, 5), num(e.Value.Hi, 5),
				num(e.Value.SE, 3), strconv.Itoa(e.Value.Seeds), e.Verdict, e.Note})
		}
		cw.Flush()
		return cw.Error()
	})
}

// Summarize gathers every DIR/results-*.csv into DIR/summary.md, the short
// table of measured results that the main job leaves beside the figures,
// headed by the verdict rule.
func Summarize(dir, profileLine string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "results-*.csv"))
	sort.Strings(files)
	var b strings.Builder
	fmt.Fprintf(&b, "# Measured results\n\n%s.\n\n%s\n\n%s\n\n", profileLine, VerdictRule, PowerLawRule)
	fmt.Fprintf(&b, "| notebook | claim | setting | value | 95%% interval | seeds | verdict |\n|---|---|---|---|---|---|---|\n")
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
		if len(rows) == 0 || len(rows[0]) != 10 || rows[0][4] != "ci95_low" {
			return fmt.Errorf("%s: not a results file of this version (header %v): re-run its notebook", f, rows[:min(1, len(rows))])
		}
		for _, r := range rows[1:] {
			value, interval, verdict := r[3], "no interval", r[8]
			if value == "" {
				value = "—"
			}
			if r[4] != "" {
				interval = "[" + r[4] + ", " + r[5] + "]"
			}
			if r[9] != "" {
				verdict += " (" + r[9] + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", r[0], r[1], r[2], value, interval, r[7], verdict)
		}
	}
	return atomicfile.WriteBytes(filepath.Join(dir, "summary.md"), []byte(b.String()))
}

// PowerLawRule is BeatsPowerLaw's definition in words, for the summary's
// header.
const PowerLawRule = `"Pruning beats the power law" is computed one way (BeatsPowerLaw): on the selection seeds, ` +
	`whose errors are never reported, each configuration (keep policy and fraction kept, random pruning at each fraction, no pruning) ` +
	`is interpolated linearly in log error against log examples trained on, without extrapolation, and at each number m of examples ` +
	`trained on of the random-pruning grid the configuration c*(m) with the lowest error is chosen; on each fresh seed s, ` +
	`error = a·m^(−ν) is fitted to that seed's random-pruning and unpruned runs outside the chosen configurations, and ` +
	`d_s = mean over m of log(error_s(c*(m), m)/fit_s(m)); the verdict rule applies to d_s, predicted sign negative.`
