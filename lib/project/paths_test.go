package project

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRootFromWorkingDirectory(t *testing.T) {
	t.Setenv(EnvRoot, "")
	t.Setenv("GONB_DIR", "")
	r, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r, "go.mod")); err != nil {
		t.Errorf("root %s has no go.mod", r)
	}
}

func TestRootFromGONBDir(t *testing.T) {
	t.Setenv(EnvRoot, "")
	wd, _ := os.Getwd()
	root := filepath.Dir(filepath.Dir(wd)) // lib/project -> repository root
	t.Setenv("GONB_DIR", filepath.Join(root, "notebooks"))
	other := t.TempDir()
	t.Chdir(other)
	r, err := Root()
	if err != nil || r != root {
		t.Errorf("Root() = %q, %v; want %q", r, err, root)
	}
}

func TestOverrides(t *testing.T) {
	d := t.TempDir()
	t.Setenv(EnvFigures, d)
	if got, _ := Figures(); got != d {
		t.Errorf("Figures() = %q, want %q", got, d)
	}
	t.Setenv(EnvRoot, "")
	t.Setenv("GONB_DIR", "")
	t.Chdir(t.TempDir())
	if _, err := Data(); err == nil {
		t.Error("no root and no override: want an error")
	}
}

// Without PRUNE_FIGURES, figures go to the working folder out/figures, never
// to the committed gallery figures/.
func TestFiguresDefaultIsWorkingFolder(t *testing.T) {
	root := t.TempDir()
	t.Setenv(EnvRoot, root)
	t.Setenv(EnvFigures, "")
	got, err := Figures()
	if want := filepath.Join(root, "out", "figures"); err != nil || got != want {
		t.Errorf("Figures() = %q, %v; want %q", got, err, want)
	}
	if g, _ := Gallery(); g != filepath.Join(root, "figures") || g == got {
		t.Errorf("Gallery() = %q", g)
	}
}
