package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"beyondscaling/lib/data"
)

func TestHelpListsCommands(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--help"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range []string{"theory", "simulate", "notebooks", "bench", "data", "backend", "select"} {
		if !strings.Contains(out.String(), c) {
			t.Errorf("--help does not list %q:\n%s", c, out.String())
		}
	}
}

func TestTheoryLine(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"theory", "--theta", "0", "--keep", "random", "--f", "1", "--alpha-total", "1000"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	line := out.String()
	for _, k := range []string{"eps=0.0005004", "R=", "rho=", "kappa=", "res1=", "res3="} {
		if !strings.Contains(line, k) {
			t.Errorf("output %q lacks %q", line, k)
		}
	}
}

func TestTheoryCSV(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"theory", "--theta", "10", "--keep", "hard", "--f", "0.3,1", "--alpha-total", "2,20", "--csv"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][5] != "eps" {
		t.Errorf("rows %v", rows)
	}
}

func TestBadInputIsAClearError(t *testing.T) {
	for _, args := range [][]string{
		{"theory", "--keep", "hardest", "--f", "0.5", "--alpha-total", "1"},
		{"theory", "--f", "1.5", "--alpha-total", "1"},
		{"theory", "--f", "0.5", "--alpha-total", "-2"},
		{"theory", "--f", "abc", "--alpha-total", "1"},
		{"simulate", "--f", "0", "--alpha-total", "1"},
		{"nosuchcommand"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code == 0 {
			t.Errorf("%v: exit 0", args)
		} else if errb.Len() == 0 {
			t.Errorf("%v: no error message", args)
		}
	}
}

func TestSimulateLine(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"simulate", "--n", "50", "--seeds", "3", "--keep", "easy", "--f", "0.5", "--alpha-total", "2"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "eps_mean=") || !strings.Contains(out.String(), "seeds=3") {
		t.Errorf("output %q", out.String())
	}
}

func TestDataFetchVerifyFromMirror(t *testing.T) {
	needFashionMNIST(t)
	mirror := data.DebianFashionMNIST
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"data", "fetch", "fashion-mnist", "--mirror", mirror, "--dir", dir}, &out, &errb); code != 0 {
		t.Fatalf("fetch: %s", errb.String())
	}
	out.Reset()
	if code := run([]string{"data", "verify", "fashion-mnist", "--dir", dir}, &out, &errb); code != 0 {
		t.Fatalf("verify: %s %s", out.String(), errb.String())
	}
	for _, want := range []string{"fashion-mnist/train: 60000 images of 28×28×1", "Trouser 6000", "verdict: fashion-mnist is complete"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verify output lacks %q:\n%s", want, out.String())
		}
	}
	var o2, e2 bytes.Buffer
	if code := run([]string{"data", "verify", "cifar10", "--dir", dir}, &o2, &e2); code == 0 || !strings.Contains(e2.String(), "prune data fetch cifar10") {
		t.Errorf("verify of a missing dataset: %d %s", code, e2.String())
	}
}

func TestSelectWithDatasetAndBalancing(t *testing.T) {
	needFashionMNIST(t)
	dir := t.TempDir()
	// Scores: the example index, so keep hard takes the last examples.
	var b strings.Builder
	b.WriteString("id,score\n")
	for i := 0; i < 60000; i++ {
		fmt.Fprintf(&b, "fashion-mnist/train/%05d,%d\n", i, i)
	}
	scores := filepath.Join(dir, "s.csv")
	os.WriteFile(scores, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "ids.txt")
	t.Setenv("PRUNE_DATA", dir) // empty cache: the dataset comes from Debian's package
	var o, e bytes.Buffer
	if code := run([]string{"select", "--scores", scores, "--keep", "hard", "--f", "0.1", "--balance", "1", "--dataset", "fashion-mnist", "--out", out}, &o, &e); code != 0 {
		t.Fatalf("select: %s", e.String())
	}
	got, _ := os.ReadFile(out)
	if n := strings.Count(string(got), "\n"); n != 6000 {
		t.Errorf("%d IDs kept, want 6000", n)
	}
	if !strings.Contains(o.String(), "Trouser 600") {
		t.Errorf("balance 1 should keep 600 per class:\n%s", o.String())
	}
	// Scores for another dataset are refused.
	os.WriteFile(scores, []byte("id,score\ncifar10/train/00000,1\n"), 0o644)
	if code := run([]string{"select", "--scores", scores, "--f", "0.5", "--dataset", "fashion-mnist", "--out", out}, &o, &e); code == 0 || !strings.Contains(e.String(), "disagree") {
		t.Errorf("mismatched IDs accepted: %s", e.String())
	}
}

