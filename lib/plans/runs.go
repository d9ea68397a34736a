package plans

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/compute"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/data"
	"beyondscaling/lib/experiment"
	"beyondscaling/lib/metrics"
	"beyondscaling/lib/project"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/scaling"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/textlog"
)

// StoreDir is where the notebooks keep their sweeps' results and scores:
// OUT/sweeps/PROFILE, shared by all notebooks of a profile so that scores
// and probe networks are computed once.
func StoreDir(prof project.Profile) (string, error) {
	out, err := project.Out()
	if err != nil {
		return "", err
	}
	return filepath.Join(out, "sweeps", string(prof)), nil
}

// Execute runs (or resumes) sweeps in the profile's store and returns all
// their records, printing progress to log.
func Execute(ctx context.Context, prof project.Profile, specs []sweep.Spec, log io.Writer) ([]sweep.Record, error) {
	dir, err := StoreDir(prof)
	if err != nil {
		return nil, err
	}
	if err := ExecuteIn(ctx, dir, specs, log); err != nil {
		return nil, err
	}
	return Collect(prof, specs)
}

// Workers is how many runs of a sweep train at once: $PRUNE_WORKERS when
// set, else 2 on the pure-Go backend (the CPU default) and 1 on any other. One MLP run
// keeps about 1.3 of 2 cores busy (the optimizer's element-wise steps and
// the data path run between the matrix products), and two runs at once
// trained about 10% more images per second (environment.md, "Dense layers
// on oneDNN"). Results do not depend on it: each run is deterministic, and
// runs that need the same scores or the same training wait for each other.
func Workers(b compute.Backend) int {
	if v, err := strconv.Atoi(os.Getenv("PRUNE_WORKERS")); err == nil && v >= 1 {
		return v
	}
	if strings.HasPrefix(backend.Name(b), "Go Backend") {
		return 2
	}
	return 1
}

// ExecuteIn runs (or resumes) sweeps in the store at dir on the default
// backend, Workers runs at a time, printing progress and which probe networks
// are trained or reused to log.
func ExecuteIn(ctx context.Context, dir string, specs []sweep.Spec, log io.Writer) error {
	st := sweep.Store{Dir: dir}
	b, err := backend.Open()
	if err != nil {
		return err
	}
	defer b.Finalize()
	// Info: which probe networks are trained or reused, and cache
	// warnings; training progress is Debug and not shown in a notebook.
	r := &experiment.Runner{Backend: b, Store: st, Logger: textlog.New(log, slog.LevelInfo)}
	for _, s := range specs {
		if err := s.Validate(); err != nil {
			return err
		}
		if err := sweep.Execute(ctx, s, st, r.Run, sweep.Options{Workers: Workers(b), CodeVersion: project.CodeVersion(), Backend: backend.Name(b), Verify: r.Verify, Log: log}); err != nil {
			return fmt.Errorf("sweep %s (store %s; re-run to resume): %w", s.Name, dir, err)
		}
	}
	return nil
}

// Scores reads the cached score files of an initial set of a sweep
// (written by the experiment runner), by metric, refusing files computed
// for another configuration.
func Scores(prof project.Profile, spec sweep.Spec, size int, seed uint64, metrics []string) (map[string]*prune.Scores, error) {
	dir, err := StoreDir(prof)
	if err != nil {
		return nil, err
	}
	return experiment.CachedScores(sweep.Store{Dir: dir}, spec, size, seed, metrics)
}

// Collect returns the finished records of sweeps without running anything
// (for the plotting cells of a notebook, after Execute).
func Collect(prof project.Profile, specs []sweep.Spec) ([]sweep.Record, error) {
	dir, err := StoreDir(prof)
	if err != nil {
		return nil, err
	}
	st := sweep.Store{Dir: dir}
	var all []sweep.Record
	seen := map[string]bool{}
	for _, s := range specs {
		done, missing := st.Collect(s)
		if len(missing) > 0 {
			return nil, fmt.Errorf("sweep %s has %d unfinished runs in %s: run it first (Execute)", s.Name, len(missing), dir)
		}
		for _, d := range done {
			if !seen[d.Key] {
				seen[d.Key] = true
				all = append(all, d)
			}
		}
	}
	return all, nil
}

// Shown are a sweep's points as its figures show them, over its fresh
// seeds only (scaling.Reported), with the note saying which seeds.
type Shown struct {
	Points []scaling.Point
	Note   string
}

// Reported reads a finished sweep's records and returns its points as its
// figures show them (Shown).
func Reported(prof project.Profile, spec sweep.Spec) (Shown, error) {
	recs, err := Collect(prof, []sweep.Spec{spec})
	if err != nil {
		return Shown{}, err
	}
	ps, note := scaling.Reported(scaling.Aggregate(recs), spec.Seeds)
	return Shown{ps, note}, nil
}

// SetScores are the scores of several metrics on one initial set, aligned
// to its examples, with their labels.
type SetScores struct {
	Scores map[string][]float64 // by metric
	Labels []int32
}

// InitialSetScores reads the cached scores of every metric of a sweep on
// its first initial set (first size, first seed); "random" gets the seed's
// random scores.
func InitialSetScores(prof project.Profile, spec sweep.Spec) (SetScores, error) {
	n, seed := spec.Sizes[0], spec.Seeds[0]
	sc, err := Scores(prof, spec, n, seed, spec.Metrics)
	if err != nil {
		return SetScores{}, err
	}
	ds, err := data.Load(spec.Dataset, "train")
	if err != nil {
		return SetScores{}, err
	}
	set, err := experiment.InitialSet(ds, n, seed)
	if err != nil {
		return SetScores{}, err
	}
	ids := make([]string, len(set.Idx))
	out := SetScores{Scores: map[string][]float64{}, Labels: make([]int32, len(set.Idx))}
	for k, i := range set.Idx {
		ids[k], out.Labels[k] = ds.IDs[i], ds.Labels[i]
	}
	for m, s := range sc {
		if out.Scores[m], err = s.Align(ids); err != nil {
			return SetScores{}, fmt.Errorf("scores of %s: %w", m, err)
		}
	}
	if slices.Contains(spec.Metrics, "random") {
		out.Scores["random"] = metrics.Random(len(ids), seed)
	}
	return out, nil
}

// BalancingChanges is scaling.BalancingChanges for a metric benchmark: the
// scores of the plain sweep's first initial set (InitialSetScores), each
// selected at the balanced sweep's fraction with and without its class
// balancing, drawn with the plain sweep's first seed.
func BalancingChanges(prof project.Profile, plain, balanced sweep.Spec) ([]scaling.BalancingChange, error) {
	sc, err := InitialSetScores(prof, plain)
	if err != nil {
		return nil, err
	}
	return scaling.BalancingChanges(sc.Scores, sc.Labels, balanced.Fractions[0], balanced.Balance, plain.Seeds[0])
}

// ImputationNote is scaling.ImputationNote for the cached score files of a
// sweep's initial sets (one per seed at an initial size).
func ImputationNote(prof project.Profile, spec sweep.Spec, size int, seeds []uint64, metrics []string) (string, error) {
	var all []*prune.Scores
	for _, seed := range seeds {
		sc, err := Scores(prof, spec, size, seed, metrics)
		if err != nil {
			return "", err
		}
		for _, m := range metrics {
			if s, ok := sc[m]; ok {
				all = append(all, s)
			}
		}
	}
	return scaling.ImputationNote(all), nil
}
