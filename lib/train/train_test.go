package train

import (
	"context"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"

	"beyondscaling/lib/data"
	"beyondscaling/lib/data/datatest"
	"beyondscaling/lib/settings"
)

func goBackend(t testing.TB) compute.Backend {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// trainedOn trains a new trainer of cfg on set, unaugmented, and returns it
// with its result; any error fails the test.
func trainedOn(t *testing.T, b compute.Backend, cfg Config, set data.Subset) (*Trainer, Result) {
	t.Helper()
	tr, err := New(b, cfg, set, data.Augment{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	return tr, res
}

func blobs(n int, seed uint64, split string) *data.Dataset { return datatest.Blobs(n, seed, split) }

func TestTrainingLearnsBlobs(t *testing.T) {
	b := goBackend(t)
	train, test := blobs(512, 1, "train"), blobs(256, 2, "test")
	for _, m := range []string{"mlp", "cnn-w8"} {
		cfg := Recipe(m, 6)
		cfg.Batch = 32
		cfg.LR = 0.05
		cfg.Schedule = "constant"
		tr, err := New(b, cfg, data.All(train), data.Augment{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := tr.Run(context.Background(), data.All(train))
		if err != nil {
			t.Fatal(err)
		}
		top1, _, err := tr.Evaluate(data.All(train), test)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: loss %.3f, train acc %.3f, test top-1 %.3f", m, res.LastLoss, res.LastAccuracy, top1)
		if top1 < 0.9 {
			t.Errorf("%s: test accuracy %.3f on a trivially learnable task", m, top1)
		}
	}
}

// Weight decay follows the networks' ParamSpecs: convolution and dense
// weights decay, batch-norm parameters and biases do not.
func TestDecayFollowsParamSpecs(t *testing.T) {
	b := goBackend(t)
	set := data.All(blobs(64, 1, "train"))
	cfg := Recipe("cnn-w8", 1)
	cfg.Batch = 32
	tr, err := New(b, cfg, set, data.Augment{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Run(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"/model/conv1/w": true, "/model/head/w": true, "/model/conv1/bn/scale": false, "/model/conv1/bn/shift": false, "/model/head/b": false}
	for path, decays := range want {
		v := tr.Model.Store.GetVariable(path)
		if v == nil {
			t.Fatalf("no variable %s", path)
		}
		if got := tr.Model.Decays(v); got != decays {
			t.Errorf("%s: decays %v, want %v", path, got, decays)
		}
	}
}

// Every recipe of the settings table converts to a valid configuration.
func TestRecipesParse(t *testing.T) {
	for _, row := range settings.Recipes {
		cfg, err := FromRecipe("mlp", row.Recipe)
		if err != nil {
			t.Fatalf("%+v: %v", row, err)
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%+v: %v", row, err)
		}
		if cfg.LR != row.Recipe.LR || cfg.Batch != row.Recipe.Batch || cfg.WeightDecay != row.Recipe.WeightDecay {
			t.Errorf("%+v became %+v", row.Recipe, cfg)
		}
	}
}
