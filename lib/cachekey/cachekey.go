package cachekey

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Hash is a short hex digest of the canonical JSON of v: the key of a
// cache entry computed from v. Two values with equal JSON share a key.
func Hash(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("cachekey.Hash: %v", err)) // only plain data is hashed
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// HashStrings is the digest of a list of strings (example IDs), order
// included.
func HashStrings(xs []string) string {
	h := sha256.New()
	for _, x := range xs {
		h.Write([]byte(x))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Diff names the fields in which two values' JSON forms differ (nested
// fields as a.b), sorted: what a cache message says changed.
func Diff(a, b any) []string {
	var ma, mb any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	json.Unmarshal(ja, &ma)
	json.Unmarshal(jb, &mb)
	var out []string
	diff("", ma, mb, &out)
	sort.Strings(out)
	return out
}

func diff(path string, a, b any, out *[]string) {
	ma, okA := a.(map[string]any)
	mb, okB := b.(map[string]any)
	if !okA || !okB {
		if ja, jb := fmt.Sprint(a), fmt.Sprint(b); ja != jb {
			*out = append(*out, strings.TrimPrefix(path, "."))
		}
		return
	}
	keys := map[string]bool{}
	for k := range ma {
		keys[k] = true
	}
	for k := range mb {
		keys[k] = true
	}
	for k := range keys {
		diff(path+"."+k, ma[k], mb[k], out)
	}
}

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
