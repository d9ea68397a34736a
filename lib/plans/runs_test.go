package plans

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"beyondscaling/lib/project"
	"beyondscaling/lib/sweep"
)

// The store of a profile is OUT/sweeps/PROFILE, and collecting a sweep
// that has not run is refused with the count of unfinished runs, the
// store and the fix, never answered with a partial set of records.
func TestCollectRefusesUnfinished(t *testing.T) {
	out := t.TempDir()
	t.Setenv(project.EnvOut, out)
	dir, err := StoreDir("smoke")
	if err != nil || dir != filepath.Join(out, "sweeps", "smoke") {
		t.Fatalf("store %q, %v", dir, err)
	}
	spec := CIFARScaling("smoke")
	recs, err := Collect("smoke", []sweep.Spec{spec})
	want := fmt.Sprintf("has %d unfinished runs in %s: run it first", len(spec.Runs()), dir)
	if err == nil || !strings.Contains(err.Error(), want) || recs != nil {
		t.Errorf("collecting an unrun sweep: %d records, %v; want the error %q", len(recs), err, want)
	}
}