// prune train on a small subset of Fashion-MNIST with the MLP: prints the
// test accuracy; bad input gets clear errors.
func TestTrainSubsetAndBadInput(t *testing.T) {
	needFashionMNIST(t)
	dir := t.TempDir()
	t.Setenv("PRUNE_DATA", dir)
	var ids strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&ids, "fashion-mnist/train/%05d\n", i)
	}
	subset := filepath.Join(dir, "ids.txt")
	os.WriteFile(subset, []byte(ids.String()), 0o644)
	var o, e bytes.Buffer
	args := []string{"train", "--dataset", "fashion-mnist", "--model", "mlp", "--optimizer", "sgd", "--min-steps", "0", "--epochs", "2", "--batch", "64", "--lr", "0.05", "--schedule", "constant",
		"--subset", subset, "--checkpoint", filepath.Join(dir, "ckpt"), "--dynamics", filepath.Join(dir, "dyn.bin")}
	if code := run(args, &o, &e); code != 0 {
		t.Fatalf("train: %s", e.String())
	}
	var top1 float64
	if _, err := fmt.Sscanf(o.String()[strings.Index(o.String(), "test accuracy"):], "test accuracy: top-1 %f", &top1); err != nil {
		t.Fatalf("no accuracy line in:\n%s", o.String())
	}
	// An MLP on 2,000 Fashion-MNIST images reaches about 75-80% in 2 epochs.
	if top1 < 0.6 {
		t.Errorf("test accuracy %.3f after 2 epochs on 2,000 images", top1)
	}
	if !strings.Contains(o.String(), "training dynamics of 2000 examples over 2 epochs") {
		t.Errorf("no dynamics line:\n%s", o.String())
	}
	// Running it again resumes from the final checkpoint: nothing to train.
	o.Reset()
	e.Reset()
	if code := run(args, &o, &e); code != 0 || !strings.Contains(o.String(), "resumed from the checkpoint of epoch 2") {
		t.Errorf("re-run did not resume: %s", o.String())
	}

	os.WriteFile(subset, []byte("fashion-mnist/train/00001\ncifar10/train/00002\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--dataset", "fashion-mnist", "--model", "vgg11"}, "unknown model"},
		{[]string{"train", "--dataset", "fashion-mnist", "--model", "mlp", "--subset", subset}, "cifar10/train/00002"},
		{[]string{"train", "--dataset", "fashion-mnist", "--model", "mlp", "--schedule", "linear"}, "unknown schedule"},
		{[]string{"train", "--dataset", "nosuch", "--model", "mlp"}, "nosuch"},
	} {
		e.Reset()
		if code := run(c.args, &o, &e); code == 0 || !strings.Contains(e.String(), c.want) {
			t.Errorf("%v: exit %d, %q (want mention of %q)", c.args, code, e.String(), c.want)
		}
	}
}

