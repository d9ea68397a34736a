package scoring

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"

	"beyondscaling/lib/data"
	"beyondscaling/lib/data/datatest"
	"beyondscaling/lib/metrics"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/textlog"
)

// testRecipe trains the test probes: the reduced profiles' SGD at batch 32.
var testRecipe = settings.Recipe{Optimizer: "sgd", LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4, Schedule: "cifar", Batch: 32}

// noisyBlobs is a learnable 8×8×3 dataset (class c: a bright square in
// quadrant c) in which every tenth label is flipped to another class and,
// with flip, every twentieth image is an atypical singleton (uniform noise
// with a random label: learnable only when trained on).
func noisyBlobs(n int, seed uint64, split string, flip bool) (*data.Dataset, []bool, []bool) {
	ds := datatest.Blobs(n, seed, split)
	rng := rand.New(rand.NewPCG(seed, 4))
	flipped, singleton := make([]bool, n), make([]bool, n)
	if !flip {
		return ds, flipped, singleton
	}
	for i := 0; i < n; i++ {
		c := int(ds.Labels[i])
		if i%10 == 3 {
			ds.Labels[i] = int32((c + 1 + rng.IntN(3)) % 4)
			flipped[i] = true
		}
		if i%20 == 7 {
			singleton[i] = true
			ds.Labels[i] = int32(rng.IntN(4))
			img := ds.Images[i*192 : (i+1)*192]
			for p := range img {
				img[p] = uint8(rng.IntN(256))
			}
		}
	}
	return ds, flipped, singleton
}

// pairOrder is the fraction of (special, typical) pairs in which the
// special example scores higher: the area under the ROC curve of the score
// as a detector of the special examples.
func pairOrder(s []float64, special, exclude []bool) float64 {
	var good, all float64
	for i := range s {
		for j := range s {
			if special[i] && !special[j] && !exclude[j] {
				all++
				if s[i] > s[j] {
					good++
				} else if s[i] == s[j] {
					good += 0.5
				}
			}
		}
	}
	return good / all
}

// Flipped labels are the hardest examples: every label-based metric, run
// through the real probe networks, must rank them above the clean ones.
func TestMetricsFindFlippedLabels(t *testing.T) {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	train, flipped, singleton := noisyBlobs(400, 1, "train", true)
	test, _, _ := noisyBlobs(200, 2, "test", false)
	var log bytes.Buffer
	env := &Env{Backend: b, Train: data.All(train), Validation: data.All(test), Augment: data.Augment{}, WorkDir: t.TempDir(), Logger: textlog.New(&log, slog.LevelInfo),
		Recipe: settings.Resolved{Recipe: testRecipe},
		Preset: Preset{Name: "test", Model: "mlp", Epochs: 30, EarlyEpoch: 3, EL2NModels: 2, Subsets: 16, Fraction: 0.7, Seeds: 2,
			SSLModel: "cnn-w8", SSLEpochs: 1, SSLBatch: 64, Clusters: 4}}
	ctx := context.Background()
	for _, c := range []struct {
		metric string
		min    float64
	}{
		{"el2n-1", 0.9}, {"el2n-20", 0.9}, {"grand-last-layer", 0.85}, {"forgetting", 0.8}, {"aum", 0.9},
		{"ddd", 0.8},
	} {
		sc, err := Compute(ctx, env, c.metric, 0)
		if err != nil {
			t.Fatal(err)
		}
		auc := pairOrder(sc.Values, flipped, singleton)
		t.Logf("%-14s flipped-label AUC %.3f", c.metric, auc)
		if auc < c.min {
			t.Errorf("%s ranks flipped labels above clean ones in only %.3f of pairs (want ≥ %.2f)", c.metric, auc, c.min)
		}
		if sc.Meta.Metric != c.metric || sc.Meta.DatasetSHA256 == "" || len(sc.IDs) != 400 {
			t.Errorf("%s: metadata %+v", c.metric, sc.Meta)
		}
	}
	// Atypical singletons are learnable only when present: memorization
	// near 1 - 1/4 (a held-out network guesses one of four classes).
	sc, err := Compute(ctx, env, "memorization", 0)
	if err != nil {
		t.Fatal(err)
	}
	mean, k := 0.0, 0.0
	for i, v := range sc.Values {
		if singleton[i] {
			mean += v
			k++
		}
	}
	mean /= k
	auc := pairOrder(sc.Values, singleton, flipped)
	t.Logf("memorization: singletons mean %.3f, AUC against typical examples %.3f", mean, auc)
	if mean < 0.45 || auc < 0.85 {
		t.Errorf("memorization of singletons: mean %.3f (want ≥ 0.45; typical examples are near 0), AUC %.3f (want ≥ 0.85)", mean, auc)
	}
	if sc.Meta.Params["undefined_examples"] != "0" || !strings.Contains(sc.Meta.Params["imputation"], metrics.ImputationRule) {
		t.Errorf("memorization sidecar lacks the imputation rule and count: %v", sc.Meta.Params)
	}
	for _, m := range []string{"influence-max", "influence-sum-abs", "ensemble-al", "supervised-prototypes", "ssl-prototypes", "random"} {
		sc, err := Compute(ctx, env, m, 7)
		if err != nil {
			t.Fatal(err)
		}
		if m == "ensemble-al" && sc.Meta.Params["networks"] != "subset networks held out of each example" {
			t.Errorf("ensemble-al sidecar does not say it averages over held-out networks: %v", sc.Meta.Params)
		}
		for _, v := range sc.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: non-finite score", m)
			}
		}
	}
	// The old name grand is accepted and written under the name that says
	// what it is.
	if sc, err := Compute(ctx, env, "grand", 0); err != nil || sc.Meta.Metric != "grand-last-layer" {
		t.Errorf("grand alias: %v, metric %q", err, sc.Meta.Metric)
	}
	// The runs were cached: scoring again trains nothing.
	log.Reset()
	if _, err := Compute(ctx, env, "memorization", 0); err != nil {
		t.Fatal(err)
	}
	trained := fmt.Sprintf(": %s on ", env.Preset.Model) // "probe subset-03: mlp on 280 examples"
	if strings.Contains(log.String(), trained) || strings.Count(log.String(), "reusing") != env.Preset.Subsets {
		t.Errorf("second scoring retrained instead of reusing the %d subset networks:\n%s", env.Preset.Subsets, log.String())
	}
	if _, err := Compute(ctx, env, "el2n-5", 0); err == nil || !strings.Contains(err.Error(), "unknown metric") {
		t.Errorf("unknown metric: %v", err)
	}
}

