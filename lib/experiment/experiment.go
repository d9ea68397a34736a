package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/compute"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/backend"
	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/data"
	"beyondscaling/lib/project"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/scoring"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/textlog"
	"beyondscaling/lib/train"
)

// Runner executes sweep runs. It loads each dataset once and serialises the
// scoring of a given initial set (so parallel workers do not train the same
// probe networks twice).
type Runner struct {
	Backend compute.Backend
	Store   sweep.Store
	// Logger receives cache decisions (Info), warnings (Warn) and the
	// probes' training progress (Debug); nil discards.
	Logger *slog.Logger
	// Recompute recomputes cached scores and probe networks made by
	// another code version (otherwise they are reused with a warning).
	Recompute bool
	// Load reads a dataset split (data.Load when nil; tests pass synthetic
	// data).
	Load func(name, split string) (*data.Dataset, error)
	// Score scores an initial set for a run (Runner.Scores when nil).
	Score func(ctx context.Context, run sweep.Run, set, validation data.Subset) (*prune.Scores, error)

	mu       sync.Mutex
	datasets map[string]*data.Dataset
	checksum map[*data.Dataset]string
}

func (r *Runner) log() *slog.Logger { return textlog.OrDiscard(r.Logger) }

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
	load := r.Load
	if load == nil {
		load = data.Load
	}
	ds, err := load(name, split)
	if err != nil {
		return nil, err
	}
	r.datasets[key] = ds
	return ds, nil
}

// sha is the dataset's checksum, computed once.
func (r *Runner) sha(ds *data.Dataset) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checksum == nil {
		r.checksum = map[*data.Dataset]string{}
	}
	if s, ok := r.checksum[ds]; ok {
		return s
	}
	s := ds.Checksum()
	r.checksum[ds] = s
	return s
}

// evalSplit is the split a dataset's networks are graded on (test, or val
// for ImageNet).
func evalSplit(name string) string {
	s := data.Splits(name)
	return s[len(s)-1]
}

// Validation is the dataset's held-out validation split: class-balanced,
// of settings.ValidationSize examples, drawn with the fixed
// settings.ValidationSeed. It is never part of an initial set; influence
// is measured on it.
func Validation(ds *data.Dataset) (data.Subset, error) {
	n, err := settings.ValidationSize(ds.Name)
	if err != nil {
		return data.Subset{}, err
	}
	if n >= ds.Len() {
		return data.Subset{}, fmt.Errorf("the validation split of %d examples leaves nothing of the %d training examples of %s: lower settings.ValidationSizes", n, ds.Len(), ds.Name)
	}
	return data.BalancedSubset(ds, n, settings.ValidationSeed)
}

// FullSet is the dataset's training split less its validation split: the
// "full set" of the experiments.
func FullSet(ds *data.Dataset) (data.Subset, error) {
	val, err := Validation(ds)
	if err != nil {
		return data.Subset{}, err
	}
	held := make(map[int]bool, len(val.Idx))
	for _, i := range val.Idx {
		held[i] = true
	}
	out := data.Subset{DS: ds}
	for i := 0; i < ds.Len(); i++ {
		if !held[i] {
			out.Idx = append(out.Idx, i)
		}
	}
	return out, nil
}

// InitialSet is the class-balanced random initial training set of a run,
// drawn from the full set (never from the validation split).
func InitialSet(ds *data.Dataset, size int, seed uint64) (data.Subset, error) {
	full, err := FullSet(ds)
	if err != nil {
		return data.Subset{}, err
	}
	if size > len(full.Idx) {
		return data.Subset{}, fmt.Errorf("initial size %d exceeds the %d training examples of %s outside its validation split", size, len(full.Idx), ds.Name)
	}
	return full.Balanced(size, seed), nil
}

// scoreKey is what determines a run's scores of one initial set.
type scoreKey struct {
	Dataset, DatasetSHA, IDs, Validation string
	Probes                               *settings.Probes
	ProbeRecipe                          *settings.Recipe
	ProbeDraw                            uint64 `json:",omitempty"`
}

