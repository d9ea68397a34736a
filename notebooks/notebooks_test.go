package notebooks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"beyondscaling/lib/notebook"

	// The packages the notebooks call: importing them makes go test's cache
	// depend on their code, so editing them re-runs the notebooks.
	_ "beyondscaling/lib/data"
	_ "beyondscaling/lib/plans"
	_ "beyondscaling/lib/plots"
	_ "beyondscaling/lib/project"
	_ "beyondscaling/lib/scaling"
	_ "beyondscaling/lib/scalingfig"
	_ "beyondscaling/lib/scoring"
	_ "beyondscaling/theory/curves"
)

var (
	setupOnce sync.Once
	harness   *notebook.Harness
	setupErr  error
)

// kernel builds the pinned gonb and goimports and installs a private kernel
// spec (raw errors) in a temporary Jupyter data directory, once per run.
func kernel(t *testing.T) *notebook.Harness {
	t.Helper()
	if !notebook.HaveJupyter() {
		if os.Getenv("CI") != "" {
			t.Fatal(notebook.ErrNoJupyter)
		}
		t.Skip(notebook.ErrNoJupyter)
	}
	setupOnce.Do(func() {
		root, err := filepath.Abs("..")
		if err != nil {
			setupErr = err
			return
		}
		dataDir, err := os.MkdirTemp("", "jupyter-data-")
		if err != nil {
			setupErr = err
			return
		}
		h := &notebook.Harness{Root: root, JupyterDataDir: dataDir, CellTimeout: 600 * time.Second}
		ctx := context.Background()
		if setupErr = h.InstallTools(ctx); setupErr != nil {
			return
		}
		setupErr = h.InstallKernel(ctx, true)
		harness = h
	})
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return harness
}

// TestNotebooks executes every notebook at the smoke profile, fails on any
// error output, and checks the figures each one declares.
func TestNotebooks(t *testing.T) {
	if testing.Short() {
		t.Skip("executes every notebook")
	}
	h := kernel(t)
	nbs, err := notebook.Find(h.Root)
	if err != nil || len(nbs) == 0 {
		t.Fatalf("no notebooks found: %v", err)
	}
	for _, nb := range nbs {
		name := strings.TrimSuffix(filepath.Base(nb), ".ipynb")
		t.Run(name, func(t *testing.T) {
			// Read the source so that editing a notebook invalidates the test cache.
			if _, err := os.ReadFile(nb); err != nil {
				t.Fatal(err)
			}
			tmp := t.TempDir()
			figs := filepath.Join(tmp, "figures")
			run := *h
			run.Env = []string{"PRUNE_PROFILE=smoke", "PRUNE_FIGURES=" + figs, "PRUNE_OUT=" + filepath.Join(tmp, "out")}
			rep, err := run.Execute(context.Background(), nb, filepath.Join(tmp, "executed"))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d cells in %s", name, rep.Cells, rep.Duration.Round(time.Second))
			if err := rep.Err(); err != nil {
				t.Fatal(err)
			}
			if len(rep.Figures) == 0 {
				t.Error("the notebook declares no figures in its metadata (beyondscaling.figures)")
			}
			if err := notebook.CheckFigures(figs, rep.Figures); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestHarnessReportsFailingCells shows that the harness fails a notebook
// whose cell fails: a panic, a compile error and a crash with a long
// goroutine dump are all reported, with their cell numbers, and the cells
// after them still run. The crash's report starts with its panic line and
// the crashing goroutine, which lie far before the tail of the dump.
func TestHarnessReportsFailingCells(t *testing.T) {
	h := kernel(t)
	rep, err := h.Execute(context.Background(), filepath.Join("testdata", "failing.ipynb"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err() == nil {
		t.Fatal("a notebook with failing cells passed the harness")
	}
	if len(rep.Errors) != 3 || rep.Errors[0].Cell != 2 || rep.Errors[1].Cell != 3 || rep.Errors[2].Cell != 4 {
		t.Fatalf("errors %v, want cells 2 (panic), 3 (compile error) and 4 (crash with a long dump)", rep.Errors)
	}
	if !strings.Contains(rep.Errors[0].Stderr, "panic: deliberate failure") {
		t.Errorf("panic message not reported: %q", rep.Errors[0].Stderr)
	}
	if !strings.Contains(rep.Errors[1].Message, "undefined: undefinedThing") {
		t.Errorf("compile error not reported: %q", rep.Errors[1].Message)
	}
	crash := rep.Errors[2]
	if strings.Contains(crash.Stderr, "deliberate crash") {
		t.Errorf("the crash's dump is short enough for the tail to hold its message; the check below proves nothing")
	}
	if !strings.Contains(crash.Crash, "panic: deliberate crash in a goroutine") || !strings.Contains(crash.Crash, "\ngoroutine ") {
		t.Errorf("first lines of the crash not kept: %q", crash.Crash)
	}
	if msg := rep.Err().Error(); !strings.Contains(msg, "panic: deliberate crash in a goroutine") {
		t.Errorf("report lacks the crash's message:\n%s", msg)
	}
	if err := notebook.CheckFigures(t.TempDir(), []string{"never-written"}); err == nil {
		t.Error("a missing declared figure passed the check")
	}
}
