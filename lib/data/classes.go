package data

import "fmt"

// ClassSplit is a new dataset of the examples of s whose class is one of
// classes, relabelled 0..len(classes)-1 in the order given (class names and
// IDs kept), for a task on part of a dataset's classes: the upstream and
// downstream halves of a transfer experiment. The name stays the source's,
// so that everything looked up by dataset name (recipes, augmentation,
// normalisation) still applies; the split is suffixed with the classes
// kept, and the checksum, which covers labels and images, differs from the
// source's, so caches keyed by it keep the two apart.
func ClassSplit(s Subset, classes []int32) (*Dataset, error) {
	ds := s.DS
	if len(classes) == 0 {
		return nil, fmt.Errorf("%s/%s: no classes to keep", ds.Name, ds.Split)
	}
	newLabel := make(map[int32]int32, len(classes))
	out := &Dataset{Name: ds.Name, H: ds.H, W: ds.W, C: ds.C}
	for k, c := range classes {
		if c < 0 || int(c) >= len(ds.Classes) {
			return nil, fmt.Errorf("%s/%s: class %d does not exist (the dataset has %d)", ds.Name, ds.Split, c, len(ds.Classes))
		}
		if _, dup := newLabel[c]; dup {
			return nil, fmt.Errorf("%s/%s: class %d listed twice", ds.Name, ds.Split, c)
		}
		newLabel[c] = int32(k)
		out.Classes = append(out.Classes, ds.Classes[c])
	}
	out.Split = fmt.Sprintf("%s classes %v", ds.Split, classes)
	for _, i := range s.Idx {
		l, ok := newLabel[ds.Labels[i]]
		if !ok {
			continue
		}
		out.Images = append(out.Images, ds.Image(i)...)
		out.Labels = append(out.Labels, l)
		out.IDs = append(out.IDs, ds.IDs[i])
	}
	if out.Len() == 0 {
		return nil, fmt.Errorf("%s/%s: none of the %d examples is of classes %v", ds.Name, ds.Split, len(s.Idx), classes)
	}
	return out, out.Validate()
}
