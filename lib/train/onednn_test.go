package train

import (
	"context"
	"math"
	"sync"
	"testing"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/backend/backendtest"
	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
)

// The same weights give the same evaluation-mode outputs (batch norm
// recomputed over the set, then Predict) on the pure-Go backend (patch
// convolutions) and with oneDNN (native convolutions): the evaluation path,
// which models.TestOneDNNMatchesGoBackend (training mode) does not cover.
func TestGoAndOneDNNGiveSameOutputs(t *testing.T) {
	db := backendtest.OneDNN(t)
	defer db.Finalize()
	gb := goBackend(t)
	for _, name := range []string{"cnn-w8", "resnet8"} {
		want, got := evaluationLogits(t, gb, name), evaluationLogits(t, db, name)
		var worst float64
		for i := range want {
			a, b := float64(want[i]), float64(got[i])
			worst = max(worst, math.Abs(a-b)/math.Max(1, math.Abs(a)))
		}
		t.Logf("%s: logits differ by at most %.2g (relative, floor 1)", name, worst)
		if worst > 1e-4 {
			t.Errorf("%s: Go and oneDNN logits differ by %.2g, want at most 1e-4", name, worst)
		}
	}
}

// Training with oneDNN convolutions is reproducible: the same seed gives
// bit-identical parameters run after run (the project promises the same
// numbers for the same seeds; oneDNN's parallel reductions must not break
// that with a fixed thread count).
func TestOneDNNTrainingIsReproducible(t *testing.T) {
	db := backendtest.OneDNN(t)
	defer db.Finalize()
	ds := SyntheticCIFAR(64, 3)
	set := data.All(ds)
	// resnet8's convolutions and head, and mlp-256's dense layers: the
	// convolution primitives and sgemm.
	for _, name := range []string{"resnet8", "mlp-256"} {
		run := func() *Trainer {
			cfg := Recipe(name, 2)
			cfg.Batch = 32
			cfg.LR = 0.05
			cfg.Seed = 11
			tr, _ := trainedOn(t, db, cfg, set)
			if tr.Model.Conv != models.ConvNative {
				t.Fatalf("oneDNN backend trains with %v convolutions, want native", tr.Model.Conv)
			}
			return tr
		}
		sameParams(t, run(), run(), 0)
	}
}

// Dense layers run their products on the calling goroutine's thread with
// one OpenMP thread each: two trainings at once on one backend (as two
// sweep workers train) end with the same parameters, bit for bit, as one
// training alone.
func TestOneDNNTrainingIsReproducibleTwoAtOnce(t *testing.T) {
	db := backendtest.OneDNN(t)
	defer db.Finalize()
	ds := SyntheticImages(1280, 28, 28, 1, 3)
	set := data.All(ds)
	cfg := mainJobMLP(t, 2)
	cfg.Seed = 11
	run := func() (*Trainer, error) {
		tr, err := New(db, cfg, set, data.Augment{})
		if err != nil {
			return nil, err
		}
		_, err = tr.Run(context.Background(), set)
		return tr, err
	}
	alone, err := run()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	pair := make([]*Trainer, 2)
	errs := make([]error, 2)
	for i := range pair {
		wg.Go(func() { pair[i], errs[i] = run() })
	}
	wg.Wait()
	for i := range pair {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		sameParams(t, alone, pair[i], 0)
	}
}

// Large products are cut into two halves, one of which a helper thread
// computes while a training runs alone. Which thread computes a half
// changes no number: mlp-256 with the main job's recipe trains to the same
// variables, bit for bit (optimizer state included), with its products cut
// as training cuts them and cut with every first half on the helper thread.
// With its products whole it trains to the same parameters within 1e-5
// (halves and whole product may round differently; on AVX-512 these
// products round alike, lib/models' TestOneDNNProductHalvesMatchWholeProduct).
func TestProductHalvesTrainReproducibly(t *testing.T) {
	db := backendtest.OneDNNHalves(t)
	defer db.Finalize()
	defer backend.SetProductHalves(true)
	defer backend.SetProductHalvesOnHelper(false)
	ds := SyntheticImages(1280, 28, 28, 1, 3)
	set := data.All(ds)
	cfg := mainJobMLP(t, 2)
	cfg.Seed = 11
	cut, _ := trainedOn(t, db, cfg, set)
	backend.SetProductHalvesOnHelper(true)
	helped := backend.ProductHalvesHelped()
	onHelper, _ := trainedOn(t, db, cfg, set)
	if backend.ProductHalvesHelped() == helped {
		t.Fatal("the helper thread computed no half")
	}
	sameVariableBits(t, cut, onHelper)
	backend.SetProductHalvesOnHelper(false)
	backend.SetProductHalves(false)
	whole, _ := trainedOn(t, db, cfg, set)
	sameParams(t, whole, cut, 1e-5)
}
