package experiment

import (
	"context"
	"math"
	stdbits "math/bits"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"log/slog"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"

	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/data"
	"beyondscaling/lib/data/datatest"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/textlog"
	"beyondscaling/lib/train"
)

// blobsRunner is a runner on lib/data's synthetic Blobs (400 training, 200
// test images in four classes) whose scores are a known function of the
// example: score(i) = (i*37) mod 101, plus 1000 for class 0 examples when
// favour0 is set (so that keep-hard without balancing keeps mostly class 0).
func blobsRunner(t *testing.T, favour0 bool) (*Runner, *data.Dataset) {
	t.Helper()
	train := datatest.Blobs(400, 1, "train")
	test := datatest.Blobs(200, 2, "test")
	r := &Runner{Store: sweep.Store{Dir: t.TempDir()},
		Load: func(name, split string) (*data.Dataset, error) {
			if split == "train" {
				return train, nil
			}
			return test, nil
		},
		Score: func(_ context.Context, run sweep.Run, set, validation data.Subset) (*prune.Scores, error) {
			sc := &prune.Scores{Meta: prune.Meta{Metric: run.Metric}}
			for _, i := range set.Idx {
				v := float64((i * 37) % 101)
				if favour0 && train.Labels[i] == 0 {
					v += 1000
				}
				sc.IDs, sc.Values = append(sc.IDs, train.IDs[i]), append(sc.Values, v)
			}
			return sc, nil
		}}
	return r, train
}

func blobsSpec() sweep.Spec {
	return sweep.Spec{Name: "blobs", Dataset: "blobs", Model: "mlp", Preset: "smoke", Metrics: []string{"el2n-1", "random"},
		Keeps: []string{"hard", "easy"}, Fractions: []float64{0.5}, Sizes: []int{200}, Seeds: []uint64{1}}
}

func runOf(t *testing.T, s sweep.Spec, metric, keep string) sweep.Run {
	t.Helper()
	for _, r := range s.Runs() {
		if r.Metric == metric && r.Keep == keep {
			return r
		}
	}
	t.Fatalf("no run %s/%s", metric, keep)
	return sweep.Run{}
}

func selected(t *testing.T, r *Runner, run sweep.Run) (data.Subset, []string) {
	t.Helper()
	ds, _ := r.dataset(run.Dataset, "train")
	set, err := InitialSet(ds, run.Size, run.Seed)
	if err != nil {
		t.Fatal(err)
	}
	val, err := Validation(ds)
	if err != nil {
		t.Fatal(err)
	}
	kept, fb, err := r.Select(context.Background(), run, set, val)
	if err != nil {
		t.Fatal(err)
	}
	return kept, fb
}

// topK is an independent reading of keep hard: the k highest-scoring IDs.
func topK(ds *data.Dataset, set data.Subset, k int, favour0 bool) []string {
	idx := append([]int(nil), set.Idx...)
	score := func(i int) float64 {
		v := float64((i * 37) % 101)
		if favour0 && ds.Labels[i] == 0 {
			v += 1000
		}
		return v
	}
	sort.SliceStable(idx, func(a, b int) bool { return score(idx[a]) > score(idx[b]) })
	// Ties at the boundary may break either way: keep only strict winners.
	out := []string{}
	for _, i := range idx[:k] {
		if score(i) > score(idx[k]) {
			out = append(out, ds.IDs[i])
		}
	}
	return out
}

// keptHalf selects for a run at f = 0.5 of the 200-example initial set,
// checks that 100 are kept and returns their IDs and the initial set.
func keptHalf(t *testing.T, r *Runner, ds *data.Dataset, run sweep.Run) (map[string]bool, data.Subset) {
	t.Helper()
	kept, _ := selected(t, r, run)
	if len(kept.Idx) != 100 {
		t.Fatalf("kept %d of 200, want 100", len(kept.Idx))
	}
	set, _ := InitialSet(ds, 200, 1)
	in := map[string]bool{}
	for _, id := range kept.IDs() {
		in[id] = true
	}
	return in, set
}

