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
	return holds(filepath.Join(dir, folderName(name)), name)
}

// folderName is the folder of dataset name inside a cache.
func folderName(name string) string {
	if src, ok := Sources[name]; ok {
		return src.Folder
	}
	return name // imagenet32, imagenet64
}

// holds reports whether folder itself holds the files of dataset name.
func holds(folder, name string) bool {
	switch name {
	case "imagenet32", "imagenet64":
		m, _ := filepath.Glob(filepath.Join(folder, "*.npz"))
		return len(m) > 0
	case "imagenet":
		_, err := os.Stat(filepath.Join(folder, "train"))
		return err == nil
	}
	src, ok := Sources[name]
	return ok && haveAll(src, folder)
}

// CacheFor returns the cache (the folder holding one folder per dataset)
// for dir, which may be that cache or the dataset's own folder in it
// (cifar-10-batches-bin, fashion-mnist, ...): both are what people mean by
// "the dataset's folder". A folder that holds the files under another name
// is an error saying what to rename.
func CacheFor(dir, name string) (string, error) {
	if present(dir, name) {
		return dir, nil
	}
	dir = filepath.Clean(dir)
	if !holds(dir, name) {
		return dir, nil // neither: the caller reports what is missing
	}
	if filepath.Base(dir) != folderName(name) {
		return "", fmt.Errorf("%s holds the %s files, but they are read from a folder named %s: rename it (or make a link) %s", dir, name, folderName(name), filepath.Join(filepath.Dir(dir), folderName(name)))
	}
	return filepath.Dir(dir), nil
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
