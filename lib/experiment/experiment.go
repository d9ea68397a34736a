// Package experiment runs the paper's pruning experiment for one sweep
// configuration: draw a class-balanced initial training set of n examples,
// score it with a pruning metric, keep a fraction f (hardest, easiest or at
// random, optionally class-balanced), train a network from scratch on what
// is kept, and measure its test error. Scores and their probe networks are
// cached beside the sweep's results and shared by every run that needs them.
package experiment

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gomlx/compute"

	"beyondscaling/lib/data"
	"beyondscaling/lib/metrics"
	"beyondscaling/lib/profile"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/train"
)

// Runner executes sweep runs. It loads each dataset once and serialises the
// scoring of a given initial set (so parallel workers do not train the same
// probe networks twice).
type Runner struct {
	Backend compute.Backend
	Store   sweep.Store
	Log     io.Writer
	// LR is the base learning rate of the trained networks (default 0.05,
	// which suits the small CNNs and ResNets of the cpu presets).
	LR    float64
	Batch int // default 128

	mu       sync.Mutex
	datasets map[string]*data.Dataset
	scoring  map[string]*sync.Mutex
}

func (r *Runner) log() io.Writer {
	if r.Log == nil {
		return io.Discard
	}
	return r.Log
}

func (r *Runner) dataset(name, split string) (*data.Dataset, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.datasets == nil {
		r.datasets = map[string]*data.Dataset{}
	}
	key := name + "/" + split
	if ds, ok := r.datasets[key]; ok {
		return ds, nil
	}
	ds, err := data.Load(name, split)
	if err != nil {
		return nil, err
	}
	r.datasets[key] = ds
	return ds, nil
}

func (r *Runner) lock(key string) *sync.Mutex {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.scoring == nil {
		r.scoring = map[string]*sync.Mutex{}
	}
	if r.scoring[key] == nil {
		r.scoring[key] = &sync.Mutex{}
	}
	return r.scoring[key]
}

// InitialSet is the class-balanced random initial training set of a run.
func InitialSet(ds *data.Dataset, size int, seed uint64) (data.Subset, error) {
	if size > ds.Len() {
		return data.Subset{}, fmt.Errorf("initial size %d exceeds the %d training examples of %s", size, ds.Len(), ds.Name)
	}
	return data.BalancedSubset(ds, size, seed)
}

// Scores returns the metric's scores of the run's initial set, computing
// them (and caching them under the store) if needed.
func (r *Runner) Scores(ctx context.Context, run sweep.Run, set data.Subset, test *data.Dataset) (*prune.Scores, error) {
	dir := filepath.Join(r.Store.Dir, "scores", fmt.Sprintf("%s-n%d-seed%d-%s", run.Dataset, run.Size, run.Seed, run.Preset))
	path := filepath.Join(dir, run.Metric+".csv")
	m := r.lock(dir)
	m.Lock()
	defer m.Unlock()
	if sc, err := prune.ReadScores(path); err == nil && len(sc.IDs) == len(set.Idx) {
		return sc, nil
	}
	p, err := profile.Parse(run.Preset)
	if err != nil {
		return nil, err
	}
	aug, err := data.AugmentFor(run.Dataset, run.Seed)
	if err != nil {
		return nil, err
	}
	env := &metrics.Env{Backend: r.Backend, Train: set, Test: test, Augment: aug, Preset: metrics.PresetFor(p),
		WorkDir: filepath.Join(dir, "probes"), Log: r.Log}
	sc, err := metrics.Compute(ctx, env, run.Metric, run.Seed)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return sc, sc.Write(path)
}

// Run executes one configuration; it is a sweep.Executor.
func (r *Runner) Run(ctx context.Context, run sweep.Run) (sweep.Record, error) {
	start := time.Now()
	trainDS, err := r.dataset(run.Dataset, "train")
	if err != nil {
		return sweep.Record{}, err
	}
	test, err := r.dataset(run.Dataset, "test")
	if err != nil {
		return sweep.Record{}, err
	}
	set, err := InitialSet(trainDS, run.Size, run.Seed)
	if err != nil {
		return sweep.Record{}, err
	}
	kept := set
	if run.Fraction < 1 {
		labels := make([]int32, len(set.Idx))
		for k, i := range set.Idx {
			labels[k] = trainDS.Labels[i]
		}
		keep, err := prune.ParsePolicy(run.Keep)
		if err != nil {
			return sweep.Record{}, err
		}
		var values []float64
		if keep != prune.KeepRandom {
			sc, err := r.Scores(ctx, run, set, test)
			if err != nil {
				return sweep.Record{}, err
			}
			ids := make([]string, len(set.Idx))
			for k, i := range set.Idx {
				ids[k] = trainDS.IDs[i]
			}
			if values, err = sc.Align(ids); err != nil {
				return sweep.Record{}, err
			}
		} else {
			values = make([]float64, len(set.Idx))
		}
		idx, err := prune.Select(values, labels, prune.Options{Keep: keep, F: run.Fraction, Balance: run.Balance, Seed: run.Seed})
		if err != nil {
			return sweep.Record{}, err
		}
		kept = data.Subset{DS: trainDS}
		for _, k := range idx {
			kept.Idx = append(kept.Idx, set.Idx[k])
		}
	}
	cfg := train.Recipe(run.Model, run.Epochs)
	cfg.Batch, cfg.LR = run.Batch, run.LR
	if cfg.Batch == 0 {
		cfg.Batch = r.Batch
	}
	if cfg.Batch == 0 {
		cfg.Batch = 128
	}
	cfg.Batch = min(cfg.Batch, max(8, len(kept.Idx)/4))
	if cfg.LR == 0 {
		cfg.LR = r.LR
	}
	if cfg.LR == 0 {
		cfg.LR = 0.05
	}
	cfg.Seed = run.Seed
	cfg.EqualIterations, cfg.ReferenceSize = run.EqualIterations, run.Size
	aug, err := data.AugmentFor(run.Dataset, run.Seed)
	if err != nil {
		return sweep.Record{}, err
	}
	t, err := train.New(r.Backend, cfg, kept, aug)
	if err != nil {
		return sweep.Record{}, err
	}
	res, err := t.Run(ctx, kept)
	if err != nil {
		return sweep.Record{}, err
	}
	top1, top5, err := t.Evaluate(kept, test)
	if err != nil {
		return sweep.Record{}, err
	}
	return sweep.Record{TestError: 1 - top1, TestTop5: top5, Trained: len(kept.Idx), Seconds: time.Since(start).Seconds(),
		Extra: map[string]float64{"train_loss": res.LastLoss, "train_accuracy": res.LastAccuracy, "steps": float64(res.Steps)}}, nil
}