func TestKeepHardKeepsTopScores(t *testing.T) {
	r, ds := blobsRunner(t, false)
	run := runOf(t, blobsSpec(), "el2n-1", "hard")
	in, set := keptHalf(t, r, ds, run)
	must := topK(ds, set, 100, false)
	if len(must) < 90 {
		t.Fatalf("test construction: only %d strict top-k examples", len(must))
	}
	for _, id := range must {
		if !in[id] {
			t.Fatalf("keep hard dropped %s, one of the 100 highest scores", id)
		}
	}
	easy, _ := selected(t, r, runOf(t, blobsSpec(), "el2n-1", "easy"))
	for _, id := range easy.IDs() {
		if in[id] {
			t.Fatalf("%s kept by both keep hard and keep easy at f = 0.5", id)
		}
	}
}

// A run that keeps by coverage-centric selection passes the spec's hard
// cutoff and strata to the selection: none of the hardest 20% of the
// initial set is kept, and the budget is the run's fraction.
func TestCCSRunUsesItsCutoff(t *testing.T) {
	r, ds := blobsRunner(t, false)
	spec := blobsSpec()
	spec.Keeps, spec.CCSCutoff, spec.CCSStrata = []string{"ccs"}, 0.2, 5
	in, set := keptHalf(t, r, ds, runOf(t, spec, "el2n-1", "ccs"))
	hardest := topK(ds, set, 40, false) // the cutoff's 40 (ties at its edge left out)
	for _, id := range hardest {
		if in[id] {
			t.Fatalf("ccs kept %s, one of the hardest 20%% that its cutoff drops", id)
		}
	}
}

func TestRandomDiffersFromHard(t *testing.T) {
	r, _ := blobsRunner(t, false)
	hard, _ := selected(t, r, runOf(t, blobsSpec(), "el2n-1", "hard"))
	random, _ := selected(t, r, runOf(t, blobsSpec(), "random", "random"))
	if len(random.Idx) != len(hard.Idx) {
		t.Fatalf("random kept %d, hard %d", len(random.Idx), len(hard.Idx))
	}
	common := overlapIDs(hard.IDs(), random.IDs())
	// Random keeps about half of hard's picks (f = 0.5): far from all.
	if common > 70 {
		t.Errorf("random shares %d of 100 examples with keep hard", common)
	}
}

func overlapIDs(a, b []string) int {
	in := map[string]bool{}
	for _, x := range a {
		in[x] = true
	}
	n := 0
	for _, x := range b {
		if in[x] {
			n++
		}
	}
	return n
}

func classShares(ds *data.Dataset, s data.Subset) []int {
	out := make([]int, len(ds.Classes))
	for _, i := range s.Idx {
		out[ds.Labels[i]]++
	}
	return out
}

// Scores that favour class 0: keep hard without balancing keeps every
// class-0 example; with r = 1 each class keeps its share f exactly.
func TestBalancingChangesSelection(t *testing.T) {
	r, ds := blobsRunner(t, true)
	run := runOf(t, blobsSpec(), "el2n-1", "hard")
	plain, _ := selected(t, r, run)
	shares := classShares(ds, plain)
	if shares[0] != 50 { // the initial set holds 50 of each class
		t.Fatalf("unbalanced keep hard: class counts %v, want all 50 of class 0", shares)
	}
	spec := blobsSpec()
	spec.Balance = 1
	balanced, _ := selected(t, r, runOf(t, spec, "el2n-1", "hard"))
	for c, n := range classShares(ds, balanced) {
		if n != 25 {
			t.Errorf("balance 1: class %d keeps %d, want 25 (f = 0.5 of 50)", c, n)
		}
	}
	// Balancing at r = 0.5 guarantees each class 0.5·f·50 = 12.5 -> 13.
	spec.Balance = 0.5
	half, _ := selected(t, r, runOf(t, spec, "el2n-1", "hard"))
	for c, n := range classShares(ds, half) {
		if n < 13 {
			t.Errorf("balance 0.5: class %d keeps %d, want at least 13", c, n)
		}
	}
}