// Every metric at the smoke profile on 512 CIFAR-10 training images: score
// files written, Spearman correlations finite and reported.
func TestScoreAllMetricsSmokeCIFAR10(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PRUNE_DATA", dir)
	t.Setenv("PRUNE_OUT", dir)
	var o, e bytes.Buffer
	_, err := data.Load("cifar10", "test")
	needData(t, "CIFAR-10", err)
	var ids strings.Builder
	for i := 0; i < 512; i++ {
		fmt.Fprintf(&ids, "cifar10/train/%05d\n", i*97)
	}
	subset := filepath.Join(dir, "ids.txt")
	os.WriteFile(subset, []byte(ids.String()), 0o644)
	outDir := filepath.Join(dir, "scores")
	o.Reset()
	if code := run([]string{"score", "--metric", "all", "--dataset", "cifar10", "--subset", subset, "--profile", "smoke", "--out", outDir}, &o, &e); code != 0 {
		t.Fatalf("score: %s", e.String())
	}
	scoreOut := o.String()
	t.Log(scoreOut)
	files, _ := filepath.Glob(filepath.Join(outDir, "*.csv"))
	if len(files) != 13 {
		t.Fatalf("%d score files, want 13", len(files))
	}
	o.Reset()
	if code := run(append([]string{"correlate"}, files...), &o, &e); code != 0 {
		t.Fatalf("correlate: %s", e.String())
	}
	t.Log("\n" + o.String())
	// At the smoke preset (4 subset networks against about 5,000 validation
	// examples) influence-max may saturate at 1 for every example: score
	// warns that it ranks nothing, and its correlations are n/a. That is
	// allowed for influence-max alone; every other pair must correlate.
	constant := map[string]bool{}
	for _, line := range strings.Split(scoreOut, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == "warning:" {
			constant[f[0]] = true
			if f[0] != "influence-max" {
				t.Errorf("%s is constant: %s", f[0], line)
			}
		}
	}
	names := map[int]string{}
	var rows [][]string
	for _, line := range strings.Split(o.String(), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[0], "[") || !strings.HasSuffix(f[0], "]") || strings.HasPrefix(f[1], "[") { // a row, not the header of keys
			continue
		}
		if k, err := strconv.Atoi(strings.Trim(f[0], "[]")); err == nil {
			names[k] = f[1]
			rows = append(rows, f)
		}
	}
	if len(rows) != 13 {
		t.Fatalf("%d rows in the correlation table, want 13:\n%s", len(rows), o.String())
	}
	for _, f := range rows {
		for j, v := range f[2:] {
			if col := names[j+1]; (v == "n/a" || v == "NaN") && !constant[f[1]] && !constant[col] {
				t.Errorf("correlation of %s and %s is %s", f[1], col, v)
			}
		}
	}
	for _, bad := range [][]string{
		{"score", "--metric", "el2n-3", "--dataset", "cifar10", "--out", outDir},
		{"score", "--metric", "random", "--dataset", "cifar10", "--subset", filepath.Join(dir, "missing.txt"), "--out", outDir},
	} {
		e.Reset()
		if code := run(bad, &o, &e); code == 0 {
			t.Errorf("%v accepted", bad)
		}
	}
}

// A small real sweep on Fashion-MNIST (MLP, two sizes, EL2N and random
// pruning): run, status, collect and export.
func TestSweepEndToEnd(t *testing.T) {
	needFashionMNIST(t)
	dir := t.TempDir()
	t.Setenv("PRUNE_DATA", dir)
	spec := filepath.Join(dir, "spec.json")
	os.WriteFile(spec, []byte(`{"name": "fmnist test", "dataset": "fashion-mnist", "model": "mlp", "epochs": 8,
		"metrics": ["el2n-1", "random"], "keeps": ["hard", "easy"], "fractions": [0.5, 1], "sizes": [400, 800], "seeds": [1], "preset": "smoke"}`), 0o644)
	store := filepath.Join(dir, "store")
	var o, e bytes.Buffer
	if code := run([]string{"sweep", "run", "--spec", spec, "--store", store, "--index", "0"}, &o, &e); code != 0 {
		t.Fatalf("sweep run --index 0: %s", e.String())
	}
	if !strings.Contains(o.String(), "1 of 8 runs done") {
		t.Errorf("after one index:\n%s", o.String())
	}
	o.Reset()
	if code := run([]string{"sweep", "run", "--spec", spec, "--store", store}, &o, &e); code != 0 {
		t.Fatalf("sweep run: %s", e.String())
	}
	if !strings.Contains(o.String(), "1 already done, 7 to run") || !strings.Contains(o.String(), "8 of 8 runs done") {
		t.Errorf("resume:\n%s", o.String())
	}
	csvPath := filepath.Join(dir, "results.csv")
	o.Reset()
	if code := run([]string{"sweep", "collect", "--spec", spec, "--store", store, "--out", csvPath}, &o, &e); code != 0 {
		t.Fatalf("collect: %s", e.String())
	}
	rows, err := csv.NewReader(strings.NewReader(string(must(os.ReadFile(csvPath))))).ReadAll()
	if err != nil || len(rows) != 9 {
		t.Fatalf("collected %d rows (%v)", len(rows), err)
	}
	for _, r := range rows[1:] {
		// Better than chance (0.9) everywhere; an MLP on 400-800 unpruned
		// Fashion-MNIST images for 8 epochs is well under 40%. Pruned sets
		// chosen by a 1-epoch smoke probe may be much worse (keep-hard at
		// small sizes is, as the theory predicts).
		var te, f float64
		fmt.Sscan(r[10], &te)
		fmt.Sscan(r[5], &f)
		if !(te > 0 && te < 0.9) || (f == 1 && te > 0.4) {
			t.Errorf("run %v: test error %g", r, te)
		}
	}
	o.Reset()
	if code := run([]string{"sweep", "export", "--spec", spec, "--store", store, "--slurm", filepath.Join(dir, "a.sbatch"), "--k8s", filepath.Join(dir, "j.yaml")}, &o, &e); code != 0 {
		t.Fatalf("export: %s", e.String())
	}
	if !strings.Contains(o.String(), "8 tasks") {
		t.Errorf("export: %s", o.String())
	}
}

