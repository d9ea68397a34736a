package prune

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// FuzzReadScores feeds the score reader arbitrary bytes (seed corpus in
// testdata/fuzz/FuzzReadScores: the layouts and failures of real score
// files, as in scorefile_failures_test.go). It
// must not panic, and what it accepts must be whole: as many IDs as
// scores, every ID once and non-empty, every score finite, and no more rows
// than the text has lines (no row invented).
func FuzzReadScores(f *testing.F) {
	f.Add([]byte("id,score\na,0.5\nb,0.25\n"), false)
	f.Add([]byte(",0\na,0.5\nb,NaN\n"), true)
	f.Fuzz(func(t *testing.T, text []byte, drop bool) {
		opt := ReadOptions{Partial: true}
		if drop {
			opt.NaN = NaNDrop
		}
		s, err := decodeScores("fuzz.csv", bytes.NewReader(text), opt, 0, int64(len(text)))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		if len(s.IDs) != len(s.Values) || len(s.IDs) == 0 {
			t.Fatalf("%d IDs for %d scores", len(s.IDs), len(s.Values))
		}
		if lines := bytes.Count(text, []byte("\n")) + 1; len(s.IDs) > lines {
			t.Fatalf("%d rows read from %d lines", len(s.IDs), lines)
		}
		seen := map[string]bool{}
		for i, id := range s.IDs {
			if id == "" || seen[id] {
				t.Fatalf("ID %q empty or repeated", id)
			}
			seen[id] = true
			if math.IsNaN(s.Values[i]) || math.IsInf(s.Values[i], 0) {
				t.Fatalf("score %v accepted", s.Values[i])
			}
		}
	})
}