// The validation split is class-balanced, fixed, and never in an initial
// set; the full set is the rest.
func TestValidationSplit(t *testing.T) {
	ds := datatest.Blobs(400, 1, "train")
	val, err := Validation(ds)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := settings.ValidationSize("blobs"); len(val.Idx) != n {
		t.Fatalf("validation split of %d, want %d", len(val.Idx), n)
	}
	for c, n := range classShares(ds, val) {
		if n != len(val.Idx)/4 {
			t.Errorf("validation class %d has %d examples, want %d", c, n, len(val.Idx)/4)
		}
	}
	full, _ := FullSet(ds)
	if len(full.Idx)+len(val.Idx) != ds.Len() || overlapIDs(full.IDs(), val.IDs()) != 0 {
		t.Errorf("full set %d + validation %d != %d or they overlap", len(full.Idx), len(val.Idx), ds.Len())
	}
	for seed := uint64(1); seed <= 5; seed++ {
		set, err := InitialSet(ds, len(full.Idx), seed)
		if err != nil {
			t.Fatal(err)
		}
		if n := overlapIDs(set.IDs(), val.IDs()); n != 0 {
			t.Fatalf("seed %d: %d validation examples in the initial set", seed, n)
		}
	}
	if _, err := InitialSet(ds, len(full.Idx)+1, 1); err == nil {
		t.Error("an initial set reaching into the validation split was accepted")
	}
}

// A whole run on synthetic data: it trains on keep hard's selection with
// the recipe of the settings table, and records what it trained with,
// including the recipe fallback for a model that no row names.
func TestRunRecordsWhatItTrained(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a network")
	}
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	r, ds := blobsRunner(t, false)
	r.Backend = b
	spec := blobsSpec()
	spec.Model = "cnn-w8" // smoke has a row for cnn-w8
	run := runOf(t, spec, "el2n-1", "hard")
	rec, err := r.Run(context.Background(), run)
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := selected(t, r, run)
	if rec.TrainedIDs != cachekey.HashStrings(kept.IDs()) || rec.Trained != len(kept.Idx) {
		t.Errorf("record says it trained on %d examples (%s), keep hard selected %d (%s)", rec.Trained, rec.TrainedIDs, len(kept.Idx), cachekey.HashStrings(kept.IDs()))
	}
	want, _ := settings.RecipeFor("blobs", "cnn-w8", "smoke")
	tr := rec.Training
	steps := want.Epochs * want.StepsPerEpoch(len(kept.Idx))
	if tr.Batch != want.Batch || math.Abs(tr.LR-want.LR) > 0 || tr.WeightDecay != want.WeightDecay || tr.Schedule != want.Schedule ||
		tr.Epochs != want.Epochs || tr.Steps != steps || tr.Backend == "" || tr.Model != "cnn-w8" {
		t.Errorf("recorded training %+v, want recipe %+v with %d steps", tr, want.Recipe, steps)
	}
	if len(rec.Fallbacks) != 0 {
		t.Errorf("fallbacks %v recorded for a model the table names", rec.Fallbacks)
	}
	if rec.ValidationIDs == "" || rec.DatasetSHA256 != ds.Checksum() {
		t.Errorf("record lacks the validation list or dataset checksum: %q %q", rec.ValidationIDs, rec.DatasetSHA256)
	}
	// The per-example test results (200 blobs test examples) agree with the
	// recorded error.
	if bits, err := sweep.UnpackCorrect(rec.TestCorrect, 200); err != nil {
		t.Errorf("per-example test results: %v", err)
	} else {
		right := 0
		for _, b := range bits {
			right += stdbits.OnesCount8(b)
		}
		if math.Abs(1-float64(right)/200-rec.TestError) > 1e-9 {
			t.Errorf("%d of 200 test examples recorded correct, test error %g", right, rec.TestError)
		}
	}

	// A model without a row of its own falls back to the profile's row,
	// and the record says so.
	spec.Model = "resnet8-w4"
	run = runOf(t, spec, "random", "random")
	rec, err = r.Run(context.Background(), run)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Fallbacks) != 1 || !strings.Contains(rec.Fallbacks[0], "resnet8-w4") {
		t.Errorf("fallbacks %v, want the recipe fallback for resnet8-w4", rec.Fallbacks)
	}
	if err := r.Verify(rec); err != nil {
		t.Errorf("Verify refuses a fresh record: %v", err)
	}
	rec.DatasetSHA256 = "other"
	if err := r.Verify(rec); err == nil {
		t.Error("Verify accepts a record of other data")
	}
}