// needData skips a test whose dataset is missing (err, from locating it),
// except in CI (the environment variable CI set), where the data must be
// present and a missing dataset fails the test: the rule of lib/data's
// reader tests and the notebook tests.
func needData(t *testing.T, dataset string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI: %v", dataset, err)
	}
	t.Skipf("%s is not available here: %v", dataset, err)
}

// needFashionMNIST is needData for Debian's dataset-fashion-mnist package.
func needFashionMNIST(t *testing.T) {
	t.Helper()
	_, err := os.Stat(data.DebianFashionMNIST)
	if err != nil {
		err = fmt.Errorf("Debian's dataset-fashion-mnist is not installed: %w", err)
	}
	needData(t, "Fashion-MNIST", err)
}

// The rule itself, in a child test process: a missing dataset skips the
// test outside CI and fails it with CI set.
func TestMissingDataFailsInCI(t *testing.T) {
	if os.Getenv("PRUNE_TEST_MISSING_DATA") != "" {
		needData(t, "a dataset", errors.New("not found in the test's empty folder"))
		return
	}
	for _, c := range []struct {
		ci       string
		wantFail bool
	}{{"", false}, {"true", true}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingDataFailsInCI$", "-test.v")
		cmd.Env = append(os.Environ(), "PRUNE_TEST_MISSING_DATA=1", "CI="+c.ci)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != c.wantFail {
			t.Errorf("CI=%q: child test failed=%v, want %v:\n%s", c.ci, failed, c.wantFail, out)
		}
		if !c.wantFail && !strings.Contains(string(out), "SKIP") {
			t.Errorf("CI unset: the child test did not skip:\n%s", out)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// prune select --keep ccs: the hard cutoff drops the hardest examples, the
// budget is kept, and the output says how it was chosen.
func TestSelectCCS(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,score\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "ex%04d,%d\n", i, i)
	}
	scores, out := filepath.Join(dir, "s.csv"), filepath.Join(dir, "ids.txt")
	os.WriteFile(scores, []byte(b.String()), 0o644)
	var o, e bytes.Buffer
	if code := run([]string{"select", "--scores", scores, "--keep", "ccs", "--f", "0.3", "--offset", "0.1", "--strata", "10", "--out", out}, &o, &e); code != 0 {
		t.Fatalf("select: %s", e.String())
	}
	got, _ := os.ReadFile(out)
	ids := strings.Fields(string(got))
	if len(ids) != 300 {
		t.Errorf("%d IDs kept, want 300", len(ids))
	}
	for _, id := range ids {
		if id >= "ex0900" {
			t.Errorf("kept %s, one of the hardest 10%% that the cutoff drops", id)
			break
		}
	}
	if !strings.Contains(o.String(), "keep ccs, f = 0.3, hard cutoff β = 0.1, 10 strata") {
		t.Errorf("output: %s", o.String())
	}
}
