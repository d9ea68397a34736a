package sweep

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func testSpec() Spec {
	return Spec{Name: "CIFAR-10 scaling (test)", Dataset: "cifar10", Model: "cnn-w16", Epochs: 3,
		Metrics: []string{"el2n-1", "random"}, Keeps: []string{"hard", "easy"}, Fractions: []float64{0.5, 1},
		Sizes: []int{1000, 2000}, Seeds: []uint64{1, 2}, Preset: "smoke"}
}

func TestRunsEnumeration(t *testing.T) {
	runs := testSpec().Runs()
	// Per seed and size: f=1 once; f=0.5: el2n-1 hard, el2n-1 easy, random.
	if len(runs) != 2*2*(1+3) {
		t.Fatalf("%d runs, want 16", len(runs))
	}
	keys := map[string]bool{}
	for _, r := range runs {
		if keys[r.Key()] {
			t.Fatalf("duplicate run %v", r)
		}
		keys[r.Key()] = true
	}
	if runs[0].Key() != testSpec().Runs()[0].Key() {
		t.Error("keys are not stable")
	}
	bad := testSpec()
	bad.Fractions = []float64{0}
	if bad.Validate() == nil {
		t.Error("fraction 0 accepted")
	}
	bad = testSpec()
	bad.Keeps = []string{"hardest"}
	if bad.Validate() == nil {
		t.Error("unknown keep accepted")
	}
}

// fakeExec pretends to train: the error depends on the run, it takes a
// while, and it counts calls.
func fakeExec(calls *atomic.Int32, delay time.Duration) Executor {
	return func(ctx context.Context, r Run) (Record, error) {
		calls.Add(1)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return Record{}, ctx.Err()
		}
		return Record{TestError: 1 / float64(r.Size) * 100 * r.Fraction, Trained: int(float64(r.Size) * r.Fraction)}, nil
	}
}