// Subset networks too few to hold every example out of one: Compute (and
// so prune score) refuses with the count and the fix instead of imputing.
func TestComputeRefusesTooManyUndefined(t *testing.T) {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	train, _, _ := noisyBlobs(200, 1, "train", false)
	test, _, _ := noisyBlobs(50, 2, "test", false)
	env := &Env{Backend: b, Train: data.All(train), Validation: data.All(test), WorkDir: t.TempDir(),
		Recipe: settings.Resolved{Recipe: testRecipe},
		Preset: Preset{Name: "test", Model: "mlp", Epochs: 1, Subsets: 2, Fraction: 0.7}}
	for _, m := range []string{"memorization", "ddd", "ensemble-al", "influence-max"} {
		_, err := Compute(context.Background(), env, m, 0)
		// 2 networks hold out 60 examples each: 80 of 200 are in both.
		if err == nil || !strings.Contains(err.Error(), "80 of 200 examples") || !strings.Contains(err.Error(), "at least 4 subset networks") {
			t.Errorf("%s with 2 subset networks: %v", m, err)
		}
	}
}

func TestMetricParameters(t *testing.T) {
	for _, ok := range []string{"el2n-20@1", "grand@3", "grand-last-layer@3", "ssl-prototypes@50", "forgetting"} {
		if _, err := Lookup(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"memorization@3", "ssl-prototypes@0", "el2n-1@x", "nosuch"} {
		if _, err := Lookup(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// A held-out metric's undefined scores are imputed up to 1% of the
// examples and refused beyond, with the count and the fix; other metrics
// must be finite everywhere.
func TestImputeUndefined(t *testing.T) {
	nan := math.NaN()
	p := settings.Probes{Subsets: 3, Fraction: 0.7}
	one := make([]float64, 200)
	one[7] = nan // 0.5%: imputed
	imp, err := imputeUndefined("memorization", one, p)
	if err != nil || imp.Undefined != 1 || math.IsNaN(one[7]) {
		t.Errorf("0.5%% undefined: %+v, %v", imp, err)
	}
	three := make([]float64, 200)
	three[1], three[2], three[3] = nan, nan, nan // 1.5%: refused
	_, err = imputeUndefined("ddd", three, p)
	if err == nil || !strings.Contains(err.Error(), "3 of 200 examples") || !strings.Contains(err.Error(), "at least 4 subset networks") {
		t.Errorf("1.5%% undefined: %v", err)
	}
	if _, err := imputeUndefined("el2n-20", []float64{1, nan}, p); err == nil {
		t.Error("a NaN EL2N score was imputed instead of refused")
	}
}
