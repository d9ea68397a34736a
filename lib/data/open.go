package data

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"beyondscaling/lib/project"
)

// Splits lists the splits a dataset name reads.
func Splits(name string) []string {
	switch name {
	case "svhn":
		return []string{"train", "test"}
	case "svhn-extra":
		return []string{"extra"}
	case "imagenet32", "imagenet64":
		return []string{"train", "val"}
	case "imagenet":
		return []string{"train", "val"}
	}
	return []string{"train", "test"}
}

// Open reads split of the dataset name from the cache dir (the folder that
// holds one folder per dataset), with the same names as prune data fetch:
// cifar10, cifar100, svhn, svhn-extra, fashion-mnist, mnist, imagenet,
// imagenet32, imagenet64.
func Open(dir, name, split string) (*Dataset, error) {
	switch name {
	case "cifar10":
		return ReadCIFAR10(filepath.Join(dir, "cifar-10-batches-bin"), split)
	case "cifar100":
		return ReadCIFAR100(filepath.Join(dir, "cifar-100-binary"), split)
	case "svhn", "svhn-extra":
		return ReadSVHN(filepath.Join(dir, "svhn"), split)
	case "fashion-mnist", "mnist":
		return ReadIDX(filepath.Join(dir, name), name, split)
	case "imagenet":
		return ReadImageNet(filepath.Join(dir, "imagenet"), split, ImageNetOptions{CacheDir: filepath.Join(dir, ".cache")})
	case "imagenet32", "imagenet64":
		size := 32
		if name == "imagenet64" {
			size = 64
		}
		return ReadDownsampledImageNet(filepath.Join(dir, name), size, split)
	}
	return nil, fmt.Errorf("unknown dataset %q: use cifar10, cifar100, svhn, svhn-extra, fashion-mnist, mnist, imagenet, imagenet32 or imagenet64", name)
}

// Load finds a dataset where Locate looks (the project's data folder, the
// shared mirror, Debian's package) and reads one split.
func Load(name, split string) (*Dataset, error) {
	dir, err := locateDefault(name)
	if err != nil {
		return nil, err
	}
	return Open(dir, name, split)
}

// Present reports, without reading it, whether a dataset is where Load
// looks (nil) or why not: what notebooks ask before choosing a dataset,
// at the cost of a few file look-ups rather than decoding a split.
func Present(name string) error {
	_, err := locateDefault(name)
	return err
}

// locateDefault is Locate in the project's cache and root.
func locateDefault(name string) (string, error) {
	root, err := project.Root()
	if err != nil {
		return "", err
	}
	cache, err := project.Data()
	if err != nil {
		return "", err
	}
	return Locate(cache, root, name)
}

// ReadIDs reads a file of example IDs, one per line (blank lines and lines
// starting with # are skipped), as written by `prune select`.
func ReadIDs(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ID file: %w", err)
	}
	var ids []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			ids = append(ids, line)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("ID file %s lists no example IDs", path)
	}
	return ids, nil
}
