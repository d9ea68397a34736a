// Package sweep runs declarative experiment sweeps (dataset × metric × keep
// policy × fraction kept × initial size × seed) resumably: every finished
// run is one record, written atomically into a store and keyed by a hash of
// its configuration, so a sweep killed at any moment resumes without losing
// or repeating a finished run. Runs execute locally with a worker count or,
// exported as a job array (Slurm or a Kubernetes Indexed Job), one per task
// against shared storage.
package sweep

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/project"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/settings"
)

// Spec declares a sweep. Every combination of the lists is a run, except
// that at fraction 1 (nothing pruned) the metric and keep policy do not
// matter, so one run per size and seed stands for them all. The training
// recipe of every run is lib/settings' row for (dataset, model, preset);
// Epochs, Batch and LR, when set, override it (a batch alone scales the
// learning rate linearly: settings.Recipe.WithBatch).
type Spec struct {
	Name      string          `json:"name"`
	Dataset   string          `json:"dataset"`
	Model     string          `json:"model"`
	Epochs    int             `json:"epochs,omitempty"`
	Metrics   []string        `json:"metrics"`
	Keeps     []string        `json:"keeps"`
	Fractions []float64       `json:"fractions"`
	Sizes     []int           `json:"sizes"`
	Seeds     []uint64        `json:"seeds"`
	Balance   float64         `json:"balance,omitempty"` // class-balancing ratio of selection
	Preset    project.Profile `json:"preset"`            // profile of the recipes and probe presets: smoke, cpu, paper
	// CCSCutoff and CCSStrata configure the keep policy "ccs"
	// (coverage-centric selection, lib/prune.KeepCCS): the hard cutoff β,
	// the fraction of hardest examples dropped first, in [0, 1), and the
	// number of score strata (0: prune.DefaultStrata).
	CCSCutoff float64 `json:"ccs_cutoff,omitempty"`
	CCSStrata int     `json:"ccs_strata,omitempty"`
	// EqualIterations trains pruned sets for as many steps as the full
	// initial set would take (the default is equal epochs).
	EqualIterations bool `json:"equal_iterations,omitempty"`
	// DynamicPrune, when positive, trains every run with dynamic pruning
	// at this ratio (InfoBatch: train.Config.DynamicPrune); the runs then
	// cost fewer example passes than their epochs (Record's
	// Training.ExamplePasses says how many).
	DynamicPrune float64 `json:"dynamic_prune,omitempty"`
	// Batch, LR and Schedule override the recipe's (zero: the recipe's).
	Batch    int     `json:"batch,omitempty"`
	LR       float64 `json:"lr,omitempty"`
	Schedule string  `json:"schedule,omitempty"`
	// ProbesPerSeed draws new probe networks for every seed (Run.ProbeDraw).
	// Below the full set each seed scores its own initial set anyway; at
	// the full set every seed scores the same examples, and without it the
	// seeds share one set of probes, so an interval over seeds would leave
	// out the probes' own variability.
	ProbesPerSeed bool `json:"probes_per_seed,omitempty"`
}

// Run is one configuration. Its key hashes everything that determines its
// result: the recipe's and the probe preset's contents, not their names.
type Run struct {
	Dataset  string  `json:"dataset"`
	Model    string  `json:"model"`
	Metric   string  `json:"metric"`
	Keep     string  `json:"keep"`
	Fraction float64 `json:"fraction"`
	Size     int     `json:"size"`
	Seed     uint64  `json:"seed"`
	Balance  float64 `json:"balance,omitempty"`
	// CCSCutoff and CCSStrata are the hard cutoff β and the strata of a
	// run that keeps by coverage-centric selection (keep "ccs").
	CCSCutoff       float64 `json:"ccs_cutoff,omitempty"`
	CCSStrata       int     `json:"ccs_strata,omitempty"`
	Preset          string  `json:"preset"`
	EqualIterations bool    `json:"equal_iterations,omitempty"`
	// DynamicPrune is the run's dynamic pruning ratio (0: none).
	DynamicPrune float64 `json:"dynamic_prune,omitempty"`
	// Recipe is the training recipe of the run's network, overrides
	// applied; RecipeRow the settings row it came from.
	Recipe    settings.Recipe `json:"recipe"`
	RecipeRow string          `json:"recipe_row"`
	// Probes and ProbeRecipe make the scores, for runs that use a metric's
	// scores; MetricVersion is the metric's definition version.
	Probes        *settings.Probes `json:"probes,omitempty"`
	ProbeRecipe   *settings.Recipe `json:"probe_recipe,omitempty"`
	MetricVersion int              `json:"metric_version,omitempty"`
	// ProbeDraw, when not 0, re-draws the probe networks that score the
	// run's initial set (the run's seed, for a spec with ProbesPerSeed).
	ProbeDraw uint64 `json:"probe_draw,omitempty"`
	// Validation and ValidationSeed are the size and seed of the held-out
	// validation split (settings.ValidationSizes, ValidationSeed).
	Validation     int    `json:"validation"`
	ValidationSeed uint64 `json:"validation_seed"`
}

