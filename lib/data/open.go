package data

import (
	"fmt"
	"path/filepath"
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