// A paper-profile CIFAR-10 run and an ImageNet run train with the paper's
// recipes (docs/paper.md, "Training recipes"), written out here
// independently of the settings table. Before lib/settings, Runner.Run
// replaced the recipe's lr 0.1 by the spec's 0 and then by 0.05, and
// ImageNet runs got the CIFAR recipe.
func TestPaperRunsUsePaperRecipes(t *testing.T) {
	for _, c := range []struct {
		spec          sweep.Spec
		model         string
		lr, wd        float64
		batch, epochs int
		milestones    []float64
		gamma         float64
		flip, resized bool
	}{
		{scaling("cifar10", "resnet18"), "resnet18", 0.1, 5e-4, 128, 200, []float64{0.3, 0.6, 0.8}, 0.2, true, false},
		{scaling("imagenet", "resnet50"), "resnet50", 0.1, 1e-4, 256, 105, []float64{30. / 105, 60. / 105, 90. / 105, 100. / 105}, 0.1, true, true},
	} {
		if err := c.spec.Validate(); err != nil {
			t.Fatal(err)
		}
		for _, run := range c.spec.Runs() {
			cfg, aug, err := Config(run)
			if err != nil {
				t.Fatal(err)
			}
			sched, err := train.ParseSchedule(cfg.Schedule)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Model != c.model || cfg.LR != c.lr || cfg.Momentum != 0.9 || !cfg.Nesterov || cfg.WeightDecay != c.wd ||
				cfg.Batch != c.batch || cfg.Epochs != c.epochs || sched.Gamma != c.gamma || len(sched.Milestones) != len(c.milestones) {
				t.Fatalf("%s: trained with %+v", run, cfg)
			}
			for i, m := range c.milestones {
				if math.Abs(sched.Milestones[i]-m) > 1e-12 {
					t.Fatalf("%s: milestones %v, want %v", run, sched.Milestones, c.milestones)
				}
			}
			if aug.Flip != c.flip || aug.ResizedCrop != c.resized || (c.resized && aug.ColorJitter != 0.4) || (!c.resized && aug.Pad != 4) {
				t.Fatalf("%s: augmentation %+v", run, aug)
			}
			// What the record would hold is what was configured.
			if run.Recipe.LR != cfg.LR || run.Recipe.Batch != cfg.Batch || run.Recipe.Epochs != cfg.Epochs {
				t.Fatalf("%s: run says lr %g batch %d epochs %d, trains with %g %d %d", run, run.Recipe.LR, run.Recipe.Batch, run.Recipe.Epochs, cfg.LR, cfg.Batch, cfg.Epochs)
			}
		}
	}
}

// scaling is a paper-profile sweep of model on dataset: the recipe comes
// from the profile, whatever the grid.
func scaling(dataset, model string) sweep.Spec {
	return sweep.Spec{Name: "paper " + dataset, Dataset: dataset, Model: model, Preset: "paper", Metrics: []string{"el2n-20", "random"},
		Keeps: []string{"hard"}, Fractions: []float64{0.5, 1}, Sizes: []int{10000, 40000}, Seeds: []uint64{1, 2}}
}

