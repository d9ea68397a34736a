package scaling

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"beyondscaling/lib/settings"
	"beyondscaling/lib/sweep"
)

// pilotRecords makes a pilot of one recipe at n = 1000 on seeds 1-3:
// unpruned, and keep hard, keep easy and random at f = 0.5, each graded on
// T = 100 test examples (a run with error e gets the first 100·e wrong).
// Keep hard is better than random by hardGain[s] on seed s; the unpruned
// run's training error is fullTrain.
func pilotRecords(schedule string, epochs int, hardGain [3]float64, fullTrain float64) []sweep.Record {
	var recs []sweep.Record
	add := func(metric, keep string, f float64, seed uint64, e, train float64) {
		wrong := int(math.Round(e * 100))
		correct := make([]bool, 100)
		for i := wrong; i < 100; i++ {
			correct[i] = true
		}
		m := int(f * 1000)
		recs = append(recs, sweep.Record{
			Run:       sweep.Run{Metric: metric, Keep: keep, Fraction: f, Size: 1000, Seed: seed, Recipe: settings.Recipe{Schedule: schedule, Epochs: epochs, Batch: 10}},
			TestError: float64(wrong) / 100, TestCorrect: sweep.PackCorrect(correct), Trained: m,
			Extra: map[string]float64{"steps": float64(epochs * m / 10), sweep.TrainErrorKey: train, "train_accuracy": 1 - train - 0.01},
		})
	}
	for k, s := range []uint64{1, 2, 3} {
		add("none", "all", 1, s, 0.10, fullTrain)
		add("random", "random", 0.5, s, 0.20, 0.05)
		add("el2n-20", "hard", 0.5, s, 0.20-hardGain[k], 0.08)
		add("el2n-20", "easy", 0.5, s, 0.30, 0.01)
	}
	return recs
}

// Pilot measures each recipe's claims and fit from the records, by hand:
// keep hard − random is −hardGain on each seed, keep hard − keep easy
// −0.1 − hardGain; the 20-epoch recipe costs twice the 10-epoch one.
// ChooseRecipe takes the recipe that fits over a cheaper, steadier one, and
// cost × variance when none fits.
func TestPilotAndChooseRecipe(t *testing.T) {
	steady := pilotRecords("constant", 10, [3]float64{0.05, 0.05, 0.05}, 0.05)
	fits := pilotRecords("cosine", 20, [3]float64{0.02, 0.06, 0.04}, 0.02)
	rs, err := Pilot(append(steady, fits...), "el2n-20", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != "constant, 10 epochs" || rs[0].Cost != 1 || rs[1].Cost != 2 {
		t.Fatalf("recipes %+v", rs)
	}
	c := rs[1].Claims[0]
	if c.Versus != "random" || c.Fraction != 0.5 || math.Abs(c.Mean()+0.04) > 1e-12 || math.Abs(c.Planning.SeedSD-0.02) > 1e-12 {
		t.Errorf("cosine, hard vs random: %+v (mean %g), want mean −0.04, s.d. 0.02", c, c.Mean())
	}
	if e := rs[0].Claims[1]; e.Versus != "easy" || math.Abs(e.Mean()+0.15) > 1e-12 || e.Planning.SeedSD > 1e-12 {
		t.Errorf("constant, hard vs easy: %+v", e)
	}
	if rs[0].Fits() || !rs[1].Fits() || rs[1].FullTrainError[0] != 0.02 || rs[0].HardTrainError[0] != 0.08 {
		t.Errorf("fit: %+v / %+v", rs[0], rs[1])
	}
	if k, why := ChooseRecipe(rs); k != 1 || !strings.Contains(why, "fits its training set") {
		t.Errorf("chose %d (%s), want the cosine recipe, the only one that fits", k, why)
	}
	rs[1].FullTrainError[0] = 0.2 // now neither fits: the cheaper, steadier one wins
	if k, why := ChooseRecipe(rs); k != 0 || !strings.Contains(why, "no candidate fits") {
		t.Errorf("chose %d (%s), want the constant recipe", k, why)
	}
	var b bytes.Buffer
	if err := WritePowerTable(&b, rs[1], 10, 0.01, 0.8, 100); err != nil || !strings.Contains(b.String(), "| keep hard beats random, f = 0.5: error(hard) − error(random) | -4.00 |") {
		t.Errorf("power table (%v):\n%s", err, b.String())
	}
	// A pilot whose records lack the evaluated training error is refused.
	for k := range steady {
		delete(steady[k].Extra, sweep.TrainErrorKey)
	}
	if _, err := Pilot(steady, "el2n-20", 100); err == nil || !strings.Contains(err.Error(), sweep.TrainErrorKey) {
		t.Errorf("records without a training error: %v", err)
	}
}
