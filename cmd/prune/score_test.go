package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"beyondscaling/lib/data"
)

// prune score's default work folder is keyed by the examples scored: two
// different subsets of the same size get different folders (it was keyed
// by the size alone, so the second reused the first one's networks).
func TestScoreWorkFolderKeyedBySubset(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PRUNE_DATA", dir)
	t.Setenv("PRUNE_OUT", dir)
	if _, err := data.Load("cifar10", "train"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CIFAR-10 must be present in CI: %v", err)
		}
		t.Skipf("CIFAR-10 is not available here: %v", err)
	}
	folder := regexp.MustCompile(`work folder (\S+)`)
	var folders []string
	for k, offset := range []int{0, 1} {
		var ids strings.Builder
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&ids, "cifar10/train/%05d\n", 2*i+offset)
		}
		subset := filepath.Join(dir, fmt.Sprintf("ids%d.txt", k))
		os.WriteFile(subset, []byte(ids.String()), 0o644)
		var o, e bytes.Buffer
		if code := run([]string{"score", "--metric", "random", "--dataset", "cifar10", "--subset", subset, "--profile", "smoke",
			"--out", filepath.Join(dir, fmt.Sprintf("s%d.csv", k))}, &o, &e); code != 0 {
			t.Fatalf("score: %s", e.String())
		}
		m := folder.FindStringSubmatch(o.String())
		if m == nil {
			t.Fatalf("no work folder in:\n%s", o.String())
		}
		folders = append(folders, m[1])
	}
	if folders[0] == folders[1] {
		t.Errorf("two subsets of 100 examples share the work folder %s", folders[0])
	}
}