func (r *Runner) scoreKey(run sweep.Run, set, validation data.Subset) scoreKey {
	return scoreKey{run.Dataset, r.sha(set.DS), cachekey.HashStrings(set.IDs()), cachekey.HashStrings(validation.IDs()), run.Probes, run.ProbeRecipe, run.ProbeDraw}
}

// probeDir holds a dataset's probe networks and self-supervised embeddings,
// for every initial set and seed: each is keyed by everything that
// determines it (probes.Spec, ssl.SimCLR), so initial sets and probe draws
// that coincide across the seeds of a run share their networks.
func probeDir(st sweep.Store, dataset string) string {
	return filepath.Join(st.Dir, "probes", dataset)
}

func scorePrefix(run sweep.Run) string {
	return fmt.Sprintf("%s-n%d-seed%d-%s-", run.Dataset, run.Size, run.Seed, run.Preset)
}

func (r *Runner) scoreDir(run sweep.Run, set, validation data.Subset) string {
	return filepath.Join(r.Store.Dir, "scores", scorePrefix(run)+cachekey.Hash(r.scoreKey(run, set, validation)))
}

// whyNew says why no cached scores fit: the fields in which the closest
// cached scores of the same initial set's name (another configuration)
// differ.
func (r *Runner) whyNew(run sweep.Run, set, validation data.Subset) string {
	n, closest := cachekey.ClosestKey(filepath.Join(r.Store.Dir, "scores", scorePrefix(run)+"*", "key.json"), r.scoreKey(run, set, validation))
	if len(closest) == 0 {
		return ""
	}
	return fmt.Sprintf("; %d cached for other configurations, the closest differs in %s", n, strings.Join(closest, ", "))
}

// fileKey is the key a score file's sidecar carries: its folder's key and
// the metric, its definition version and seed.
func fileKey(dir string, run sweep.Run) string {
	return cachekey.Hash(struct {
		Dir, Metric string
		Version     int
		Seed        uint64
	}{filepath.Base(dir), run.Metric, settings.MetricVersion(run.Metric), run.Seed})
}

// Scores returns the metric's scores of the run's initial set, computing
// them (and caching them under the store) if needed. A cached file is used
// only if its sidecar carries this configuration's key; one made by
// another code version is reused with a warning, or recomputed with
// Recompute.
func (r *Runner) Scores(ctx context.Context, run sweep.Run, set, validation data.Subset) (*prune.Scores, error) {
	if run.Probes == nil || run.ProbeRecipe == nil {
		return nil, fmt.Errorf("run %s has no probe preset: its spec does not validate", run)
	}
	dir := r.scoreDir(run, set, validation)
	path := filepath.Join(dir, run.Metric+".csv")
	key := fileKey(dir, run)
	defer atomicfile.Lock(dir)()
	sc, err := prune.ReadScores(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.log().Warn(fmt.Sprintf("scores %s cannot be reused (%v): recomputing", path, err))
	}
	if err == nil {
		version := project.CodeVersion()
		switch {
		case sc.Meta.Params["cache_key"] != key:
			r.log().Info(fmt.Sprintf("scores %s: computed for another configuration (key %q, want %q): recomputing", path, sc.Meta.Params["cache_key"], key))
		case sc.Meta.CodeVersion != version && r.Recompute:
			r.log().Info(fmt.Sprintf("scores %s: made by code version %s, this is %s: recomputing (recompute asked for)", path, sc.Meta.CodeVersion, version))
		default:
			if sc.Meta.CodeVersion != version {
				r.log().Warn(fmt.Sprintf("scores %s were made by code version %s, this is %s: reusing them (to recompute, pass --recompute)", path, sc.Meta.CodeVersion, version))
			}
			return sc, nil
		}
	}
	if _, err := os.Stat(dir); err != nil {
		r.log().Info(fmt.Sprintf("scores of %s for n = %d, seed %d: computing %s%s", run.Dataset, run.Size, run.Seed, run.Metric, r.whyNew(run, set, validation)))
	}
	aug, err := train.AugmentFor(run.Dataset, run.ProbeRecipe.Augmentation, run.Seed)
	if err != nil {
		return nil, err
	}
	probeRecipe, err := settings.ProbeRecipe(run.Dataset, *run.Probes)
	if err != nil {
		return nil, err
	}
	probeRecipe.Recipe = *run.ProbeRecipe
	env := &scoring.Env{Backend: r.Backend, Train: set, Validation: validation, Augment: aug, Preset: *run.Probes, Recipe: probeRecipe,
		WorkDir: probeDir(r.Store, run.Dataset), Logger: r.Logger, Recompute: r.Recompute, ProbeDraw: run.ProbeDraw}
	sc, err = scoring.Compute(ctx, env, run.Metric, run.Seed)
	if err != nil {
		return nil, err
	}
	sc.Meta.Params["cache_key"] = key
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(r.scoreKey(run, set, validation), "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, "key.json"), append(b, '\n')); err != nil {
		return nil, err
	}
	return sc, sc.Write(path)
}

