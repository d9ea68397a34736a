package scaling

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/fit"
)

// Effect is one measured result: a claim of the paper, where it was
// measured, the measured value with its interval over seeds, and whether
// the measurement shows it.
type Effect struct {
	Claim   string
	Setting string
	Value   Diff   // e.g. an error difference; negative favours the claim unless Sign says otherwise
	Sign    int    // the sign the claim predicts for Value (−1 or +1)
	Verdict string // filled by Judge
}

// Judge states whether a measured difference shows the claimed sign: "yes"
// when the mean has that sign and is more than two standard errors from 0,
// "opposite" when it is beyond two standard errors the other way, otherwise
// "not resolved at this scale" (an honest outcome: the theory itself
// predicts that some effects need larger data).
func (e *Effect) Judge() {
	m, s := e.Value.Mean, e.Value.SEM
	// Two seeds estimate the spread poorly (two equal differences give 0):
	// never trust less than the test-set sampling noise of an error
	// difference, about 0.005 on 10,000 test images.
	s = math.Max(s, minSEM)
	switch {
	case math.IsNaN(m):
		e.Verdict = "not measured"
	case math.IsNaN(s) || e.Value.Seeds < 2:
		if float64(e.Sign)*m > 0 {
			e.Verdict = "same sign as claimed (one seed: no interval)"
		} else {
			e.Verdict = "opposite sign (one seed: no interval)"
		}
	case float64(e.Sign)*m > 2*s:
		e.Verdict = "yes"
	case float64(e.Sign)*m < -2*s:
		e.Verdict = "opposite"
	default:
		e.Verdict = "not resolved at this scale"
	}
}

const minSEM = 0.005

// ScalingEffects are notebook 02/03's claims: keep easy wins at the
// smallest initial size and keep hard at the largest (at the smallest and
// largest pruned fractions), and the best-f envelope lies below the power
// law fitted to random pruning.
func ScalingEffects(ps []Point, metric string) []Effect {
	fractions, sizes, diff := HardMinusEasy(ps, metric)
	var out []Effect
	if len(sizes) > 0 && len(fractions) > 0 {
		out = append(out, Effect{Claim: "keep easy beats keep hard when data is scarce",
			Setting: fmt.Sprintf("%s, n = %d, f = %g: error(hard) − error(easy)", metric, sizes[0], fractions[0]), Value: diff[0][0], Sign: +1})
		last := len(fractions) - 1
		out = append(out, Effect{Claim: "keep hard beats keep easy when data is abundant",
			Setting: fmt.Sprintf("%s, n = %d, f = %g: error(hard) − error(easy)", metric, sizes[len(sizes)-1], fractions[last]), Value: diff[last][len(sizes)-1], Sign: -1})
	}
	_, random, full := ScalingCurves(ps, metric, nil)
	env := Envelope(ps, metric)
	if law, err := RandomPowerLaw(random, full); err == nil && len(sizes) > 0 {
		// The best pruned configuration (f < 1) at the largest initial size
		// against the random power law at the number it trained on: the
		// unpruned run is part of the fit, so only pruning can beat it.
		n := sizes[len(sizes)-1]
		var best Point
		found := false
		for _, p := range ps {
			if p.Size == n && p.Fraction < 1 && p.Metric == metric && p.Balance == 0 && (!found || p.Mean < best.Mean) {
				best, found = p, true
			}
		}
		if found {
			pred := law.Eval(best.Trained)
			out = append(out, Effect{Claim: "pruning beats the power law fitted to random pruning",
				Setting: fmt.Sprintf("%s, n = %d, best pruned (keep %s, f = %g, %.0f trained on): error − power law (%s)", metric, n, best.Keep, best.Fraction, best.Trained, law),
				Value:   Diff{Mean: best.Mean - pred, SEM: best.SEM, Seeds: best.Seeds}, Sign: -1})
		}
		if len(env.Trained) >= 3 {
			if e, err := fit.Fit(env.Trained, env.Mean, fit.Options{Seed: 3}); err == nil {
				out = append(out, Effect{Claim: "the best-f envelope falls faster than the random power law",
					Setting: fmt.Sprintf("%s: ν(envelope) − ν(random); 68%% bootstrap intervals [%.2f, %.2f] and [%.2f, %.2f]", metric, e.NuLo, e.NuHi, law.NuLo, law.NuHi),
					Value:   Diff{Mean: e.Nu - law.Nu, SEM: math.Hypot(e.NuHi-e.NuLo, law.NuHi-law.NuLo) / 2, Seeds: 2}, Sign: +1})
			}
		}
	}
	for i := range out {
		out[i].Judge()
	}
	return out
}

// BeatsRandom are notebook 05/06's claims: pruning by a metric (keep hard)
// gives lower test error than random pruning at the same fraction.
func BeatsRandom(ps []Point, metrics []string, size int, fractions []float64, balance float64) []Effect {
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
			e := Effect{Claim: fmt.Sprintf("%s pruning beats random", m),
				Setting: fmt.Sprintf("n = %d, f = %g, balance %g: error(%s) − error(random)", size, f, balance, m), Value: paired(a, r), Sign: -1}
			e.Judge()
			out = append(out, e)
		}
	}
	return out
}

// WriteEffects writes a notebook's effects as DIR/results-NOTEBOOK.csv,
// atomically, and prints them.
func WriteEffects(dir, notebook string, effects []Effect, w io.Writer) error {
	if w != nil {
		for _, e := range effects {
			fmt.Fprintf(w, "%-62s %s\n    %s: %s\n", e.Claim, e.Verdict, e.Setting, e.Value)
		}
	}
	return atomicfile.Write(filepath.Join(dir, "results-"+notebook+".csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"notebook", "claim", "setting", "value", "sem", "seeds", "verdict"})
		for _, e := range effects {
			cw.Write([]string{notebook, e.Claim, e.Setting, strconv.FormatFloat(e.Value.Mean, 'g', 5, 64),
				strconv.FormatFloat(e.Value.SEM, 'g', 3, 64), strconv.Itoa(e.Value.Seeds), e.Verdict})
		}
		cw.Flush()
		return cw.Error()
	})
}

// Summarize gathers every DIR/results-*.csv into DIR/summary.md, the short
// table of measured results that the main job leaves beside the figures.
func Summarize(dir, profileLine string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "results-*.csv"))
	sort.Strings(files)
	var b strings.Builder
	fmt.Fprintf(&b, "# Measured results\n\n%s. Values are means over seeds ± one standard error of paired differences; \"yes\" means more than two standard errors in the claimed direction.\n\n", profileLine)
	fmt.Fprintf(&b, "| notebook | claim | setting | value | verdict |\n|---|---|---|---|---|\n")
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
		for _, r := range rows[1:] {
			val := r[3]
			if r[4] != "NaN" {
				val += " ± " + r[4]
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s (%s seeds) | %s |\n", r[0], r[1], r[2], val, r[5], r[6])
		}
	}
	return atomicfile.WriteBytes(filepath.Join(dir, "summary.md"), []byte(b.String()))
}
