package project

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fakeSMI puts an nvidia-smi script first on PATH for one test.
func fakeSMI(t *testing.T, script string) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nvidia-smi"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(filepath.ListSeparator)+os.Getenv("PATH"))
}

// The answer follows nvidia-smi's exit status; one that hangs counts as
// no GPU once NVIDIATimeout has passed. (NVIDIA caches its answer, so each case
// calls the uncached function.)
func TestNVIDIA(t *testing.T) {
	for _, c := range []struct {
		name, script string
		want         bool
	}{
		{"answers", "echo 'GPU 0: NVIDIA H200'", true},
		{"fails", "echo 'NVIDIA-SMI has failed' >&2; exit 9", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			fakeSMI(t, c.script)
			if got := probeNVIDIA(NVIDIATimeout); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	t.Run("hangs", func(t *testing.T) {
		fakeSMI(t, "exec sleep 30")
		t0 := time.Now()
		if probeNVIDIA(200 * time.Millisecond) {
			t.Error("a hanging nvidia-smi counted as a GPU")
		}
		if d := time.Since(t0); d > 10*time.Second {
			t.Errorf("took %v: the timeout did not stop it", d)
		}
	})
	t.Run("absent", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		if probeNVIDIA(NVIDIATimeout) {
			t.Error("no nvidia-smi on PATH counted as a GPU")
		}
	})
}