// Cached scores are keyed by what determines them: the same run reuses
// them; a preset changed without renaming it, or a file whose key is
// another configuration's, is recomputed with a message saying which.
func TestScoreCacheKeyedByContent(t *testing.T) {
	if testing.Short() {
		t.Skip("trains probe networks")
	}
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	r, ds := blobsRunner(t, false)
	r.Backend, r.Score = b, nil
	var log strings.Builder
	r.Logger = textlog.New(&log, slog.LevelInfo)
	run := runOf(t, blobsSpec(), "el2n-1", "hard")
	set, _ := InitialSet(ds, run.Size, run.Seed)
	val, _ := Validation(ds)
	trained := func() bool { return strings.Contains(log.String(), "probe early-e1-00: cnn-w8 on") }
	score := func(run sweep.Run) []float64 {
		t.Helper()
		log.Reset()
		sc, err := r.Scores(context.Background(), run, set, val)
		if err != nil {
			t.Fatal(err)
		}
		return sc.Values
	}
	first := score(run)
	if !trained() {
		t.Fatalf("nothing trained:\n%s", log.String())
	}
	if again := score(run); trained() || !slices.Equal(first, again) {
		t.Fatalf("the same run recomputed its scores:\n%s", log.String())
	}
	for name, change := range map[string]func(p *settings.Probes){
		"probe model":    func(p *settings.Probes) { p.Model = "mlp" },
		"probe epochs":   func(p *settings.Probes) { p.Epochs++ },
		"snapshot epoch": func(p *settings.Probes) { p.EarlyEpoch = 2 },
	} {
		changed := run
		p := *run.Probes
		change(&p)
		changed.Probes = &p
		score(changed)
		if !strings.Contains(log.String(), "probe early-e") || !strings.Contains(log.String(), " on ") {
			t.Errorf("changing the preset's %s without renaming it reused the cached scores:\n%s", name, log.String())
		}
		if name == "probe epochs" && !strings.Contains(log.String(), "the closest differs in Probes.epochs") {
			t.Errorf("the log does not say what changed:\n%s", log.String())
		}
	}
	// A file of the right length made for another configuration.
	dir := r.scoreDir(run, set, val)
	sc, _ := prune.ReadScores(dir + "/el2n-1.csv")
	sc.Meta.Params["cache_key"] = "another"
	if err := sc.Write(dir + "/el2n-1.csv"); err != nil {
		t.Fatal(err)
	}
	score(run)
	if !strings.Contains(log.String(), "computed for another configuration") {
		t.Errorf("a score file of another configuration was served:\n%s", log.String())
	}
}

// Runs whose selections coincide train once: a random run and the same run
// under another probe draw (which random selection never uses, but which
// is part of the run's key) keep the same examples in the same order, so
// the second reads the first's result; another seed trains anew.
func TestEqualSelectionsTrainOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("trains networks")
	}
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := blobsRunner(t, false)
	r.Backend = b
	spec := blobsSpec()
	spec.Model = "cnn-w8"
	first := runOf(t, spec, "random", "random")
	again := first
	again.ProbeDraw = 7
	if first.Key() == again.Key() {
		t.Fatal("the probe draw does not change the run key: the test shows nothing")
	}
	other := first
	other.Seed = 2
	recs := make([]sweep.Record, 3)
	for i, run := range []sweep.Run{first, again, other} {
		if recs[i], err = r.Run(context.Background(), run); err != nil {
			t.Fatal(err)
		}
	}
	if recs[0].TrainingKey == "" || recs[1].TrainingKey != recs[0].TrainingKey || recs[1].TestCorrect != recs[0].TestCorrect || recs[1].TestError != recs[0].TestError {
		t.Errorf("equal selections: training keys %q and %q, test errors %g and %g; want one shared training", recs[0].TrainingKey, recs[1].TrainingKey, recs[0].TestError, recs[1].TestError)
	}
	if recs[1].Seconds > recs[0].Seconds/2 {
		t.Errorf("the second run took %.2fs against the first's %.2fs: it trained again", recs[1].Seconds, recs[0].Seconds)
	}
	if recs[2].TrainingKey == recs[0].TrainingKey {
		t.Error("another seed shares the first seed's training")
	}
	files, err := filepath.Glob(filepath.Join(r.Store.Dir, "trained", "*.json"))
	if err != nil || len(files) != 2 {
		t.Errorf("trained results %v (%v), want 2", files, err)
	}
}
