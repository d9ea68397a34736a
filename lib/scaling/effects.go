package scaling

import (
	"cmp"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
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
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/verdict"
)

// Effect is one measured result: a claim of the paper, where it was
// measured, the measured value with its 95% interval over fresh seeds, and
// the verdict of the protocol's rule (verdict.Verdict).
type Effect struct {
	Claim   string
	Setting string
	Value   verdict.Estimate
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
	// Runs is a digest of the compared runs' results on the claim's seeds
	// (runsDigest): two claims with the same digest and sign judge the same
	// runs, and the summary lists them once.
	Runs string
	// Primary marks the design's headline claims, written before the
	// reported run; the others are secondary (exploratory).
	Primary bool
}

// runsDigest identifies the runs a paired claim compares by their results
// on each seed: the per-example test correctness where the records keep
// it, the error rates otherwise. Two claims over the same runs (one
// notebook's claim repeated by another, or a balanced selection equal to
// the unbalanced one) get the same digest.
func runsDigest(seeds []uint64, ps ...Point) string {
	h := sha256.New()
	for _, s := range seeds {
		fmt.Fprintf(h, "seed %d\n", s)
		for _, p := range ps {
			fmt.Fprintf(h, "%x %s\n", math.Float64bits(p.Errors[s]), p.Correct[s])
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// ClaimDesign is what the effects need besides the points: the size of the
// test set every run is graded on, and the selection seeds, whose runs
// choose the configurations of "beats the power law" and are never
// reported. Every other seed is a fresh seed.
type ClaimDesign struct {
	TestExamples int
	Selection    []uint64
	// Primary marks the sweep's headline claims (Effect.Primary): the
	// abundant-data claims at the largest size, keep easy beating keep hard
	// at the smallest size and fraction, and the power-law claim.
	Primary bool
	// Headline, when not empty, holds the points of a headline block at
	// the full set (more fresh seeds, probes drawn per seed): the claims at
	// the largest size are judged on them, at their fractions, instead of
	// on the grid's points. Its seeds outside Selection are its fresh seeds.
	Headline []Point
}

// DesignFor is the design of a sweep analysed by ScalingEffects: its first
// seed is the selection seed, the others are fresh.
func DesignFor(seeds []uint64, testExamples int) ClaimDesign {
	return ClaimDesign{TestExamples: testExamples, Selection: seeds[:min(1, len(seeds))]}
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
var unmeasured = verdict.Estimate{Mean: math.NaN(), SE: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}

// fresh reports whether a seed is a fresh seed of the design.
func (d ClaimDesign) fresh(seed uint64) bool { return !slices.Contains(d.Selection, seed) }

// PairedEffect is a claim on the paired difference error(a) − error(b) over
// the fresh seeds that both points have, judged by verdict.Verdict with the
// test-set term of pairedData.
func PairedEffect(claim, setting string, a, b Point, sign int, d ClaimDesign) Effect {
	var seeds []uint64
	for s := range a.Errors {
		if _, ok := b.Errors[s]; ok && d.fresh(s) {
			seeds = append(seeds, s)
		}
	}
	slices.Sort(seeds)
	e := Effect{Claim: claim, Setting: setting, Sign: sign, Backends: BackendsOf(seeds, a, b), Runs: runsDigest(seeds, a, b)}
	p, err := pairedData(a, b, seeds, d.TestExamples)
	e.Note = p.note
	if err == nil {
		e.Value, e.Verdict, err = verdict.Verdict(p.d, p.term, sign)
	}
	if err != nil {
		e.Value, e.Verdict, e.Note = unmeasured, verdict.NotMeasured, err.Error()
	} else if len(seeds) == 0 {
		e.Note = "no fresh seed has both runs"
	}
	return e
}

// pairedClaim is a paired claim's data on its seeds: each seed's difference
// error(a) − error(b), the verdict rule's test-set term, and a note when
// the term had to fall back.
type pairedClaim struct {
	d    []float64
	term float64
	note string
}

// pairedData gathers a paired claim's data on seeds that both points have.
// The test-set term is verdict.PairedTestTerm of the per-example differences; where
// some seed's records lack per-example test results (made before they were
// kept) it falls back to the mean per-seed test variance with the
// disagreements bounded (verdict.DisagreementBound), which is conservative, and the
// note says so.
func pairedData(a, b Point, seeds []uint64, testExamples int) (pairedClaim, error) {
	var p pairedClaim
	var x [][]int8
	bounded := 0.0
	for _, s := range seeds {
		p.d = append(p.d, a.Errors[s]-b.Errors[s])
		if xs, ok := pairedExamples(a.Correct[s], b.Correct[s], testExamples); ok {
			x = append(x, xs)
		}
		bounded += pairedTestVariance(a.Errors[s], b.Errors[s], testExamples) / float64(len(seeds))
	}
	if len(x) == len(seeds) {
		var err error
		p.term, err = verdict.PairedTestTerm(x)
		return p, err
	}
	p.term = bounded
	p.note = fmt.Sprintf("%d of %d seeds without per-example test results: the test-set term is the per-seed variance with disagreements bounded (conservative)",
		len(seeds)-len(x), len(seeds))
	return p, nil
}

// pairedExamples is x_i = correct(b) − correct(a) on each of T test
// examples, from two records' per-example correctness (sweep.PackCorrect):
// its mean is error(a) − error(b). False when either is missing or
// malformed.
func pairedExamples(a, b string, testExamples int) ([]int8, bool) {
	x, okA := unpackBits(a, testExamples)
	y, okB := unpackBits(b, testExamples)
	if !okA || !okB {
		return nil, false
	}
	out := make([]int8, testExamples)
	for i := range out {
		out[i] = int8(y[i]) - int8(x[i])
	}
	return out, true
}

// unpackBits is a record's per-example correctness (sweep.PackCorrect) as
// one 0 or 1 per test example; false when missing or malformed.
func unpackBits(packed string, testExamples int) ([]uint8, bool) {
	if packed == "" {
		return nil, false
	}
	b, err := sweep.UnpackCorrect(packed, testExamples)
	if err != nil {
		return nil, false
	}
	out := make([]uint8, testExamples)
	for i := range out {
		out[i] = b[i/8] >> (i % 8) & 1
	}
	return out, true
}

// pairedTestVariance is verdict.PairedTestVariance of e1 − e2 with the
// disagreement bound.
func pairedTestVariance(e1, e2 float64, testExamples int) float64 {
	return verdict.PairedTestVariance(e1-e2, verdict.DisagreementBound(e1, e2, testExamples), testExamples)
}

// ClaimFractions are the fractions kept at which ScalingEffects judges the
// abundant-data claims at the largest initial size (f = 0.5 and 0.7,
// where the paper's keep-hard gains are largest).
var ClaimFractions = []float64{0.5, 0.7}

// ScalingEffects are notebook 02/03's claims: at the smallest initial size,
// keep easy beats keep hard (at the smallest pruned fraction and at each of
// ClaimFractions); at the largest initial size, keep hard beats keep easy
// and beats random pruning (at each of ClaimFractions, or on the design's
// headline block at its fractions); and pruning beats the power law fitted
// to random pruning (BeatsPowerLaw, the one definition). A claim fraction
// the grid lacks is skipped. With d.Primary, the claims at the largest
// size, the scarce claim at the smallest fraction and the power-law claim
// are marked primary.
func ScalingEffects(ps []Point, metric string, d ClaimDesign) []Effect {
	var out []Effect
	pair := func(from []Point, claim string, keepA, keepB string, f float64, n, sign int, primary bool) {
		metricB := metric
		if keepB == "random" {
			metricB = "random"
		}
		setting := fmt.Sprintf("%s, n = %d, f = %g: error(%s) − error(%s)", metric, n, f, keepA, keepB)
		a, ok1 := find(from, metric, keepA, f, n, 0)
		b, ok2 := find(from, metricB, keepB, f, n, 0)
		e := Effect{Claim: claim, Setting: setting, Value: unmeasured, Sign: sign, Verdict: verdict.NotMeasured, Note: "runs missing"}
		if ok1 && ok2 {
			e = PairedEffect(claim, setting, a, b, sign, d)
		}
		e.Primary = primary && d.Primary
		out = append(out, e)
	}
	claimFractions := func(fractions []float64) []float64 {
		var at []float64
		for _, f := range ClaimFractions {
			if slices.Contains(fractions, f) {
				at = append(at, f)
			}
		}
		return at
	}
	fractions, sizes, _ := HardMinusEasy(ps, metric)
	if len(sizes) > 0 && len(fractions) > 0 {
		claimAt := claimFractions(fractions)
		scarce := claimAt
		if !slices.Contains(scarce, fractions[0]) {
			scarce = append([]float64{fractions[0]}, scarce...)
		}
		for _, f := range scarce {
			pair(ps, "keep easy beats keep hard when data is scarce", "hard", "easy", f, sizes[0], +1, f == fractions[0])
		}
		if len(d.Headline) == 0 {
			for _, f := range claimAt {
				pair(ps, "keep hard beats keep easy when data is abundant", "hard", "easy", f, sizes[len(sizes)-1], -1, true)
			}
			for _, f := range claimAt {
				pair(ps, "keep hard beats random when data is abundant", "hard", "random", f, sizes[len(sizes)-1], -1, true)
			}
		}
	}
	if len(d.Headline) > 0 {
		hf, hs, _ := HardMinusEasy(d.Headline, metric)
		if len(hs) > 0 {
			for _, f := range hf {
				pair(d.Headline, "keep hard beats keep easy when data is abundant", "hard", "easy", f, hs[len(hs)-1], -1, true)
			}
			for _, f := range hf {
				pair(d.Headline, "keep hard beats random when data is abundant", "hard", "random", f, hs[len(hs)-1], -1, true)
			}
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
	e := Effect{Claim: claim, Sign: -1, Value: unmeasured, Backends: BackendsOf(nil, compared...), Primary: d.Primary,
		Setting: fmt.Sprintf("%s: mean over the abundant range's m of log(error(c*(m))/power law), c*(m) chosen on selection seeds %v: %s",
			metric, d.Selection, t.ChoicesString())}
	if err != nil {
		e.Verdict, e.Note = verdict.NotMeasured, err.Error()
	} else {
		e.Value, e.Verdict, e.Note = t.Estimate, t.Verdict, t.Note
	}
	return append(out, e)
}

// BeatsRandom are notebook 05/06's claims: pruning by a metric (keep hard)
// gives lower test error than random pruning at the same fraction.
func BeatsRandom(ps []Point, metrics []string, size int, fractions []float64, balance float64, d ClaimDesign) []Effect {
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

// resultsHeader is the header of a results-NOTEBOOK.csv file: the
// backend column names the backends the compared runs trained on, joined
// by backendSeparator; primary is "yes" for a primary claim; sign is the
// predicted sign; runs is Effect.Runs.
var resultsHeader = []string{"notebook", "dataset", "claim", "setting", "value", "ci95_low", "ci95_high", "se", "seeds", "verdict", "note",
	"backend", "primary", "sign", "runs"}

// Columns of results files written before later columns existed: without
// primary, sign and runs, and without backend too.
const (
	resultsColumnsBeforePrimary = 12
	resultsColumnsBeforeBackend = 11
)

const backendSeparator = "; "

// NotRun is the verdict of a planned claim cut to keep the main job within
// its budget.
const NotRun = "not run (budget)"

// WriteEffects writes a notebook's effects, measured on the dataset that
// the label names as figures name it (e.g. "Fashion-MNIST (in place of
// SVHN)"), as DIR/results-NOTEBOOK.csv, atomically, and prints them. The
// interval and standard error are empty where there is no interval (fewer
// than two seeds).
func WriteEffects(dir, notebook, dataset string, effects []Effect, w io.Writer) error {
	if w != nil {
		for _, e := range effects {
			kind := "secondary"
			if e.Primary {
				kind = "PRIMARY"
			}
			fmt.Fprintf(w, "%-9s %-62s %s\n    %s: %s\n", kind, e.Claim, e.Verdict, e.Setting, e.Value)
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
			primary := "no"
			if e.Primary {
				primary = "yes"
			}
			cw.Write([]string{notebook, dataset, e.Claim, e.Setting, num(e.Value.Mean, 5), num(e.Value.Lo, 5), num(e.Value.Hi, 5),
				num(e.Value.SE, 3), strconv.Itoa(e.Value.Seeds), e.Verdict, e.Note, strings.Join(e.Backends, backendSeparator),
				primary, strconv.Itoa(e.Sign), e.Runs})
		}
		cw.Flush()
		return cw.Error()
	})
}

// summaryRow is one claim of the summary, read back from a results file.
type summaryRow struct {
	notebooks                                     []string
	dataset, claim, setting, value, verdict, note string
	primary                                       bool
	key                                           string // runs and sign: equal for the same runs judged again
}

// readResults reads a results file of this version or an earlier one.
func readResults(path string) ([][]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(fh).ReadAll()
	fh.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case len(rows) > 0 && slices.Equal(rows[0], resultsHeader):
	case len(rows) > 0 && slices.Equal(rows[0], resultsHeader[:resultsColumnsBeforePrimary]):
		// Written before results marked primary claims: secondary, each row its own claim.
		for k := range rows {
			rows[k] = append(rows[k], "no", "", "")
		}
	case len(rows) > 0 && slices.Equal(rows[0], resultsHeader[:resultsColumnsBeforeBackend]):
		// Written before results named backends: read as such.
		for k := range rows {
			rows[k] = append(rows[k], NoBackendRecorded, "no", "", "")
		}
	default:
		return nil, fmt.Errorf("%s: not a results file of this version (header %v): re-run its notebook", path, rows[:min(1, len(rows))])
	}
	return rows[1:], nil
}

// Summarize gathers every DIR/results-*.csv into DIR/summary.md, the table
// of measured results that the main job leaves beside the figures, headed
// by the profile, the compute backends the runs trained on (from their
// records), how many claims were tested and the rules. Primary claims come
// first; a claim that judges the same runs as an earlier one (same runs
// digest and predicted sign) is listed once, naming every notebook that
// makes it.
func Summarize(dir, profileLine string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "results-*.csv"))
	sort.Strings(files)
	backends := map[string][]string{} // by notebook
	var notebooks []string
	var rows []*summaryRow
	byKey := map[string]*summaryRow{}
	repeats := 0
	for _, f := range files {
		records, err := readResults(f)
		if err != nil {
			return err
		}
		for _, r := range records {
			if !slices.Contains(notebooks, r[0]) {
				notebooks = append(notebooks, r[0])
			}
			for _, name := range strings.Split(r[11], backendSeparator) {
				if name != "" && !slices.Contains(backends[r[0]], name) {
					backends[r[0]] = append(backends[r[0]], name)
				}
			}
			row := &summaryRow{notebooks: []string{r[0]}, dataset: r[1], claim: r[2], setting: cmp.Or(r[3], "—"), verdict: r[9], note: r[10], primary: r[12] == "yes"}
			if r[14] != "" {
				row.key = r[14] + " " + r[13]
			}
			if first, ok := byKey[row.key]; ok && row.key != "" {
				if !slices.Contains(first.notebooks, r[0]) {
					first.notebooks = append(first.notebooks, r[0])
				}
				if row.setting != first.setting || row.claim != first.claim {
					first.note = strings.TrimPrefix(first.note+"; the same results, from identical runs, also answer "+r[0]+"'s \""+row.claim+"\" at "+row.setting, "; ")
				}
				first.primary = first.primary || row.primary
				repeats++
				continue
			}
			switch value := r[4]; {
			case value == "":
				row.value = "—"
			case r[5] != "":
				row.value = value + " [" + r[5] + ", " + r[6] + "] (" + r[8] + " seeds)"
			default:
				row.value = value + " (no interval, " + r[8] + " seeds)"
			}
			byKey[row.key] = row
			rows = append(rows, row)
		}
	}
	var primary, secondary []*summaryRow
	for _, r := range rows {
		if r.primary {
			primary = append(primary, r)
		} else {
			secondary = append(secondary, r)
		}
	}
	count := func(rs []*summaryRow, verdict string) int {
		n := 0
		for _, r := range rs {
			if r.verdict == verdict {
				n++
			}
		}
		return n
	}
	measured := func(rs []*summaryRow) int { return len(rs) - count(rs, NotRun) - count(rs, verdict.NotMeasured) }
	table := func(b *strings.Builder, rs []*summaryRow) {
		fmt.Fprintf(b, "| notebook | dataset | claim | setting | value [95%% interval] (seeds) | verdict |\n|---|---|---|---|---|---|\n")
		for _, r := range rs {
			verdict := r.verdict
			if r.note != "" {
				verdict += " (" + r.note + ")"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", strings.Join(r.notebooks, ", "), r.dataset, r.claim, r.setting, r.value, verdict)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Measured results\n\n%s.\n\n%s\n\n", profileLine, backendLine(notebooks, backends))
	fmt.Fprintf(&b, "%d claims tested: %d primary, %d secondary", measured(rows), measured(primary), measured(secondary))
	if n := count(rows, verdict.NotMeasured); n > 0 {
		fmt.Fprintf(&b, "; %d could not be measured (their notes say why)", n)
	}
	if n := count(rows, NotRun); n > 0 {
		fmt.Fprintf(&b, "; %d more planned and not run (budget)", n)
	}
	if repeats > 0 {
		rows := "rows whose results repeat another claim's (identical runs) are"
		if repeats == 1 {
			rows = "row whose results repeat another claim's (identical runs) is"
		}
		fmt.Fprintf(&b, "; %d %s listed once, under every notebook that makes them", repeats, rows)
	}
	b.WriteString(".")
	if len(primary) > 0 {
		b.WriteString(" The primary claims are the paper's headline at this scale, written before the reported run, with a power analysis " +
			"of those at the full set (notebook 03).")
	}
	b.WriteString(" The secondary verdicts are exploratory: each is a 95% interval on its own, with no correction for multiplicity, " +
		"so among this many claims about one in twenty with no true effect is expected to come out \"yes\" or \"opposite\" by chance.\n\n")
	fmt.Fprintf(&b, "%s\n\n%s\n\nThe protocol behind these rules: docs/protocol.md.\n\n", verdict.VerdictRule, PowerLawRule)
	if len(primary) > 0 {
		b.WriteString("## Primary claims\n\n")
		table(&b, primary)
		b.WriteString("\n")
	}
	if len(secondary) > 0 {
		b.WriteString("## Secondary claims (exploratory)\n\n")
		table(&b, secondary)
	}
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
	`trained on of the random-pruning grid the configuration c*(m) with the lowest error is chosen. The claim is judged over the abundant ` +
	`range only: from the smallest m at which c*(m) is keep hard upward. On each fresh seed s, ` +
	`error = a·m^(−ν) is fitted to that seed's random-pruning and unpruned runs outside the chosen configurations, and ` +
	`d_s = mean over the range's m of log(error_s(c*(m), m)/fit_s(m)); the verdict rule applies to d_s, predicted sign negative, ` +
	`its test-set term from the bootstrap over test examples.`