// CachedScores reads the cached score files of the initial set of size n
// and seed of a spec (written by the runs), by metric, refusing files made
// for another configuration.
func CachedScores(st sweep.Store, spec sweep.Spec, size int, seed uint64, metricNames []string) (map[string]*prune.Scores, error) {
	r := &Runner{Store: st}
	ds, err := r.dataset(spec.Dataset, "train")
	if err != nil {
		return nil, err
	}
	set, err := InitialSet(ds, size, seed)
	if err != nil {
		return nil, err
	}
	val, err := Validation(ds)
	if err != nil {
		return nil, err
	}
	out := map[string]*prune.Scores{}
	for _, m := range metricNames {
		if m == "random" {
			continue
		}
		var run sweep.Run
		for _, x := range spec.Runs() {
			if x.Metric == m && x.Size == size && x.Seed == seed {
				run = x
				break
			}
		}
		if run.Probes == nil {
			return nil, fmt.Errorf("sweep %s has no run of metric %s at n = %d, seed %d", spec.Name, m, size, seed)
		}
		dir := r.scoreDir(run, set, val)
		path := filepath.Join(dir, m+".csv")
		s, err := prune.ReadScores(path)
		if err != nil {
			return nil, fmt.Errorf("%w (run the sweep first)", err)
		}
		if got, want := s.Meta.Params["cache_key"], fileKey(dir, run); got != want {
			return nil, fmt.Errorf("scores %s were computed for another configuration (key %q, want %q): run the sweep again", path, got, want)
		}
		out[m] = s
	}
	return out, nil
}

// Select returns the examples a run trains on (a subset of the initial
// set) and the fallbacks it took.
func (r *Runner) Select(ctx context.Context, run sweep.Run, set, validation data.Subset) (data.Subset, []string, error) {
	if run.Fraction >= 1 {
		return set, nil, nil
	}
	ds := set.DS
	labels := make([]int32, len(set.Idx))
	for k, i := range set.Idx {
		labels[k] = ds.Labels[i]
	}
	keep, err := prune.ParsePolicy(run.Keep)
	if err != nil {
		return data.Subset{}, nil, err
	}
	var fallbacks []string
	var values []float64
	if keep != prune.KeepRandom {
		score := r.Score
		if score == nil {
			score = r.Scores
		}
		sc, err := score(ctx, run, set, validation)
		if err != nil {
			return data.Subset{}, nil, err
		}
		if values, err = sc.Align(set.IDs()); err != nil {
			return data.Subset{}, nil, err
		}
		if fb := sc.Meta.Params["fallback"]; fb != "" {
			fallbacks = append(fallbacks, "scores: "+fb)
		}
	} else {
		values = make([]float64, len(set.Idx))
	}
	idx, err := prune.Select(values, labels, prune.Options{Keep: keep, F: run.Fraction, Balance: run.Balance, Offset: run.CCSCutoff, Strata: run.CCSStrata, Seed: run.Seed})
	if err != nil {
		return data.Subset{}, nil, err
	}
	kept := data.Subset{DS: ds}
	for _, k := range idx {
		kept.Idx = append(kept.Idx, set.Idx[k])
	}
	return kept, fallbacks, nil
}

