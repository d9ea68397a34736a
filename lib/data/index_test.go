package data

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// OpenIndex learns ImageNet's IDs and labels from file names alone: files
// that are not images at all are listed, not decoded, and nothing is
// cached; the IDs and labels are those ReadImageNet gives.
func TestOpenIndexImageNetDecodesNothing(t *testing.T) {
	cache := t.TempDir()
	for _, f := range []string{"n01443537/n01443537_7.JPEG", "n01440764/n01440764_10026.JPEG", "n01440764/n01440764_3.JPEG"} {
		p := filepath.Join(cache, "imagenet", "train", f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("not a JPEG"), 0o644)
	}
	ix, err := OpenIndex(cache, "imagenet", "train")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ix.IDs, []string{"n01440764_10026", "n01440764_3", "n01443537_7"}) ||
		!reflect.DeepEqual(ix.Labels, []int32{0, 0, 1}) || !reflect.DeepEqual(ix.Classes, []string{"n01440764", "n01443537"}) {
		t.Errorf("index %+v", ix)
	}
	if _, err := os.Stat(filepath.Join(cache, ".cache")); err == nil {
		t.Error("OpenIndex wrote a cache")
	}
	if _, err := Open(cache, "imagenet", "train"); err == nil {
		t.Error("Open decoded files that are not images (the test's premise)")
	}
}

// CacheFor takes the cache or the dataset's own folder.
func TestCacheFor(t *testing.T) {
	cache := t.TempDir()
	folder := filepath.Join(cache, "imagenet")
	os.MkdirAll(filepath.Join(folder, "train"), 0o755)
	other := filepath.Join(cache, "ilsvrc")
	os.MkdirAll(filepath.Join(other, "train"), 0o755)
	empty := t.TempDir()
	for _, c := range []struct {
		dir, want, errHas string
	}{
		{cache, cache, ""},
		{folder, cache, ""},
		{folder + "/", cache, ""},
		{empty, empty, ""},
		{other, "", "rename it"},
	} {
		got, err := CacheFor(c.dir, "imagenet")
		if c.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), c.errHas) {
				t.Errorf("CacheFor(%s): %v, want an error saying %q", c.dir, err, c.errHas)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("CacheFor(%s) = %q, %v; want %q", c.dir, got, err, c.want)
		}
	}
}
