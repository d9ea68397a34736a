package scaling

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/buildinfo"
	"beyondscaling/lib/experiment"
	"beyondscaling/lib/paths"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/textlog"
)

// StoreDir is where the notebooks keep their sweeps' results and scores:
// OUT/sweeps/PROFILE, shared by all notebooks of a profile so that scores
// and probe networks are computed once.
func StoreDir(profileName string) (string, error) {
	out, err := paths.Out()
	if err != nil {
		return "", err
	}
	return filepath.Join(out, "sweeps", profileName), nil
}

// RunSweeps runs (or resumes) sweeps in the profile's store and returns all
// their records, printing progress to log.
func RunSweeps(ctx context.Context, profileName string, specs []sweep.Spec, log io.Writer) ([]sweep.Record, error) {
	dir, err := StoreDir(profileName)
	if err != nil {
		return nil, err
	}
	st := sweep.Store{Dir: dir}
	b, err := backend.Open()
	if err != nil {
		return nil, err
	}
	defer b.Finalize()
	// Info: which probe networks are trained or reused, and cache
	// warnings; training progress is Debug and not shown in a notebook.
	r := &experiment.Runner{Backend: b, Store: st, Logger: textlog.New(log, slog.LevelInfo)}
	for _, s := range specs {
		if err := s.Validate(); err != nil {
			return nil, err
		}
		if err := sweep.Execute(ctx, s, st, r.Run, sweep.Options{Workers: 1, CodeVersion: buildinfo.CodeVersion(), Verify: r.Verify, Log: log}); err != nil {
			return nil, fmt.Errorf("sweep %s (store %s; re-run to resume): %w", s.Name, dir, err)
		}
	}
	return Collect(profileName, specs)
}

// Scores reads the cached score files of an initial set of a sweep
// (written by the experiment runner), by metric, refusing files computed
// for another configuration.
func Scores(profileName string, spec sweep.Spec, size int, seed uint64, metrics []string) (map[string]*prune.Scores, error) {
	dir, err := StoreDir(profileName)
	if err != nil {
		return nil, err
	}
	return experiment.CachedScores(sweep.Store{Dir: dir}, spec, size, seed, metrics)
}

// Collect returns the finished records of sweeps without running anything
// (for the plotting cells of a notebook, after RunSweeps).
func Collect(profileName string, specs []sweep.Spec) ([]sweep.Record, error) {
	dir, err := StoreDir(profileName)
	if err != nil {
		return nil, err
	}
	st := sweep.Store{Dir: dir}
	var all []sweep.Record
	seen := map[string]bool{}
	for _, s := range specs {
		done, missing := st.Collect(s)
		if len(missing) > 0 {
			return nil, fmt.Errorf("sweep %s has %d unfinished runs in %s: run it first (RunSweeps)", s.Name, len(missing), dir)
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
