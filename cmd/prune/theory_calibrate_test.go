package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beyondscaling/lib/calibration"
	"beyondscaling/theory"
)

// writeGridCSV writes a pruning grid in prune sweep collect's format whose
// errors follow the calibration model with known parameters (three seeds,
// noise of 0.3 points per run).
func writeGridCSV(t *testing.T, path string, truth theory.Calibration) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	b.WriteString("dataset,model,epochs,metric,keep,fraction,size,seed,balance,trained,test_error,test_top5,seconds\n")
	for _, seed := range []int{101, 201, 202, 203} {
		for _, n := range []int{1000, 2700, 7400, 20000, 55000} {
			for _, f := range []float64{0.2, 0.5, 0.7, 1} {
				type cfg struct {
					metric, keep string
					k            theory.Keep
				}
				cfgs := []cfg{{"el2n-20", "hard", theory.KeepHard}, {"el2n-20", "easy", theory.KeepEasy}, {"random", "random", theory.KeepRandom}}
				if f == 1 {
					cfgs = []cfg{{"none", "all", theory.KeepRandom}}
				}
				for _, c := range cfgs {
					v, err := truth.Predict(float64(n), f, c.k)
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(&b, "fashion-mnist,mlp-256,10,%s,%s,%g,%d,%d,0,%d,%.5f,0.99,1.5\n", c.metric, c.keep, f, n, seed, int(f*float64(n)), v+0.003*rng.NormFloat64())
				}
			}
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// prune theory calibrate fits the grid's small sizes on its fresh seeds (by
// default all but the smallest, the selection seed), prints the parameters
// and the held-out comparison, saves the calibration, and prune theory
// advise --calibration answers from it.
func TestTheoryCalibrateAndAdvise(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs.csv")
	writeGridCSV(t, runs, theory.Calibration{DEff: 150, ThetaDeg: 10, A: 0.08, B: 0.9})
	cal := filepath.Join(dir, "cal.json")
	cells := filepath.Join(dir, "cells.csv")
	var out, errb bytes.Buffer
	args := []string{"theory", "calibrate", "--results", runs, "--fit-max-n", "7400", "--test-examples", "10000", "--out", cal, "--csv", cells}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	got := out.String()
	for _, s := range []string{"seeds [201 202 203]", "at n = 1000, 2700, 7400", "d_eff = 1", "Held out (never seen by the fit): n = 20000, 55000",
		calibration.MethodTheory, calibration.MethodPersistence, calibration.MethodPowerLaw, "of 6", "calibration saved to " + cal} {
		if !strings.Contains(got, s) {
			t.Errorf("calibrate output lacks %q:\n%s", s, got)
		}
	}
	if b, err := os.ReadFile(cells); err != nil || !strings.Contains(string(b), "held out") {
		t.Errorf("cells CSV: %v\n%s", err, b)
	}
	out.Reset()
	if code := run([]string{"theory", "advise", "--calibration", cal, "--n", "30000"}, &out, &errb); code != 0 {
		t.Fatalf("advise: exit %d: %s", code, errb.String())
	}
	f, err := calibration.Load(cal)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := calibration.WriteAdvice(&want, f, 30000, calibration.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
	if out.String() != want.String() {
		t.Errorf("advise --calibration output differs from calibration.WriteAdvice:\n%s\nwant:\n%s", out.String(), want.String())
	}
}

func TestTheoryCalibrateBadInput(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs.csv")
	writeGridCSV(t, runs, theory.Calibration{DEff: 150, ThetaDeg: 10, A: 0.08, B: 0.9})
	oneSize := filepath.Join(dir, "one-size.csv")
	b, _ := os.ReadFile(runs)
	var keep []string
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if i == 0 || strings.Contains(line, ",1000,") {
			keep = append(keep, line)
		}
	}
	os.WriteFile(oneSize, []byte(strings.Join(keep, "\n")+"\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"theory", "calibrate"}, "--results RUNS.csv is required"},
		{[]string{"theory", "calibrate", "--results", filepath.Join(dir, "none.csv")}, "prune sweep collect"},
		{[]string{"theory", "calibrate", "--results", runs, "--test-examples", "10000", "--metric", "nope"}, "no runs of metric \"nope\""},
		{[]string{"theory", "calibrate", "--results", oneSize, "--test-examples", "10000"}, "at least two"},
		{[]string{"theory", "calibrate", "--results", runs, "--seeds", "x"}, "--seeds: \"x\""},
		{[]string{"theory", "advise", "--calibration", filepath.Join(dir, "none.json"), "--n", "100"}, "prune theory calibrate"},
		{[]string{"theory", "advise", "--calibration", runs}, "--n N"},
		{[]string{"theory", "advise", "--calibration", runs, "--n", "100", "--theta", "5"}, "drop --alpha-total"},
		{[]string{"theory", "advise", "--alpha-total", "10", "--n", "100"}, "--n is for --calibration"},
	} {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code == 0 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want an error containing %q", c.args, code, errb.String(), c.want)
		}
	}
}