// validationFile writes the validation split's IDs once into the store and
// returns the file's path relative to the store and the IDs' digest.
func (r *Runner) validationFile(val data.Subset) (string, string, error) {
	ids := val.IDs()
	sha := cachekey.HashStrings(ids)
	rel := filepath.Join("validation", fmt.Sprintf("%s-%s.txt", val.DS.Name, sha))
	path := filepath.Join(r.Store.Dir, rel)
	defer atomicfile.Lock(path)()
	if _, err := os.Stat(path); err == nil {
		return rel, sha, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", "", err
	}
	text := fmt.Sprintf("# validation split of %s/%s: %d examples, class-balanced, seed %#x (lib/settings); never in an initial set\n%s\n",
		val.DS.Name, val.DS.Split, len(ids), settings.ValidationSeed, strings.Join(ids, "\n"))
	return rel, sha, atomicfile.WriteBytes(path, []byte(text))
}

// Verify checks a stored record against the data as they are now (for
// sweep.Options.Verify): a record of another training split is refused.
func (r *Runner) Verify(rec sweep.Record) error {
	if rec.DatasetSHA256 == "" {
		return fmt.Errorf("the record names no dataset checksum (made before records carried one)")
	}
	ds, err := r.dataset(rec.Run.Dataset, "train")
	if err != nil {
		return err
	}
	if got := r.sha(ds); got != rec.DatasetSHA256 {
		return fmt.Errorf("it was trained on %s with checksum %s, the data here have %s", rec.Run.Dataset, rec.DatasetSHA256, got)
	}
	return nil
}

// Config is the training configuration and augmentation of a run's
// network: its recipe (from lib/settings, with the spec's overrides),
// nothing else.
func Config(run sweep.Run) (train.Config, data.Augment, error) {
	if run.Recipe.Batch == 0 {
		return train.Config{}, data.Augment{}, fmt.Errorf("run %s has no training recipe: its spec does not validate", run)
	}
	cfg, err := train.FromRecipe(run.Model, run.Recipe)
	if err != nil {
		return cfg, data.Augment{}, err
	}
	cfg.Seed = run.Seed
	cfg.EqualIterations, cfg.ReferenceSize = run.EqualIterations, run.Size
	cfg.DynamicPrune = run.DynamicPrune
	aug, err := train.AugmentFor(run.Dataset, run.Recipe.Augmentation, run.Seed)
	return cfg, aug, err
}

