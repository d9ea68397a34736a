package data

import (
	"path/filepath"
	"strings"
)

// Index is a split's examples without their images: IDs, labels and class
// names.
type Index struct {
	IDs     []string
	Labels  []int32
	Classes []string
}

// OpenIndex reads a split's IDs and labels from the cache dir as Open
// does, without decoding images where the format allows: for ImageNet the
// file names alone give both (nothing is decoded or cached); other
// datasets are read whole.
func OpenIndex(dir, name, split string) (*Index, error) {
	if name == "imagenet" {
		files, labels, classes, err := listImageNet(filepath.Join(dir, "imagenet"), split)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(files))
		for i, f := range files {
			ids[i] = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		}
		return &Index{IDs: ids, Labels: labels, Classes: classes}, nil
	}
	d, err := Open(dir, name, split)
	if err != nil {
		return nil, err
	}
	return &Index{IDs: d.IDs, Labels: d.Labels, Classes: d.Classes}, nil
}