// Key is a hash of the run's configuration (its canonical JSON).
func (r Run) Key() string { return cachekey.Hash(r) }

func (r Run) String() string {
	s := fmt.Sprintf("%s %s n=%d f=%g %s/%s seed %d", r.Dataset, r.Model, r.Size, r.Fraction, r.Metric, r.Keep, r.Seed)
	if r.DynamicPrune > 0 {
		s += fmt.Sprintf(" dynamic pruning %g", r.DynamicPrune)
	}
	return s
}

// Validate reports a spec that cannot run.
func (s Spec) Validate() error {
	switch {
	case s.Dataset == "" || s.Model == "":
		return errors.New("sweep spec needs a dataset and a model")
	case s.Epochs < 0:
		return fmt.Errorf("sweep spec: epochs = %d (0 takes the recipe's)", s.Epochs)
	case s.Batch < 0 || s.LR < 0:
		return fmt.Errorf("sweep spec: batch %d and lr %g must not be negative (0 takes the recipe's)", s.Batch, s.LR)
	case s.ProbesPerSeed && slices.Contains(s.Seeds, 0):
		return errors.New("sweep spec: seed 0 cannot draw its own probes (probes_per_seed): use seeds from 1")
	case len(s.Sizes) == 0 || len(s.Fractions) == 0 || len(s.Seeds) == 0:
		return errors.New("sweep spec needs sizes, fractions and seeds")
	}
	for _, f := range s.Fractions {
		if !(f > 0 && f <= 1) {
			return fmt.Errorf("sweep spec: fraction kept %g is outside (0, 1]", f)
		}
	}
	for _, k := range s.Keeps {
		if k != "hard" && k != "easy" && k != "random" && k != "ccs" {
			return fmt.Errorf("sweep spec: keep %q: use hard, easy, random or ccs", k)
		}
	}
	switch {
	case !(s.CCSCutoff >= 0 && s.CCSCutoff < 1) || s.CCSStrata < 0:
		return fmt.Errorf("sweep spec: ccs_cutoff %g must be in [0, 1) and ccs_strata %d not negative", s.CCSCutoff, s.CCSStrata)
	case slices.Contains(s.Keeps, "ccs") && s.Balance > 0:
		return errors.New("sweep spec: keep ccs does not balance classes: give it a spec of its own without balance")
	case !(s.DynamicPrune >= 0 && s.DynamicPrune < 1):
		return fmt.Errorf("sweep spec: dynamic_prune %g must be in [0, 1) (InfoBatch's default is 0.5)", s.DynamicPrune)
	}
	if _, err := s.Recipe(); err != nil {
		return fmt.Errorf("sweep spec %s: %w", s.Name, err)
	}
	if _, err := settings.ValidationSize(s.Dataset); err != nil {
		return fmt.Errorf("sweep spec %s: %w", s.Name, err)
	}
	return nil
}

