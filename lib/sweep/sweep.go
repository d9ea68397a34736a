// Package sweep runs declarative experiment sweeps (dataset × metric × keep
// policy × fraction kept × initial size × seed) resumably: every finished
// run is one record, written atomically into a store and keyed by a hash of
// its configuration, so a sweep killed at any moment resumes without losing
// or repeating a finished run. Runs execute locally with a worker count or,
// exported as a job array (Slurm or a Kubernetes Indexed Job), one per task
// against shared storage.
package sweep

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"beyondscaling/lib/atomicfile"
)

// Spec declares a sweep. Every combination of the lists is a run, except
// that at fraction 1 (nothing pruned) the metric and keep policy do not
// matter, so one run per size and seed stands for them all.
type Spec struct {
	Name      string    `json:"name"`
	Dataset   string    `json:"dataset"`
	Model     string    `json:"model"`
	Epochs    int       `json:"epochs"`
	Metrics   []string  `json:"metrics"`
	Keeps     []string  `json:"keeps"`
	Fractions []float64 `json:"fractions"`
	Sizes     []int     `json:"sizes"`
	Seeds     []uint64  `json:"seeds"`
	Balance   float64   `json:"balance,omitempty"` // class-balancing ratio of selection
	Preset    string    `json:"preset"`            // metrics preset / profile: smoke, cpu, paper
	// EqualIterations trains pruned sets for as many steps as the full
	// initial set would take (the default is equal epochs).
	EqualIterations bool `json:"equal_iterations,omitempty"`
	// Batch and LR of the trained networks (0: the runner's defaults).
	Batch int     `json:"batch,omitempty"`
	LR    float64 `json:"lr,omitempty"`
}

// Run is one configuration.
type Run struct {
	Dataset         string  `json:"dataset"`
	Model           string  `json:"model"`
	Epochs          int     `json:"epochs"`
	Metric          string  `json:"metric"`
	Keep            string  `json:"keep"`
	Fraction        float64 `json:"fraction"`
	Size            int     `json:"size"`
	Seed            uint64  `json:"seed"`
	Balance         float64 `json:"balance,omitempty"`
	Preset          string  `json:"preset"`
	EqualIterations bool    `json:"equal_iterations,omitempty"`
	Batch           int     `json:"batch,omitempty"`
	LR              float64 `json:"lr,omitempty"`
}

// Key is a hash of the run's configuration (its canonical JSON).
func (r Run) Key() string {
	b, _ := json.Marshal(r)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

func (r Run) String() string {
	return fmt.Sprintf("%s %s n=%d f=%g %s/%s seed %d", r.Dataset, r.Model, r.Size, r.Fraction, r.Metric, r.Keep, r.Seed)
}

// Validate reports a spec that cannot run.
func (s Spec) Validate() error {
	switch {
	case s.Dataset == "" || s.Model == "":
		return errors.New("sweep spec needs a dataset and a model")
	case s.Epochs < 1:
		return fmt.Errorf("sweep spec: epochs = %d", s.Epochs)
	case len(s.Sizes) == 0 || len(s.Fractions) == 0 || len(s.Seeds) == 0:
		return errors.New("sweep spec needs sizes, fractions and seeds")
	}
	for _, f := range s.Fractions {
		if !(f > 0 && f <= 1) {
			return fmt.Errorf("sweep spec: fraction kept %g is outside (0, 1]", f)
		}
	}
	for _, k := range s.Keeps {
		if k != "hard" && k != "easy" && k != "random" {
			return fmt.Errorf("sweep spec: keep %q: use hard, easy or random", k)
		}
	}
	return nil
}

// Runs lists the runs in a fixed order (the job-array index order).
func (s Spec) Runs() []Run {
	var out []Run
	seen := map[string]bool{}
	add := func(r Run) {
		if k := r.Key(); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	for _, seed := range s.Seeds {
		for _, n := range s.Sizes {
			for _, f := range s.Fractions {
				base := Run{Dataset: s.Dataset, Model: s.Model, Epochs: s.Epochs, Size: n, Seed: seed, Fraction: f,
					Preset: s.Preset, EqualIterations: s.EqualIterations, Batch: s.Batch, LR: s.LR}
				if f == 1 {
					base.Metric, base.Keep = "none", "all"
					add(base)
					continue
				}
				for _, m := range s.Metrics {
					for _, k := range s.Keeps {
						r := base
						r.Metric, r.Keep, r.Balance = m, k, s.Balance
						if m == "random" {
							r.Keep = "random"
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
		return s, fmt.Errorf("sweep spec %s: %w", path, err)
	}
	return s, s.Validate()
}

// Record is the result of one finished run.
type Record struct {
	Key         string             `json:"key"`
	Run         Run                `json:"run"`
	TestError   float64            `json:"test_error"` // 1 - top-1 accuracy
	TestTop5    float64            `json:"test_top5_accuracy"`
	Trained     int                `json:"trained_examples"`
	Seconds     float64            `json:"seconds"`
	CodeVersion string             `json:"code_version"`
	Finished    time.Time          `json:"finished"`
	Extra       map[string]float64 `json:"extra,omitempty"`
}

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

// Execute runs the given indices of the spec's runs (all if nil) that are
// not yet in the store, with workers in parallel, writing each record as it
// finishes. A cancelled context stops after the runs in progress; a killed
// process loses only them.
func Execute(ctx context.Context, s Spec, st Store, exec Executor, workers int, indices []int, codeVersion string, log io.Writer) error {
	if log == nil {
		log = io.Discard
	}
	runs := s.Runs()
	if indices == nil {
		for i := range runs {
			indices = append(indices, i)
		}
	}
	var todo []int
	for _, i := range indices {
		if i < 0 || i >= len(runs) {
			return fmt.Errorf("run index %d outside [0, %d)", i, len(runs))
		}
		if !st.Has(runs[i].Key()) {
			todo = append(todo, i)
		}
	}
	fmt.Fprintf(log, "sweep %s: %d runs, %d asked for, %d already done, %d to run\n", s.Name, len(runs), len(indices), len(indices)-len(todo), len(todo))
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
					fmt.Fprintf(log, "run %d/%d done (%s): test error %.4f, %.0fs; elapsed %v, ETA %v\n", done, len(todo), r, rec.TestError, rec.Seconds,
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
