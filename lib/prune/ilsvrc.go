package prune

import (
	"fmt"
	"sort"
)

// LabelsFromIDs gives each ILSVRC-2012 training ID (n01440764_10026) the
// class of its WordNet ID prefix. Classes are the sorted WordNet IDs found,
// the order data.ReadImageNet uses, so no image needs to be read to balance
// classes. An ID of another form is an error naming it.
func LabelsFromIDs(ids []string) (labels []int32, classes []string, err error) {
	byClass := map[string]int32{}
	for i, id := range ids {
		if !IsILSVRCTrainID(id) {
			return nil, nil, fmt.Errorf("ID %q (row %d) is not an ILSVRC-2012 training ID like n01440764_10026, so it names no class: give the labels with --dataset instead", id, i+1)
		}
		byClass[id[:9]] = 0
	}
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for i, c := range classes {
		byClass[c] = int32(i)
	}
	labels = make([]int32, len(ids))
	for i, id := range ids {
		labels[i] = byClass[id[:9]]
	}
	return labels, classes, nil
}