// Recipe is the training recipe of the spec's networks: the settings row
// for (dataset, model, preset) with the spec's overrides.
func (s Spec) Recipe() (settings.Resolved, error) {
	p, err := project.ParseProfile(string(s.Preset))
	if err != nil {
		return settings.Resolved{}, err
	}
	r, err := settings.RecipeFor(s.Dataset, s.Model, p)
	if err != nil {
		return r, err
	}
	if s.Epochs > 0 {
		r.Epochs = s.Epochs
	}
	r.Recipe = r.WithBatch(s.Batch)
	if s.LR > 0 {
		r.LR = s.LR
	}
	if s.Schedule != "" {
		// lib/train parses it when the first run starts (an unknown
		// schedule fails there, naming the forms it accepts).
		r.Schedule = s.Schedule
	}
	return r, nil
}

// Runs lists the runs in a fixed order (the job-array index order). A spec
// that does not Validate gives runs without a recipe, which no executor
// accepts.
func (s Spec) Runs() []Run {
	var out []Run
	seen := map[string]bool{}
	add := func(r Run) {
		if k := r.Key(); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	recipe, _ := s.Recipe()
	p, _ := project.ParseProfile(string(s.Preset))
	probes := settings.ProbesFor(p, s.Dataset)
	probeRecipe, perr := settings.ProbeRecipe(s.Dataset, probes)
	val, _ := settings.ValidationSize(s.Dataset)
	for _, seed := range s.Seeds {
		for _, n := range s.Sizes {
			for _, f := range s.Fractions {
				base := Run{Dataset: s.Dataset, Model: s.Model, Size: n, Seed: seed, Fraction: f,
					Preset: string(s.Preset), EqualIterations: s.EqualIterations, DynamicPrune: s.DynamicPrune, Recipe: recipe.Recipe, RecipeRow: recipe.Row,
					Validation: val, ValidationSeed: settings.ValidationSeed}
				if f == 1 {
					base.Metric, base.Keep = "none", "all"
					add(base)
					continue
				}
				for _, m := range s.Metrics {
					for _, k := range s.Keeps {
						r := base
						r.Metric, r.Keep, r.Balance = m, k, s.Balance
						if k == "ccs" && m != "random" {
							r.CCSCutoff, r.CCSStrata = s.CCSCutoff, cmp.Or(s.CCSStrata, prune.DefaultStrata)
						}
						if m == "random" {
							r.Keep = "random"
						} else if perr == nil {
							pr, rec := probes, probeRecipe.Recipe
							r.Probes, r.ProbeRecipe, r.MetricVersion = &pr, &rec, settings.MetricVersion(m)
							if s.ProbesPerSeed {
								r.ProbeDraw = seed
							}
						}
						add(r)
					}
				}
			}
		}
	}
	return out
}

// ReadSpec reads a JSON spec.
func ReadSpec(path string) (Spec, error) {
	var s Spec
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("sweep spec %s: %w: fix the file, a JSON object with the fields of a sweep spec (name, dataset, model, preset, metrics, keeps, fractions, sizes, seeds; lib/sweep.Spec)", path, err)
	}
	return s, s.Validate()
}

// Record is the result of one finished run.
type Record struct {
	Key       string  `json:"key"`
	Run       Run     `json:"run"`
	TestError float64 `json:"test_error"` // 1 - top-1 accuracy
	TestTop5  float64 `json:"test_top5_accuracy"`
	// TestCorrect is which test examples the network classified correctly
	// (top-1), packed by PackCorrect; paired comparisons count the examples
	// on which exactly one of two networks is right. Empty in records made
	// before it was kept.
	TestCorrect string `json:"test_correct,omitempty"`
	Trained     int    `json:"trained_examples"`
	// Seconds is the time the run spent training and grading its network
	// (reading the result, when an equal run trained it: TrainingKey), and
	// SelectionSeconds the time it spent before that, loading data and
	// scoring and selecting its examples (scores computed for the first run
	// of an initial set are reused by the others). Executors that do not
	// tell them apart leave SelectionSeconds 0.
	Seconds          float64            `json:"seconds"`
	SelectionSeconds float64            `json:"selection_seconds,omitempty"`
	CodeVersion      string             `json:"code_version"`
	Finished         time.Time          `json:"finished"`
	Extra            map[string]float64 `json:"extra,omitempty"`
	// Training is the configuration the network actually trained with.
	Training settings.Applied `json:"training"`
	// DatasetSHA256 is the checksum of the training split; TrainedIDs the
	// digest (cachekey.HashStrings) of the IDs trained on, in order.
	DatasetSHA256 string `json:"dataset_sha256,omitempty"`
	TrainedIDs    string `json:"trained_ids,omitempty"`
	// TrainingKey is the digest of what the network trained on and how
	// (examples, recipe, seed, augmentation): records with the same one
	// share one trained network, trained once.
	TrainingKey string `json:"training_key,omitempty"`
	// ValidationIDs names the file (relative to the store) listing the
	// held-out validation split by ID, and ValidationSHA its digest.
	ValidationIDs string `json:"validation_ids,omitempty"`
	ValidationSHA string `json:"validation_sha,omitempty"`
	// Fallbacks lists every default the run fell back to (a recipe row for
	// any model, clusters capped at the set size, ...), empty if none.
	Fallbacks []string `json:"fallbacks,omitempty"`
}

