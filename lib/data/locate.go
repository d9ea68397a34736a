package data

import (
	"fmt"
	"os"
	"path/filepath"
)

// DebianFashionMNIST is where Debian's dataset-fashion-mnist package puts the
// four IDX files.
const DebianFashionMNIST = "/usr/share/datasets/fashion-mnist"

// SharedMirror returns an offline mirror of dataset folders: $PRUNE_SHARED_DATA,
// else a shared/data folder beside the repository root (as on the project's
// CI machines), else "".
func SharedMirror(root string) string {
	if d := os.Getenv("PRUNE_SHARED_DATA"); d != "" {
		return d
	}
	if root != "" {
		d := filepath.Join(filepath.Dir(root), "shared", "data")
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return ""
}

// present reports whether dir (a cache: one folder per dataset) holds the
// files of dataset name.
func present(dir, name string) bool {
	switch name {
	case "imagenet32", "imagenet64":
		m, _ := filepath.Glob(filepath.Join(dir, name, "*.npz"))
		return len(m) > 0
	case "imagenet":
		_, err := os.Stat(filepath.Join(dir, "imagenet", "train"))
		return err == nil
	}
	src, ok := Sources[name]
	if !ok {
		return false
	}
	return haveAll(src, filepath.Join(dir, src.Folder))
}

// Locate returns a directory from which Open(dir, name, split) reads the
// dataset: the project's cache, else the shared offline mirror, else (for
// Fashion-MNIST) Debian's package folder.
func Locate(cache, root, name string) (string, error) {
	candidates := []string{cache}
	if m := SharedMirror(root); m != "" {
		candidates = append(candidates, m)
	}
	if name == "fashion-mnist" {
		candidates = append(candidates, filepath.Dir(DebianFashionMNIST))
	}
	for _, c := range candidates {
		if c != "" && present(c, name) {
			return c, nil
		}
	}
	return "", fmt.Errorf("%s is not present in %v: %s", name, candidates, HowToGet(name))
}

// HowToGet says how to obtain a dataset.
func HowToGet(name string) string {
	switch name {
	case "imagenet", "imagenet32", "imagenet64":
		return Sources["imagenet"].Manual
	case "fashion-mnist":
		return "run `prune data fetch fashion-mnist` (or install Debian's dataset-fashion-mnist and add --mirror " + DebianFashionMNIST + ")"
	}
	return fmt.Sprintf("run `prune data fetch %s` (official download, checksums verified)", name)
}

// Status is whether a dataset is available here.
type Status struct {
	Name    string
	Dir     string // where it can be read, if present
	Present bool
	Note    string // how to get it, if absent
}

// Availability reports every dataset the project knows.
func Availability(cache, root string) []Status {
	var out []Status
	for _, n := range []string{"cifar10", "cifar100", "svhn", "fashion-mnist", "mnist", "imagenet32", "imagenet64", "imagenet"} {
		dir, err := Locate(cache, root, n)
		st := Status{Name: n, Dir: dir, Present: err == nil}
		if err != nil {
			st.Note = HowToGet(n)
		}
		out = append(out, st)
	}
	return out
}
