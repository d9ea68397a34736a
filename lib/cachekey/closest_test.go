package cachekey

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The closest of several stored keys is the one differing in the fewest
// fields; an unreadable file counts as a cache but is not compared.
func TestClosestKey(t *testing.T) {
	type key struct {
		Model  string `json:"model"`
		Epochs int    `json:"epochs"`
		Seed   int    `json:"seed"`
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"a": `{"model":"cnn","epochs":3,"seed":2}`, // differs in model, epochs, seed
		"b": `{"model":"mlp","epochs":3,"seed":1}`, // differs in epochs
		"c": `not json`,
	} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "key.json"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, fields := ClosestKey(filepath.Join(dir, "*", "key.json"), key{Model: "mlp", Epochs: 2, Seed: 1})
	if n != 3 || len(fields) != 1 || !slices.Contains(fields, "epochs") {
		t.Errorf("%d others, closest differs in %v; want 3 and [epochs]", n, fields)
	}
	if n, fields := ClosestKey(filepath.Join(dir, "none-*"), key{}); n != 0 || len(fields) != 0 {
		t.Errorf("no caches: %d, %v", n, fields)
	}
}