// TrainErrorKey names a record's Extra value for the error of the trained
// network on the examples it trained on, by an evaluation pass after
// training (train_accuracy is training's running mean over its last
// epoch).
const TrainErrorKey = "train_error"

// Store keeps records as DIR/runs/KEY.json.
type Store struct{ Dir string }

func (st Store) path(key string) string { return filepath.Join(st.Dir, "runs", key+".json") }

// Has reports whether a run finished.
func (st Store) Has(key string) bool {
	_, err := st.Load(key)
	return err == nil
}

// Load reads a record.
func (st Store) Load(key string) (Record, error) {
	var r Record
	b, err := os.ReadFile(st.path(key))
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("record %s: %w", st.path(key), err)
	}
	return r, nil
}

// Put writes a record atomically.
func (st Store) Put(r Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(st.Dir, "runs"), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(st.path(r.Key), append(b, '\n'))
}

// whyNew groups the runs to do that have records of another configuration
// of the same name (dataset, model, size, fraction, metric, keep, seed) in
// the store, by the fields in which the closest such record differs.
func (st Store) whyNew(runs []Run, todo []int) map[string]int {
	out := map[string]int{}
	if len(todo) == 0 {
		return out
	}
	files, _ := filepath.Glob(filepath.Join(st.Dir, "runs", "*.json"))
	byName := map[string][]Run{}
	for _, f := range files {
		var rec Record
		if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &rec) == nil {
			byName[rec.Run.String()] = append(byName[rec.Run.String()], rec.Run)
		}
	}
	for _, i := range todo {
		var closest []string
		for _, old := range byName[runs[i].String()] {
			if d := cachekey.Diff(old, runs[i]); closest == nil || len(d) < len(closest) {
				closest = d
			}
		}
		if len(closest) > 0 {
			out[strings.Join(closest, ", ")]++
		}
	}
	return out
}

// Collect returns the finished records of a spec, in run order.
func (st Store) Collect(s Spec) ([]Record, []Run) {
	var done []Record
	var missing []Run
	for _, r := range s.Runs() {
		if rec, err := st.Load(r.Key()); err == nil {
			done = append(done, rec)
		} else {
			missing = append(missing, r)
		}
	}
	return done, missing
}

// Executor runs one configuration and returns its record (Key, Run,
// CodeVersion and Finished are filled in by Execute).
type Executor func(ctx context.Context, r Run) (Record, error)

// Options configure Execute.
type Options struct {
	Workers int   // runs in parallel (at least 1)
	Indices []int // the runs to do (all if nil)
	// CodeVersion is recorded in every new record. A finished record of
	// another version is reused with a warning naming both versions, or
	// recomputed when Recompute is set.
	CodeVersion string
	Recompute   bool
	// Backend is the compute backend runs train on now (backend.Name). The
	// backend is not part of a run's key, so that runs made on a GPU or a
	// cluster are reused where figures are made; a finished record of
	// another backend is reused with a warning naming both.
	Backend string
	// Verify, if set, checks a finished record against what would be
	// computed now (e.g. the dataset's checksum); a record it refuses is
	// recomputed, and the reason logged.
	Verify func(Record) error
	Log    io.Writer
}

