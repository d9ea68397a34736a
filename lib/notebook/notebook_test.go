package notebook

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An executed notebook as nbconvert --allow-errors writes it: a panic (stderr
// stream + error) in cell 2, a compile error in cell 3.
const executed = `{"cells": [
 {"cell_type": "markdown", "source": ["# title"]},
 {"cell_type": "code", "outputs": [
   {"output_type": "stream", "name": "stderr", "text": ["panic: boom\n", "goroutine 1\n"]},
   {"output_type": "error", "ename": "ERROR", "evalue": "exit status 2", "traceback": []}]},
 {"cell_type": "code", "outputs": [
   {"output_type": "error", "ename": "ERROR", "evalue": "./main.go:10:6: undefined: x", "traceback": []}]},
 {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout", "text": "fine\n"}]}],
 "metadata": {"beyondscaling": {"figures": ["fig-a", "fig-b"]}}, "nbformat": 4, "nbformat_minor": 5}`

func TestReadErrorsAndDeclaredFigures(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nb.ipynb")
	if err := os.WriteFile(p, []byte(executed), 0o644); err != nil {
		t.Fatal(err)
	}
	cells, errs, err := readErrors(p)
	if err != nil {
		t.Fatal(err)
	}
	if cells != 4 || len(errs) != 2 || errs[0].Cell != 2 || errs[1].Cell != 3 {
		t.Fatalf("cells %d, errors %+v", cells, errs)
	}
	if !strings.Contains(errs[0].Stderr, "panic: boom") || !strings.Contains(errs[1].Message, "undefined: x") {
		t.Errorf("errors %+v", errs)
	}
	rep := Report{Notebook: p, Errors: errs}
	if e := rep.Err(); e == nil || !strings.Contains(e.Error(), "2 failing cell(s)") {
		t.Errorf("Err() = %v", e)
	}
	figs, err := Declared(p)
	if err != nil || len(figs) != 2 || figs[1] != "fig-b" {
		t.Errorf("Declared = %v, %v", figs, err)
	}
}

func TestCheckFigures(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{"pdf", "svg", "png", "csv"} {
		os.WriteFile(filepath.Join(dir, "fig-a."+ext), []byte("x"), 0o644)
	}
	if err := CheckFigures(dir, []string{"fig-a"}); err != nil {
		t.Error(err)
	}
	os.Remove(filepath.Join(dir, "fig-a.png"))
	if err := CheckFigures(dir, []string{"fig-a"}); err == nil || !strings.Contains(err.Error(), "fig-a.png") {
		t.Errorf("missing PNG not reported: %v", err)
	}
}

func TestNotValidNotebook(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.ipynb")
	os.WriteFile(p, []byte("{not json"), 0o644)
	if _, err := Declared(p); err == nil || !strings.Contains(err.Error(), "not a valid notebook") {
		t.Errorf("error %v", err)
	}
}

// dump is a crash dump as GOTRACEBACK=all prints it: the message, the
// crashing goroutine, then every other goroutine (here enough of them to push
// the message out of the 2,000-character tail that a report keeps).
func dump(message, first string, others int) string {
	var b strings.Builder
	b.WriteString("run 1/6 done\n" + message + "\n\n" + first + "\n\n")
	for g := 0; g < others; g++ {
		fmt.Fprintf(&b, "goroutine %d [chan receive]:\nexample.com/pool.wait()\n\t/src/pool.go:12 +0x1d\ncreated by example.com/pool.start in goroutine 1\n\t/src/pool.go:30 +0x4f\n\n", 100+g)
	}
	return b.String()
}

const firstGoroutine = `goroutine 7 [running]:
example.com/ops.scatter(...)
	/src/scatter.go:197 +0x3a
created by example.com/pool.start in goroutine 1
	/src/pool.go:30 +0x4f`

func TestCrashHead(t *testing.T) {
	long := make([]string, 200)
	for i := range long {
		long[i] = fmt.Sprintf("example.com/deep.f%d()\n\t/src/deep.go:%d +0x1", i, i)
	}
	for _, tc := range []struct {
		name, out, want string
	}{
		{"no crash", "epoch 1/2: loss 2.3\nerror: file missing\n", ""},
		{"panic in a goroutine", dump("panic: index out of range [5] with length 3", firstGoroutine, 3),
			"panic: index out of range [5] with length 3\n\n" + firstGoroutine},
		{"fatal error", dump("fatal error: concurrent map writes", firstGoroutine, 3),
			"fatal error: concurrent map writes\n\n" + firstGoroutine},
		{"signal with runtime stack", "x\nSIGSEGV: segmentation violation\nPC=0x4 m=3 sigcode=1\n\n" + firstGoroutine + "\n\ngoroutine 8 [select]:\n",
			"SIGSEGV: segmentation violation\nPC=0x4 m=3 sigcode=1\n\n" + firstGoroutine},
		{"panic not at a line start", "log: a panic: was recovered\n", ""},
		{"first goroutine too deep", "panic: deep\n\ngoroutine 1 [running]:\n" + strings.Join(long, "\n") + "\n",
			"panic: deep\n\ngoroutine 1 [running]:\n" + firstLines(strings.Join(long, "\n"), crashHeadLines-3) + "\n…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CrashHead(tc.out); got != tc.want {
				t.Errorf("CrashHead =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func firstLines(s string, n int) string {
	return strings.Join(strings.SplitN(s, "\n", n+1)[:n], "\n")
}

// A crash whose goroutine dump is longer than the tail a report keeps: the
// report still shows the panic message and the crashing goroutine.
func TestReportShowsCrashBeyondTail(t *testing.T) {
	stderr := dump("panic: index out of range [5] with length 3", firstGoroutine, 200)
	nb := map[string]any{
		"cells": []any{map[string]any{"cell_type": "code", "outputs": []any{
			map[string]any{"output_type": "stream", "name": "stderr", "text": stderr},
			map[string]any{"output_type": "error", "ename": "ERROR", "evalue": "exit status 2", "traceback": []any{}}}}},
		"metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5,
	}
	b, _ := json.Marshal(nb)
	p := filepath.Join(t.TempDir(), "crash.ipynb")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, err := readErrors(p)
	if err != nil || len(errs) != 1 {
		t.Fatalf("errors %v, %v", errs, err)
	}
	if strings.Contains(errs[0].Stderr, "panic:") {
		t.Fatal("the fixture's dump is short enough for the tail to hold the panic; make it longer")
	}
	msg := Report{Notebook: p, Errors: errs}.Err().Error()
	for _, want := range []string{"panic: index out of range [5] with length 3", "goroutine 7 [running]:", "/src/scatter.go:197", "goroutine 299 [chan receive]:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q:\n%s", want, msg)
		}
	}
	if strings.Count(msg, "goroutine 100 [") != 0 {
		t.Errorf("the report holds the whole dump, not its head and tail:\n%.3000s", msg)
	}
}

func TestExperiments(t *testing.T) {
	for _, tc := range []struct {
		in   string
		simd bool
		want string
	}{
		{"", false, ""},
		{"simd", false, ""},
		{"simd", true, "simd"},
		{"", true, "simd"},
		{"arenas,simd", false, "arenas"},
		{"simd, arenas", false, "arenas"},
		{"arenas", true, "arenas,simd"},
		{"arenas,simd", true, "arenas,simd"},
	} {
		if got := Experiments(tc.in, tc.simd); got != tc.want {
			t.Errorf("Experiments(%q, %v) = %q, want %q", tc.in, tc.simd, got, tc.want)
		}
	}
}

// The notebooks' programs are built with GOEXPERIMENT=simd unless
// PRUNE_SIMD=0, whatever the shell sets (environment.md, "The SIMD crash").
func TestGoEnvSIMDSwitch(t *testing.T) {
	lookup := func(env []string, k string) (string, bool) {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v, true
			}
		}
		return "", false
	}
	for _, tc := range []struct {
		shell, simd, want string
	}{
		{"", "", "simd"},
		{"simd", "", "simd"},
		{"simd", "0", ""},
		{"", "0", ""},
		{"arenas,simd", "0", "arenas"},
		{"", "1", "simd"},
	} {
		t.Setenv("GOEXPERIMENT", tc.shell)
		t.Setenv(SIMDEnvVar, tc.simd)
		h := &Harness{Root: t.TempDir()}
		h.defaults()
		if got, ok := lookup(h.goEnv(), "GOEXPERIMENT"); !ok || got != tc.want {
			t.Errorf("GOEXPERIMENT=%q %s=%q: kernel gets GOEXPERIMENT=%q (set %v), want %q", tc.shell, SIMDEnvVar, tc.simd, got, ok, tc.want)
		}
	}
}