// Run executes one configuration; it is a sweep.Executor.
func (r *Runner) Run(ctx context.Context, run sweep.Run) (sweep.Record, error) {
	start := time.Now()
	if run.Recipe.Batch == 0 {
		return sweep.Record{}, fmt.Errorf("run %s has no training recipe: its spec does not validate", run)
	}
	trainDS, err := r.dataset(run.Dataset, "train")
	if err != nil {
		return sweep.Record{}, err
	}
	test, err := r.dataset(run.Dataset, evalSplit(run.Dataset))
	if err != nil {
		return sweep.Record{}, err
	}
	val, err := Validation(trainDS)
	if err != nil {
		return sweep.Record{}, err
	}
	if len(val.Idx) != run.Validation || run.ValidationSeed != settings.ValidationSeed {
		return sweep.Record{}, fmt.Errorf("run %s expects a validation split of %d examples drawn with seed %#x, the settings give %d with %#x: list the spec's runs again",
			run, run.Validation, run.ValidationSeed, len(val.Idx), uint64(settings.ValidationSeed))
	}
	set, err := InitialSet(trainDS, run.Size, run.Seed)
	if err != nil {
		return sweep.Record{}, err
	}
	kept, fallbacks, err := r.Select(ctx, run, set, val)
	if err != nil {
		return sweep.Record{}, err
	}
	selected := time.Now()
	if strings.HasSuffix(run.RecipeRow, " *") {
		fallbacks = append(fallbacks, fmt.Sprintf("recipe: no row of settings.Recipes names %s; the profile's row %q was used", run.Model, run.RecipeRow))
	}
	if err := run.Recipe.CheckSize(len(kept.Idx)); err != nil {
		return sweep.Record{}, fmt.Errorf("run %s: %w", run, err)
	}
	cfg, aug, err := Config(run)
	if err != nil {
		return sweep.Record{}, err
	}
	res, err := r.train(ctx, newTrainingKey(run.Dataset, r.sha(trainDS), kept, cfg, aug), cfg, aug, kept, test)
	if err != nil {
		return sweep.Record{}, err
	}
	valFile, valSHA, err := r.validationFile(val)
	if err != nil {
		return sweep.Record{}, err
	}
	training := res.Training
	training.RecipeRow = run.RecipeRow // the table row this run named (the shared training may have named it otherwise)
	return sweep.Record{TestError: res.TestError, TestTop5: res.TestTop5, TestCorrect: res.TestCorrect, Trained: res.Trained,
		Seconds: time.Since(selected).Seconds(), SelectionSeconds: selected.Sub(start).Seconds(),
		Extra: res.Extra, Training: training, TrainingKey: cachekey.Hash(res.Key),
		DatasetSHA256: r.sha(trainDS), TrainedIDs: res.Key.TrainedIDs,
		ValidationIDs: valFile, ValidationSHA: valSHA, Fallbacks: fallbacks}, nil
}

// train trains and grades the network a training key describes, or reads
// the result of the run that already did (trainedResult). Runs of the same
// key wait for each other, so parallel workers train it once.
func (r *Runner) train(ctx context.Context, k trainingKey, cfg train.Config, aug data.Augment, kept data.Subset, test *data.Dataset) (trainedResult, error) {
	defer atomicfile.Lock(r.trainedPath(k))()
	if res := r.readTrained(k); res != nil {
		r.log().Info(fmt.Sprintf("training of %s on %d examples (seed %d): the same examples, recipe and seed were trained before (%s): reusing its result",
			cfg.Model, len(kept.Idx), cfg.Seed, r.trainedPath(k)))
		return *res, nil
	}
	start := time.Now()
	t, err := train.New(r.Backend, cfg, kept, aug)
	if err != nil {
		return trainedResult{}, err
	}
	res, err := t.Run(ctx, kept)
	if err != nil {
		return trainedResult{}, err
	}
	ev, err := t.EvaluateExamples(kept, test)
	if err != nil {
		return trainedResult{}, err
	}
	trainErr, err := t.TrainError(kept)
	if err != nil {
		return trainedResult{}, err
	}
	out := trainedResult{Key: k, CodeVersion: project.CodeVersion(), TestError: 1 - ev.Top1, TestTop5: ev.Top5, TestCorrect: sweep.PackCorrect(ev.Correct),
		Trained: len(kept.Idx), Seconds: time.Since(start).Seconds(),
		Extra: map[string]float64{"train_loss": res.LastLoss, "train_accuracy": res.LastAccuracy, "steps": float64(res.Steps),
			sweep.TrainErrorKey: trainErr},
		Training: train.Applied(cfg, settings.Resolved{Recipe: cfg.Recipe}, cfg.Augmentation, res, len(kept.Idx), backend.Name(r.Backend))}
	return out, r.writeTrained(out)
}