// Execute runs the asked-for runs of the spec that are not yet in the
// store, with workers in parallel, writing each record as it finishes. A
// cancelled context stops after the runs in progress; a killed process
// loses only them.
func Execute(ctx context.Context, s Spec, st Store, exec Executor, opt Options) error {
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	workers, indices, codeVersion := opt.Workers, opt.Indices, opt.CodeVersion
	runs := s.Runs()
	if indices == nil {
		for i := range runs {
			indices = append(indices, i)
		}
	}
	var todo []int
	versions, backends := map[string]int{}, map[string]int{}
	for _, i := range indices {
		if i < 0 || i >= len(runs) {
			return fmt.Errorf("run index %d outside [0, %d)", i, len(runs))
		}
		rec, err := st.Load(runs[i].Key())
		if err != nil {
			todo = append(todo, i)
			continue
		}
		if opt.Verify != nil {
			if err := opt.Verify(rec); err != nil {
				fmt.Fprintf(log, "run %d (%s): the stored record does not match: %v; recomputing\n", i, runs[i], err)
				todo = append(todo, i)
				continue
			}
		}
		if rec.CodeVersion != codeVersion {
			versions[rec.CodeVersion]++
			if opt.Recompute {
				todo = append(todo, i)
				continue
			}
		}
		if opt.Backend != "" && rec.Training.Backend != opt.Backend {
			backends[rec.Training.Backend]++
		}
	}
	for _, b := range slices.Sorted(maps.Keys(backends)) {
		fmt.Fprintf(log, "warning: sweep %s: %d finished runs were trained on %s, this process trains on %s: reusing them (the summary of results names each backend)\n",
			s.Name, backends[b], cmp.Or(b, "a backend not recorded"), opt.Backend)
	}
	for _, v := range slices.Sorted(maps.Keys(versions)) {
		n := versions[v]
		what := "reusing them (to recompute them, pass --recompute)"
		if opt.Recompute {
			what = "recomputing them"
		}
		fmt.Fprintf(log, "warning: sweep %s: %d finished runs were made by code version %s, this is %s: %s\n", s.Name, n, v, codeVersion, what)
	}
	fmt.Fprintf(log, "sweep %s: %d runs, %d asked for, %d already done, %d to run\n", s.Name, len(runs), len(indices), len(indices)-len(todo), len(todo))
	for why, n := range st.whyNew(runs, todo) {
		fmt.Fprintf(log, "sweep %s: %d runs to run have stored records of other configurations, differing in %s\n", s.Name, n, why)
	}
	sort.Ints(todo)
	jobs := make(chan int)
	var mu sync.Mutex
	var firstErr error
	done := 0
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < max(1, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := runs[i]
				t0 := time.Now()
				rec, err := exec(ctx, r)
				if err == nil {
					rec.Key, rec.Run, rec.CodeVersion, rec.Finished = r.Key(), r, codeVersion, time.Now().UTC()
					if rec.Seconds == 0 {
						rec.Seconds = time.Since(t0).Seconds()
					}
					err = st.Put(rec)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("run %d (%s): %w", i, r, err)
				}
				if err == nil {
					done++
					el := time.Since(start)
					eta := time.Duration(float64(el) / float64(done) * float64(len(todo)-done))
					took := fmt.Sprintf("%.0fs", rec.Seconds)
					if rec.SelectionSeconds >= 0.5 {
						took = fmt.Sprintf("%.0fs selecting, %.0fs training", rec.SelectionSeconds, rec.Seconds)
					}
					fmt.Fprintf(log, "run %d/%d done (%s): test error %.4f, %s; elapsed %v, ETA %v\n", done, len(todo), r, rec.TestError, took,
						el.Round(time.Second), eta.Round(time.Second))
				}
				mu.Unlock()
			}
		}()
	}
	for _, i := range todo {
		if ctx.Err() != nil {
			break
		}
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}
