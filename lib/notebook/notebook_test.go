package notebook

import (
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
