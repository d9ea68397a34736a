package experiment

import (
	"context"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"

	"beyondscaling/lib/data"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/sweep"
)

// blobsRunner is a runner on lib/data's synthetic Blobs (400 training, 200
// test images in four classes) whose scores are a known function of the
// example: score(i) = (i*37) mod 101, plus 1000 for class 0 examples when
// favour0 is set (so that keep-hard without balancing keeps mostly class 0).
func blobsRunner(t *testing.T, favour0 bool) (*Runner, *data.Dataset) {
	t.Helper()
	train := data.Blobs(400, 1, "train")
	test := data.Blobs(200, 2, "test")
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

func TestKeepHardKeepsTopScores(t *testing.T) {
	r, ds := blobsRunner(t, false)
	run := runOf(t, blobsSpec(), "el2n-1", "hard")
	kept, _ := selected(t, r, run)
	if len(kept.Idx) != 100 {
		t.Fatalf("kept %d of 200, want 100", len(kept.Idx))
	}
	set, _ := InitialSet(ds, 200, 1)
	in := map[string]bool{}
	for _, id := range kept.IDs() {
		in[id] = true
	}
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
	ds := data.Blobs(400, 1, "train")
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
	if rec.TrainedIDs != settings.HashStrings(kept.IDs()) || rec.Trained != len(kept.Idx) {
		t.Errorf("record says it trained on %d examples (%s), keep hard selected %d (%s)", rec.Trained, rec.TrainedIDs, len(kept.Idx), settings.HashStrings(kept.IDs()))
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
