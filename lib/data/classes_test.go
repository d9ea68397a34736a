package data

import (
	"slices"
	"strings"
	"testing"
)

// ClassSplit keeps the examples of the classes asked for, in the subset's
// order, relabels them in the order given, and keeps names and IDs.
func TestClassSplit(t *testing.T) {
	ds := &Dataset{Name: "toy", Split: "train", H: 1, W: 1, C: 1, Images: []uint8{10, 11, 12, 13, 14, 15},
		Labels: []int32{0, 1, 2, 1, 0, 2}, Classes: []string{"a", "b", "c"}, IDs: []string{"i0", "i1", "i2", "i3", "i4", "i5"}}
	got, err := ClassSplit(Subset{DS: ds, Idx: []int{5, 1, 2, 3}}, []int32{2, 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.IDs, []string{"i5", "i1", "i2", "i3"}) || !slices.Equal(got.Labels, []int32{0, 1, 0, 1}) ||
		!slices.Equal(got.Images, []uint8{15, 11, 12, 13}) || !slices.Equal(got.Classes, []string{"c", "b"}) || got.Name != "toy" {
		t.Errorf("got %+v", got)
	}
	if got.Checksum() == ds.Checksum() {
		t.Error("the split has the source's checksum: caches keyed by it would mix them")
	}
	for _, c := range []struct {
		classes []int32
		want    string
	}{{nil, "no classes"}, {[]int32{3}, "does not exist"}, {[]int32{1, 1}, "twice"}} {
		if _, err := ClassSplit(All(ds), c.classes); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("classes %v: %v, want an error saying %q", c.classes, err, c.want)
		}
	}
	if _, err := ClassSplit(Subset{DS: ds, Idx: []int{0, 4}}, []int32{2}); err == nil || !strings.Contains(err.Error(), "none of the 2") {
		t.Errorf("no example of the class: %v", err)
	}
}
