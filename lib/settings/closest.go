package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// ClosestKey says why no cached result fits a configuration: it reads the
// keys stored as JSON in the files matching pattern (the caches of other
// configurations) and returns how many files there are and the fields in
// which the closest readable key differs from want (Diff); fields is empty
// when none could be read.
func ClosestKey[K any](pattern string, want K) (others int, fields []string) {
	files, _ := filepath.Glob(pattern)
	for _, f := range files {
		var k K
		if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &k) == nil {
			if d := Diff(k, want); fields == nil || len(d) < len(fields) {
				fields = d
			}
		}
	}
	return len(files), fields
}
