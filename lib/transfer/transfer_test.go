package transfer

import (
	"context"
	"fmt"
	"os"
	"testing"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/data"
	"beyondscaling/lib/settings"
)

func needFashionMNIST(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(data.DebianFashionMNIST); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Debian's dataset-fashion-mnist is required in CI: %v", err)
		}
		t.Skipf("Debian's dataset-fashion-mnist is not installed: %v", err)
	}
	t.Setenv("PRUNE_DATA", t.TempDir()) // an empty cache: read from Debian's package
}

// A small design end to end on Fashion-MNIST (300 upstream and 300
// downstream images, a probe on 100 labels, one seed, f = 0.5): seven
// networks (the untrained encoder among them), each graded on the
// 5,000 downstream test images and better than chance (80% error for five
// classes); a second run reads every result back unchanged; the claims
// pair keep hard with random in each panel.
func TestRunSmallDesign(t *testing.T) {
	needFashionMNIST(t)
	b, err := backend.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	probes := settings.Probes{SSLModel: "mlp", SSLEpochs: 2, SSLBatch: 64, Clusters: 5, EL2NModels: 2, EarlyEpoch: 1}
	recipe, err := settings.RecipeFor("fashion-mnist", "mlp", "cpu")
	if err != nil {
		t.Fatal(err)
	}
	recipe.Recipe.Epochs, recipe.Recipe.MinSteps = 3, 0
	cfg := Config{Dataset: "fashion-mnist", Upstream: []int32{0, 1, 2, 3, 4}, Downstream: []int32{5, 6, 7, 8, 9},
		UpstreamSize: 300, DownstreamSize: 300, ProbeSize: 100, Fractions: []float64{0.5}, Seeds: []uint64{1}, SSL: probes, FineTune: recipe.Recipe}
	r := Runner{Backend: b, BackendName: backend.Name(b), WorkDir: t.TempDir()}
	first, err := r.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 7 {
		t.Fatalf("%d results, want 2 panels × (keep hard, random, all) and the untrained encoder", len(first))
	}
	for _, res := range first {
		t.Logf("%s %s f = %g: downstream test error %.3f (%d examples trained on, %.1f s)", res.Panel, res.Policy, res.F, res.TestError, res.Examples, res.Seconds)
		if res.TestSize != 5000 || !(res.TestError < 0.8) {
			t.Errorf("%s %s f = %g: error %.3f on %d test images, %d examples trained on; want 5,000 images, below chance", res.Panel, res.Policy, res.F, res.TestError, res.TestSize, res.Examples)
		}
		want := 300
		switch res.F {
		case 0.5:
			want = 150
		case 0:
			want = 0
		}
		if res.Examples != want {
			t.Errorf("%s %s f = %g: trained on %d examples, want %d", res.Panel, res.Policy, res.F, res.Examples, want)
		}
	}
	again, err := r.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(again) != fmt.Sprint(first) {
		t.Errorf("second run differs from the first:\n%v\n%v", again, first)
	}
	effects := Effects(first, cfg)
	if len(effects) != 2 || effects[0].Fraction != 0.5 || effects[1].Metric != PolicyEL2N {
		t.Errorf("effects %+v: want one per panel at f = 0.5", effects)
	}
}

// Overlapping tasks, a fraction of 1 or nothing to run are refused.
func TestConfigRejectsBadDesigns(t *testing.T) {
	ok := Config{Dataset: "fashion-mnist", Upstream: []int32{0, 1}, Downstream: []int32{2, 3}, Fractions: []float64{0.5}, Seeds: []uint64{1},
		SSL: settings.Probes{SSLModel: "mlp", SSLEpochs: 1, SSLBatch: 8, Clusters: 2, EL2NModels: 1, EarlyEpoch: 1}}
	if err := ok.validate(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*Config){
		"overlap":  func(c *Config) { c.Downstream = []int32{1, 2} },
		"f = 1":    func(c *Config) { c.Fractions = []float64{1} },
		"no seeds": func(c *Config) { c.Seeds = nil },
		"no ssl":   func(c *Config) { c.SSL.SSLModel = "" },
	} {
		c := ok
		change(&c)
		if err := c.validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
