package train

import (
	"context"
	"sync"
	"testing"

	"beyondscaling/lib/backend/backendtest"
	"beyondscaling/lib/data"
	"beyondscaling/lib/settings"
)

// The main job's network and recipe (mlp-256, Adam, batch 128) for one
// epoch over 6,400 Fashion-MNIST-shaped examples, through Trainer.Run as
// the sweeps call it (data feeding, the step, the per-example statistics),
// on the backend the project opens by default: one run at a time
// (BenchmarkMLP256Epoch) and two at once on the same backend, as two sweep
// workers train (BenchmarkMLP256EpochTwoAtOnce; img/s counts both).
func BenchmarkMLP256Epoch(b *testing.B) { benchMLP256(b, 1) }

func BenchmarkMLP256EpochTwoAtOnce(b *testing.B) { benchMLP256(b, 2) }

func benchMLP256(b *testing.B, parallel int) {
	be := backendtest.OneDNN(b)
	defer be.Finalize()
	ds := SyntheticImages(6400, 28, 28, 1, 5)
	set := data.All(ds)
	cfg := mainJobMLP(b, 1)
	trainers := make([]*Trainer, parallel)
	for i := range trainers {
		var err error
		if trainers[i], err = New(be, cfg, set, data.Augment{}); err != nil {
			b.Fatal(err)
		}
	}
	images := 0
	for b.Loop() {
		var wg sync.WaitGroup
		errs := make([]error, parallel)
		for i, tr := range trainers {
			wg.Go(func() { _, errs[i] = tr.Run(context.Background(), set) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		images += parallel * len(set.Idx)
	}
	b.ReportMetric(float64(images)/b.Elapsed().Seconds(), "img/s")
}

// mainJobMLP is the main job's network and recipe (mlp-256, Adam, batch
// 128) for the given number of epochs, without checkpoints.
func mainJobMLP(tb testing.TB, epochs int) Config {
	tb.Helper()
	r := settings.CPUAbundantMLP
	r.Epochs, r.MinSteps = epochs, 0
	cfg, err := FromRecipe("mlp-256", r)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.CheckpointEvery = 0
	return cfg
}
