package embeddings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A CSV with a header is read row by row; Align reorders the rows to a
// scored set's IDs and refuses an ID it lacks; a row of another width is an
// error naming the file and line.
func TestReadCSVAndAlign(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("id,e0,e1\na,1,2\nb,3,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Read(good)
	if err != nil {
		t.Fatal(err)
	}
	if e.Dim != 2 || len(e.IDs) != 2 || e.Source != good {
		t.Fatalf("read %+v", e)
	}
	got, err := e.Align([]string{"b", "a"})
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{3, 4, 1, 2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("aligned %v, want %v", got, want)
		}
	}
	if _, err := e.Align([]string{"c"}); err == nil || !strings.Contains(err.Error(), "no row for example c") {
		t.Errorf("missing ID: %v", err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("a,1,2\nb,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(bad); err == nil || !strings.Contains(err.Error(), "bad.csv line 2") {
		t.Errorf("ragged rows: %v", err)
	}
}
