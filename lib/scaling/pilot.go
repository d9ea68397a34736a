package scaling

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"

	"beyondscaling/lib/sweep"
	"beyondscaling/lib/verdict"
)

// FitTarget is the training error (by an evaluation pass after training)
// that the unpruned full-set run must reach on every pilot seed for a
// recipe to count as fitting its training set, the student of the theory's
// abundant regime: at most 3%, i.e. it fits 97% of the examples.
const FitTarget = 0.03

// PilotClaim is one primary full-set claim as a pilot measured it.
type PilotClaim struct {
	Setting  string    // e.g. "f = 0.5: error(hard) − error(random)"
	Fraction float64   // fraction kept
	Versus   string    // "random" or "easy"
	D        []float64 // by pilot seed
	Planning verdict.Planning
}

// Mean is the pilot's mean difference.
func (c PilotClaim) Mean() float64 { return stat.Mean(c.D, nil) }

// PilotRecipe is one candidate recipe of a pilot at the full set.
type PilotRecipe struct {
	Name   string // schedule and epochs, e.g. "cosine, 10 epochs"
	Epochs int
	Seeds  []uint64
	// FullTrainError and FullTestError are the unpruned run's errors by
	// seed (training error by an evaluation pass); HardTrainError is keep
	// hard's at the smallest claim fraction.
	FullTrainError, FullTestError, HardTrainError []float64
	// RunningAccuracy is the unpruned run's running training accuracy over
	// its last epoch (what training reports), by seed.
	RunningAccuracy []float64
	Claims          []PilotClaim
	// Cost is the example passes of one seed relative to the cheapest
	// candidate's (from the records' steps and batch size).
	Cost float64
}

// Fits reports whether the unpruned run meets FitTarget on every seed.
func (r PilotRecipe) Fits() bool {
	return len(r.FullTrainError) > 0 && slices.Max(r.FullTrainError) <= FitTarget
}

// MeanSD is the mean over the claims of the seed spread.
func (r PilotRecipe) MeanSD() float64 {
	s := 0.0
	for _, c := range r.Claims {
		s += c.Planning.SeedSD
	}
	return s / float64(len(r.Claims))
}