// TestMain doubles as the child process that the kill test starts.
func TestMain(m *testing.M) {
	if dir := os.Getenv("SWEEP_CHILD_STORE"); dir != "" {
		var calls atomic.Int32
		Execute(context.Background(), testSpec(), Store{dir}, fakeExec(&calls, 150*time.Millisecond), Options{Workers: 2, CodeVersion: "test", Log: os.Stderr})
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A sweep killed (SIGKILL) mid-run leaves only complete records; resuming
// runs exactly the missing ones.
func TestSweepSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	st := Store{dir}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SWEEP_CHILD_STORE="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		done, _ := st.Collect(testSpec())
		if len(done) >= 5 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("child made no progress")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	done, missing := st.Collect(testSpec())
	total := len(testSpec().Runs())
	if len(done)+len(missing) != total || len(missing) == 0 {
		t.Fatalf("after the kill: %d done, %d missing of %d (the child should not have finished)", len(done), len(missing), total)
	}
	// Every file in the store is a complete record (no torn writes).
	files, _ := filepath.Glob(filepath.Join(dir, "runs", "*"))
	for _, f := range files {
		if !strings.HasSuffix(f, ".json") {
			continue // an interrupted temporary file is not a record
		}
		if _, err := st.Load(strings.TrimSuffix(filepath.Base(f), ".json")); err != nil {
			t.Errorf("torn record %s: %v", f, err)
		}
	}
	var calls atomic.Int32
	if err := Execute(context.Background(), testSpec(), st, fakeExec(&calls, 0), Options{Workers: 2, CodeVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	if int(calls.Load()) != len(missing) {
		t.Errorf("resume ran %d runs, %d were missing", calls.Load(), len(missing))
	}
	if done, _ := st.Collect(testSpec()); len(done) != total {
		t.Errorf("%d of %d runs done after resuming", len(done), total)
	}
}

// Cancelling stops the sweep; --index runs only that run.
func TestCancelAndIndex(t *testing.T) {
	st := Store{t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	if err := Execute(ctx, testSpec(), st, fakeExec(&calls, 60*time.Millisecond), Options{Workers: 1, CodeVersion: "v"}); err == nil {
		t.Error("cancelled sweep reported success")
	}
	calls.Store(0)
	if err := Execute(context.Background(), testSpec(), st, fakeExec(&calls, 0), Options{Workers: 1, Indices: []int{7}, CodeVersion: "v"}); err != nil {
		t.Fatal(err)
	}
	if !st.Has(testSpec().Runs()[7].Key()) {
		t.Error("run 7 not stored")
	}
	if err := Execute(context.Background(), testSpec(), st, fakeExec(&calls, 0), Options{Workers: 1, Indices: []int{99}, CodeVersion: "v"}); err == nil {
		t.Error("index outside the sweep accepted")
	}
}

func golden(t *testing.T, name, got string) {
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

func testCluster() Cluster {
	return Cluster{SpecPath: "/shared/sweeps/cifar10.json", StorePath: "/shared/results/cifar10", Binary: "/shared/bin/prune",
		Image: "registry.example.org/beyondscaling:latest", Volume: "pruning-shared", MountPath: "/shared",
		GPUs: 1, CPUs: 8, Parallel: 4, Time: "04:00:00", Memory: "32G"}
}

// The exports match golden files, the Slurm script passes bash -n, and the
// manifest parses as YAML with the fields an Indexed Job needs.
func TestExports(t *testing.T) {
	s, c := testSpec(), testCluster()
	script := SlurmScript(s, c)
	golden(t, "sweep.sbatch", script)
	path := filepath.Join(t.TempDir(), "sweep.sbatch")
	os.WriteFile(path, []byte(script), 0o644)
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
	if !strings.Contains(script, fmt.Sprintf("--array=0-%d%%4", len(s.Runs())-1)) {
		t.Error("array range wrong")
	}
	manifest := KubernetesJob(s, c)
	golden(t, "sweep-job.yaml", manifest)
	var job struct {
		Kind string
		Spec struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int
			Template       struct {
				Spec struct {
					Containers []struct {
						Command []string
					}
				}
			}
		}
	}
	if err := yaml.Unmarshal([]byte(manifest), &job); err != nil {
		t.Fatalf("manifest is not YAML: %v", err)
	}
	if job.Kind != "Job" || job.Spec.CompletionMode != "Indexed" || job.Spec.Completions != len(s.Runs()) {
		t.Errorf("manifest %+v", job)
	}
	cmd := job.Spec.Template.Spec.Containers[0].Command
	if len(cmd) < 4 || cmd[1] != "sweep" || cmd[2] != "run" || cmd[len(cmd)-1] != "JOB_COMPLETION_INDEX" {
		t.Errorf("container command %q", cmd)
	}
	_ = strconv.Itoa
}

// A run's key hashes the recipe's and probe preset's contents: changing a
// probe setting or a recipe value without renaming the preset changes the
// key, so a stored record is never served for another configuration.
func TestRunKeysFollowContents(t *testing.T) {
	spec := testSpec()
	runs := spec.Runs()
	var scored Run
	for _, r := range runs {
		if r.Metric == "el2n-1" {
			scored = r
			break
		}
	}
	if scored.Probes == nil || scored.ProbeRecipe == nil || scored.Recipe.Batch == 0 {
		t.Fatalf("scored run without probe preset or recipe: %+v", scored)
	}
	for name, change := range map[string]func(r *Run){
		"probe model":     func(r *Run) { p := *r.Probes; p.Model = "resnet18"; r.Probes = &p },
		"probe epochs":    func(r *Run) { p := *r.Probes; p.Epochs++; r.Probes = &p },
		"snapshot epoch":  func(r *Run) { p := *r.Probes; p.EarlyEpoch++; r.Probes = &p },
		"recipe lr":       func(r *Run) { r.Recipe.LR *= 2 },
		"probe recipe wd": func(r *Run) { q := *r.ProbeRecipe; q.WeightDecay = 0; r.ProbeRecipe = &q },
		"metric version":  func(r *Run) { r.MetricVersion++ },
	} {
		r := scored
		change(&r)
		if r.Key() == scored.Key() {
			t.Errorf("changing the %s keeps the key %s", name, r.Key())
		}
	}
	// The spec's overrides: a batch alone scales the lr linearly.
	spec.Batch = 64
	r := spec.Runs()[0]
	if r.Recipe.Batch != 64 || math.Abs(r.Recipe.LR-0.05*64/32) > 1e-12 {
		t.Errorf("batch override: batch %d lr %g, want 64 and %g", r.Recipe.Batch, r.Recipe.LR, 0.05*64/32)
	}
}

// A record made by other code is reused with a warning naming both
// versions, and recomputed only when asked; a record that Verify refuses is
// recomputed.
func TestCodeVersionAndVerify(t *testing.T) {
	st := Store{t.TempDir()}
	var calls atomic.Int32
	spec := testSpec()
	if err := Execute(context.Background(), spec, st, fakeExec(&calls, 0), Options{Workers: 1, Indices: []int{0, 1}, CodeVersion: "v1"}); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	if err := Execute(context.Background(), spec, st, fakeExec(&calls, 0), Options{Workers: 1, Indices: []int{0, 1}, CodeVersion: "v2", Log: &log}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || !strings.Contains(log.String(), "code version v1, this is v2") {
		t.Errorf("other code version: %d calls (want 2, reused), log:\n%s", calls.Load(), log.String())
	}
	if err := Execute(context.Background(), spec, st, fakeExec(&calls, 0), Options{Workers: 1, Indices: []int{0, 1}, CodeVersion: "v2", Recompute: true}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 4 {
		t.Errorf("--recompute: %d calls, want 4", calls.Load())
	}
	rec, _ := st.Load(spec.Runs()[0].Key())
	if rec.CodeVersion != "v2" {
		t.Errorf("recomputed record has code version %q", rec.CodeVersion)
	}
	log.Reset()
	refuse := func(r Record) error { return fmt.Errorf("dataset checksum differs") }
	if err := Execute(context.Background(), spec, st, fakeExec(&calls, 0), Options{Workers: 1, Indices: []int{0}, CodeVersion: "v2", Verify: refuse, Log: &log}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 5 || !strings.Contains(log.String(), "dataset checksum differs") {
		t.Errorf("refused record: %d calls (want 5), log:\n%s", calls.Load(), log.String())
	}
	// A changed recipe: new keys, and the log says what changed.
	log.Reset()
	changed := spec
	changed.LR = 0.3
	if err := Execute(context.Background(), changed, st, fakeExec(&calls, 0), Options{Workers: 1, Indices: []int{0, 1}, CodeVersion: "v2", Log: &log}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 7 || !strings.Contains(log.String(), "2 runs to run have stored records of other configurations, differing in recipe.lr") {
		t.Errorf("changed lr: %d calls (want 7), log:\n%s", calls.Load(), log.String())
	}
}

// The backend is provenance, not part of a run's key: a record trained on
// another backend is reused, and the log names both backends.
func TestOtherBackendIsReusedWithWarning(t *testing.T) {
	st := Store{t.TempDir()}
	var calls atomic.Int32
	spec := testSpec()
	on := func(backend string) Executor {
		return func(ctx context.Context, r Run) (Record, error) {
			rec, err := fakeExec(&calls, 0)(ctx, r)
			rec.Training.Backend = backend
			return rec, err
		}
	}
	opt := func(backend string, log io.Writer) Options {
		return Options{Workers: 1, Indices: []int{0, 1}, CodeVersion: "v1", Backend: backend, Log: log}
	}
	if err := Execute(context.Background(), spec, st, on("Go Backend"), opt("Go Backend", nil)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		backend, want string
	}{
		{"Go Backend + oneDNN", "2 finished runs were trained on Go Backend, this process trains on Go Backend + oneDNN: reusing them"},
		{"Go Backend", ""},
	} {
		var log strings.Builder
		if err := Execute(context.Background(), spec, st, on(c.backend), opt(c.backend, &log)); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 2 {
			t.Errorf("%s: %d calls, want 2 (records reused)", c.backend, calls.Load())
		}
		if got := strings.Contains(log.String(), "were trained on"); got != (c.want != "") || !strings.Contains(log.String(), c.want) {
			t.Errorf("%s: log\n%s\nwant it to say %q", c.backend, log.String(), c.want)
		}
	}
	// Recomputed records (another code version, --recompute) are not
	// reused, so no backend warning.
	var log strings.Builder
	o := opt("Go Backend + oneDNN", &log)
	o.CodeVersion, o.Recompute = "v2", true
	if err := Execute(context.Background(), spec, st, on("Go Backend + oneDNN"), o); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 4 || strings.Contains(log.String(), "were trained on") {
		t.Errorf("recompute: %d calls (want 4), log:\n%s", calls.Load(), log.String())
	}
}

// A spec that draws probes per seed gives every metric run its seed as the
// probe draw (random pruning and unpruned runs use no probes); a schedule
// override reaches the runs' recipes and so their keys; seed 0 cannot
// draw probes of its own.
func TestProbesPerSeedAndSchedule(t *testing.T) {
	s := testSpec()
	plain := s.Runs()
	s.ProbesPerSeed, s.Schedule = true, "cosine"
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	runs := s.Runs()
	if len(runs) != len(plain) {
		t.Fatalf("%d runs with probes per seed, %d without", len(runs), len(plain))
	}
	for k, r := range runs {
		want := uint64(0)
		if r.Metric != "random" && r.Fraction < 1 {
			want = r.Seed
		}
		if r.ProbeDraw != want || r.Recipe.Schedule != "cosine" {
			t.Errorf("%s: probe draw %d, schedule %q; want %d, cosine", r, r.ProbeDraw, r.Recipe.Schedule, want)
		}
		if r.Key() == plain[k].Key() {
			t.Errorf("%s: same key as the run without the overrides", r)
		}
	}
	s.Seeds = []uint64{0, 1}
	if err := s.Validate(); err == nil {
		t.Error("seed 0 with probes per seed accepted")
	}
}

// Runs that keep by coverage-centric selection carry its hard cutoff and
// strata (the default strata when the spec gives none); the other runs'
// keys do not change; a spec with a cutoff outside [0, 1), or ccs with
// class balancing, is refused.
func TestCCSRuns(t *testing.T) {
	s := testSpec()
	s.Keeps = []string{"hard", "ccs"}
	s.CCSCutoff = 0.1
	plain := map[string]bool{}
	for _, r := range testSpec().Runs() {
		plain[r.Key()] = true
	}
	ccs := 0
	for _, r := range s.Runs() {
		switch {
		case r.Keep == "ccs":
			ccs++
			if r.CCSCutoff != 0.1 || r.CCSStrata != 50 {
				t.Errorf("ccs run %v: cutoff %g, strata %d", r, r.CCSCutoff, r.CCSStrata)
			}
		case r.CCSCutoff != 0 || r.CCSStrata != 0:
			t.Errorf("run %v (keep %s) carries ccs settings", r, r.Keep)
		case !plain[r.Key()]:
			t.Errorf("run %v (keep %s) changed its key", r, r.Keep)
		}
	}
	if ccs != 4 { // el2n-1 at f = 0.5, 2 sizes, 2 seeds
		t.Errorf("%d ccs runs, want 4", ccs)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("valid ccs spec refused: %v", err)
	}
	for name, change := range map[string]func(*Spec){
		"cutoff 1":         func(s *Spec) { s.CCSCutoff = 1 },
		"negative strata":  func(s *Spec) { s.CCSStrata = -2 },
		"ccs with balance": func(s *Spec) { s.Balance = 0.5 },
		"unknown keep":     func(s *Spec) { s.Keeps = []string{"hardest"} },
	} {
		bad := s
		change(&bad)
		if err := bad.Validate(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
