package metrics

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
	base := Env{Backend: b, Train: first, WorkDir: t.TempDir(), Logger: textlog.New(&log, slog.LevelInfo), Recipe: settings.Resolved{Recipe: testRecipe},
		Preset: Preset{Name: "same name", Model: "mlp", Epochs: 2, EarlyEpoch: 1, EL2NModels: 1}}
	score := func(env Env) (trained bool, values []float64) {
		t.Helper()
		log.Reset()
		sc, err := Compute(context.Background(), &env, "el2n-1", 0)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(log.String(), ": mlp on") || strings.Contains(log.String(), ": cnn-w8 on"), sc.Values
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
	for name, change := range map[string]func(p *Preset){
		"probe model":    func(p *Preset) { p.Model = "cnn-w8" },
		"epochs":         func(p *Preset) { p.Epochs = 3 },
		"snapshot epoch": func(p *Preset) { p.EarlyEpoch = 2 },
	} {
		env := base
		change(&env.Preset)
		if trained, _ := score(env); !trained {
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
			s := runSpec{kind: kind, index: i}.seed()
			if prev, ok := seen[s]; ok {
				t.Fatalf("%s-%d and %s share seed %d", kind, i, prev, s)
			}
			seen[s] = kind
		}
	}
	if (runSpec{kind: "early-e1", index: 3}).seed() != (runSpec{kind: "early-e3", index: 3}).seed() {
		t.Error("snapshots of one early network at different epochs have different seeds (the weak-probe comparison is meant to be paired)")
	}
}