// Pilot groups a pilot's records (the full set only, several recipes on
// the same pilot seeds) by recipe and measures each primary full-set claim
// (keep hard against random and against keep easy at each pruned fraction)
// with its seed spread and test-set term.
func Pilot(recs []sweep.Record, metric string, testExamples int) ([]PilotRecipe, error) {
	type recipeKey struct {
		schedule string
		epochs   int
	}
	var order []recipeKey
	groups := map[recipeKey][]sweep.Record{}
	for _, r := range recs {
		k := recipeKey{r.Run.Recipe.Schedule, r.Run.Recipe.Epochs}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	var out []PilotRecipe
	for _, k := range order {
		ps := Aggregate(groups[k])
		pr := PilotRecipe{Name: fmt.Sprintf("%s, %d epochs", k.schedule, k.epochs), Epochs: k.epochs, Seeds: Seeds(ps)}
		passes := 0.0
		for _, r := range groups[k] {
			steps, ok := r.Extra["steps"]
			if !ok || r.Run.Recipe.Batch <= 0 {
				return nil, fmt.Errorf("pilot %s, run %s: the record has no steps or batch size to count its cost", pr.Name, r.Run)
			}
			passes += steps * float64(r.Run.Recipe.Batch)
		}
		pr.Cost = passes / float64(len(pr.Seeds)) // normalised below
		fractions, sizes, _ := HardMinusEasy(ps, metric)
		if len(sizes) == 0 {
			return nil, fmt.Errorf("pilot %s: no keep-hard and keep-easy runs of %s", pr.Name, metric)
		}
		n := sizes[len(sizes)-1]
		full, ok := find(ps, "none", "all", 1, n, 0)
		if !ok {
			return nil, fmt.Errorf("pilot %s: no unpruned run at n = %d", pr.Name, n)
		}
		for _, r := range groups[k] {
			if r.Run.Fraction == 1 && r.Run.Size == n {
				te, ok := r.Extra[sweep.TrainErrorKey]
				if !ok {
					return nil, fmt.Errorf("pilot %s, seed %d: the record has no %s (made before it was evaluated)", pr.Name, r.Run.Seed, sweep.TrainErrorKey)
				}
				pr.FullTrainError = append(pr.FullTrainError, te)
				pr.FullTestError = append(pr.FullTestError, full.Errors[r.Run.Seed])
				pr.RunningAccuracy = append(pr.RunningAccuracy, r.Extra["train_accuracy"])
			}
			if r.Run.Metric == metric && r.Run.Keep == "hard" && r.Run.Fraction == fractions[0] && r.Run.Size == n {
				te, ok := r.Extra[sweep.TrainErrorKey]
				if !ok {
					return nil, fmt.Errorf("pilot %s, seed %d, keep hard: the record has no %s", pr.Name, r.Run.Seed, sweep.TrainErrorKey)
				}
				pr.HardTrainError = append(pr.HardTrainError, te)
			}
		}
		for _, versus := range []string{"random", "easy"} {
			for _, f := range fractions {
				hard, ok1 := find(ps, metric, "hard", f, n, 0)
				otherMetric := metric
				if versus == "random" {
					otherMetric = "random"
				}
				other, ok2 := find(ps, otherMetric, versus, f, n, 0)
				if !ok1 || !ok2 {
					continue
				}
				for _, s := range pr.Seeds {
					_, okA := hard.Errors[s]
					_, okB := other.Errors[s]
					if !okA || !okB {
						return nil, fmt.Errorf("pilot %s, f = %g against %s: seed %d lacks a run", pr.Name, f, versus, s)
					}
				}
				p, err := pairedData(hard, other, pr.Seeds, testExamples)
				if err != nil {
					return nil, fmt.Errorf("pilot %s, f = %g against %s: %w", pr.Name, f, versus, err)
				}
				ds, term := p.d, p.term
				pr.Claims = append(pr.Claims, PilotClaim{Setting: fmt.Sprintf("f = %g: error(hard) − error(%s)", f, versus), Fraction: f, Versus: versus,
					D: ds, Planning: verdict.Planning{SeedSD: stat.StdDev(ds, nil), TestTerm: term}})
			}
		}
		out = append(out, pr)
	}
	// Cheapest first; costs relative to it.
	slices.SortStableFunc(out, func(a, b PilotRecipe) int { return cmp.Compare(a.Cost, b.Cost) })
	for k := len(out) - 1; k >= 0; k-- {
		out[k].Cost /= out[0].Cost
	}
	return out, nil
}

// ChooseRecipe is the rule, fixed before the pilot ran, that picks the
// recipe of the headline block: among the candidates whose unpruned
// full-set run fits its training set (Fits; all candidates when none
// does), the one with the smallest cost × MeanSD², the variance of a
// claim's mean at a fixed budget of example passes (a recipe twice as
// costly buys half the seeds). It returns the index and the reason.
func ChooseRecipe(rs []PilotRecipe) (int, string) {
	admissible := func(r PilotRecipe) bool { return r.Fits() }
	if !slices.ContainsFunc(rs, admissible) {
		admissible = func(PilotRecipe) bool { return true }
	}
	best, bestScore := -1, math.Inf(1)
	for k, r := range rs {
		if score := r.Cost * r.MeanSD() * r.MeanSD(); admissible(r) && score < bestScore {
			best, bestScore = k, score
		}
	}
	if best < 0 {
		return -1, "no candidate"
	}
	var why strings.Builder
	fmt.Fprintf(&why, "%s: ", rs[best].Name)
	if rs[best].Fits() {
		fmt.Fprintf(&why, "it fits its training set (unpruned training error at most %.1f%% on every pilot seed) ", 100*FitTarget)
	} else {
		fmt.Fprintf(&why, "no candidate fits its training set to %.1f%%; ", 100*FitTarget)
	}
	fmt.Fprintf(&why, "and has the smallest cost × seed variance of the primary differences (%.3g × (%.2f points)²)", rs[best].Cost, 100*rs[best].MeanSD())
	return best, why.String()
}

// WritePilot prints the pilot table: per recipe, the fit (evaluated
// training error of the unpruned and keep-hard runs against the running
// accuracy training reports), and per claim the pilot mean and spread, the
// test-set term and the power at the given number of seeds.
func WritePilot(w io.Writer, rs []PilotRecipe, seeds int, effect float64) error {
	pct := func(xs []float64) string {
		var parts []string
		for _, x := range xs {
			parts = append(parts, fmt.Sprintf("%.2f", 100*x))
		}
		return strings.Join(parts, " / ")
	}
	for _, r := range rs {
		fmt.Fprintf(w, "%s (cost %.2f, pilot seeds %v)\n", r.Name, r.Cost, r.Seeds)
		fmt.Fprintf(w, "  unpruned: training error %s%% (evaluated), running accuracy %s%%, test error %s%%; keep hard at the smallest f: training error %s%%; fits (≤ %.0f%%): %v\n",
			pct(r.FullTrainError), pct(r.RunningAccuracy), pct(r.FullTestError), pct(r.HardTrainError), 100*FitTarget, r.Fits())
		for _, c := range r.Claims {
			fmt.Fprintf(w, "  %-36s pilot %+6.2f points (seeds %s), seed s.d. %.2f, test-set term %.2f points; at %d seeds: half-width %.2f, power %.2f for a %.0f-point effect\n",
				c.Setting, 100*c.Mean(), pct(c.D), 100*c.Planning.SeedSD, 100*math.Sqrt(c.Planning.TestTerm), seeds,
				100*c.Planning.HalfWidth(seeds), c.Planning.Power(effect, seeds), 100*effect)
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

// WritePowerTable prints the power analysis of a chosen recipe's primary
// claims: the pilot effect and seed spread, the expected half-width at the
// planned number of fresh seeds, and the fresh seeds needed for the given
// power at an effect of the given size (or that no number up to max
// reaches it).
func WritePowerTable(w io.Writer, r PilotRecipe, planned int, effect, power float64, max int) error {
	fmt.Fprintf(w, "| claim (n = full set, %s) | pilot effect (points) | seed s.d. | test-set term | half-width at %d seeds | seeds for %.0f%% power at %.0f point |\n|---|---|---|---|---|---|\n",
		r.Name, planned, 100*power, 100*effect)
	for _, c := range r.Claims {
		need := "more than " + fmt.Sprint(max)
		if s, ok := c.Planning.SeedsFor(effect, power, max); ok {
			need = fmt.Sprint(s)
		}
		fmt.Fprintf(w, "| keep hard beats %s, %s | %+.2f | %.2f | %.2f | %.2f | %s |\n", c.Versus, c.Setting, 100*c.Mean(), 100*c.Planning.SeedSD,
			100*math.Sqrt(c.Planning.TestTerm), 100*c.Planning.HalfWidth(planned), need)
	}
	_, err := fmt.Fprintln(w)
	return err
}

// PilotReport prints a headline pilot (its records: the full set, several
// candidate recipes on the same pilot seeds): each candidate's fit and
// claims (WritePilot at the planned number of fresh seeds), the recipe
// ChooseRecipe picks and why, and the chosen recipe's power table for a
// 1-point effect at 80% power. It returns the chosen recipe.
func PilotReport(w io.Writer, recs []sweep.Record, metric string, planned int) (PilotRecipe, error) {
	if len(recs) == 0 {
		return PilotRecipe{}, fmt.Errorf("pilot: no records")
	}
	n, err := TestExamples(recs[0].Run.Dataset)
	if err != nil {
		return PilotRecipe{}, err
	}
	rs, err := Pilot(recs, metric, n)
	if err != nil {
		return PilotRecipe{}, err
	}
	const effect, power, maxSeeds = 0.01, 0.8, 100
	if err := WritePilot(w, rs, planned, effect); err != nil {
		return PilotRecipe{}, err
	}
	k, why := ChooseRecipe(rs)
	if k < 0 {
		return PilotRecipe{}, fmt.Errorf("pilot: %s", why)
	}
	fmt.Fprintf(w, "chosen: %s\n\n", why)
	return rs[k], WritePowerTable(w, rs[k], planned, effect, power, maxSeeds)
}
