package probes

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"

	"beyondscaling/lib/data"
	"beyondscaling/lib/data/datatest"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/textlog"
)

// testRecipe trains the test probes: the reduced profiles' SGD at batch 32.
var testRecipe = settings.Recipe{Optimizer: "sgd", LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4, Schedule: "cifar", Batch: 32}

// Probe networks are cached by what determines them: two different subsets
// of equal size get different networks, and changing the preset's probe
// model, epochs or snapshot epoch without renaming it trains new ones.
func TestProbeCacheKeyedByContent(t *testing.T) {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	ds := datatest.Blobs(128, 1, "train")
	first, second := data.Subset{DS: ds}, data.Subset{DS: ds}
	for i := 0; i < 64; i++ {
		first.Idx, second.Idx = append(first.Idx, i), append(second.Idx, 64+i)
	}
	var log bytes.Buffer
	base := Trainer{Backend: b, Train: first, WorkDir: t.TempDir(), Logger: textlog.New(&log, slog.LevelInfo),
		Preset: settings.Probes{Name: "same name", Model: "mlp", Epochs: 2, EarlyEpoch: 1, EL2NModels: 1}}
	score := func(tr Trainer) (trained bool, values []float32) {
		t.Helper()
		log.Reset()
		tr.Recipe = settings.Resolved{Recipe: testRecipe}
		tr.Recipe.Epochs = tr.Preset.Epochs
		rs, err := tr.Early(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(log.String(), ": mlp on") || strings.Contains(log.String(), ": cnn-w8 on"), rs[0].TrainLogits
	}
	if trained, _ := score(base); !trained {
		t.Fatalf("first scoring trained nothing:\n%s", log.String())
	}
	if trained, _ := score(base); trained || !strings.Contains(log.String(), "reusing") {
		t.Fatalf("the same configuration was retrained:\n%s", log.String())
	}
	other := base
	other.Train = second
	trained, v2 := score(other)
	if !trained {
		t.Errorf("a second subset of the same size reused the first subset's network:\n%s", log.String())
	}
	_, v1 := score(base)
	if slices.Equal(v1, v2) {
		t.Error("two subsets got identical scores")
	}
	for name, change := range map[string]func(p *settings.Probes){
		"probe model":    func(p *settings.Probes) { p.Model = "cnn-w8" },
		"epochs":         func(p *settings.Probes) { p.Epochs = 3 },
		"snapshot epoch": func(p *settings.Probes) { p.EarlyEpoch = 2 },
	} {
		tr := base
		change(&tr.Preset)
		if trained, _ := score(tr); !trained {
			t.Errorf("changing the preset's %s without renaming it reused the cached network:\n%s", name, log.String())
		}
		if name == "probe model" && !strings.Contains(log.String(), "differs in model") {
			t.Errorf("the log does not say what changed:\n%s", log.String())
		}
	}
}

// Probe seeds come from a hash of the network's family and index: distinct
// across families and indices, shared by snapshots of one network.
func TestProbeSeeds(t *testing.T) {
	seen := map[uint64]string{}
	for _, kind := range []string{"full", "subset", "early-e3"} {
		for i := 0; i < 20; i++ {
			s := Spec{Kind: kind, Index: i}.Seed()
			if prev, ok := seen[s]; ok {
				t.Fatalf("%s-%d and %s share seed %d", kind, i, prev, s)
			}
			seen[s] = kind
		}
	}
	if (Spec{Kind: "early-e1", Index: 3}).Seed() != (Spec{Kind: "early-e3", Index: 3}).Seed() {
		t.Error("snapshots of one early network at different epochs have different seeds (the weak-probe comparison is meant to be paired)")
	}
}

// The number of subset networks fixes each one's held-out design
// (HeldOutDesign deals the examples into that many blocks): changing it
// retrains every subset network instead of mixing two designs.
func TestSubsetNetworksKeyedByCount(t *testing.T) {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	tr := Trainer{Backend: b, Train: data.All(datatest.Blobs(64, 1, "train")), Validation: data.All(datatest.Blobs(32, 2, "test")),
		WorkDir: t.TempDir(), Logger: textlog.New(&log, slog.LevelInfo),
		Preset: settings.Probes{Name: "same name", Model: "mlp", Epochs: 1, Subsets: 4, Fraction: 0.7}}
	tr.Recipe = settings.Resolved{Recipe: testRecipe}
	tr.Recipe.Epochs = 1
	trained := func(subsets int) int {
		t.Helper()
		log.Reset()
		tr.Preset.Subsets = subsets
		if _, err := tr.Subsets(context.Background()); err != nil {
			t.Fatal(err)
		}
		return strings.Count(log.String(), ": mlp on")
	}
	if n := trained(4); n != 4 {
		t.Fatalf("first run trained %d subset networks, want 4:\n%s", n, log.String())
	}
	if n := trained(4); n != 0 {
		t.Fatalf("the same design retrained %d networks:\n%s", n, log.String())
	}
	if n := trained(5); n != 5 {
		t.Errorf("5 subset networks after 4: %d trained, want 5 (the others' held-out design differs):\n%s", n, log.String())
	}
}

// Draw 0 keeps every network's seed (shared by every scored set); another
// draw gives each network a seed of its own, different for every draw.
func TestDrawRedrawsProbeSeeds(t *testing.T) {
	s := Spec{Kind: "early-e2", Index: 3}
	if got := (&Trainer{}).seed(s); got != s.Seed() {
		t.Errorf("draw 0: seed %d, want Spec.Seed %d", got, s.Seed())
	}
	seen := map[uint64]uint64{s.Seed(): 0}
	for _, draw := range []uint64{1, 2, 201, 202} {
		got := (&Trainer{Draw: draw}).seed(s)
		if other, ok := seen[got]; ok {
			t.Errorf("draw %d gives the seed of draw %d", draw, other)
		}
		seen[got] = draw
		if again := (&Trainer{Draw: draw}).seed(s); again != got {
			t.Errorf("draw %d: seed %d then %d", draw, got, again)
		}
	}
}
