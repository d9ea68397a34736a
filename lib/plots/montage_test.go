package plots

import (
	"bytes"
	"encoding/csv"
	"testing"

	"beyondscaling/lib/data"
)

func TestMontageCSVNamesTheExamples(t *testing.T) {
	ds := &data.Dataset{Name: "toy", Split: "train", H: 4, W: 4, C: 3, Classes: []string{"a", "b"}}
	for i := 0; i < 6; i++ {
		ds.Images = append(ds.Images, bytes.Repeat([]byte{uint8(40 * i)}, 48)...)
		ds.Labels = append(ds.Labels, int32(i%2))
		ds.IDs = append(ds.IDs, []string{"x0", "x1", "x2", "x3", "x4", "x5"}[i])
	}
	fig := Montage(ds, 3, 10, 1)
	var b bytes.Buffer
	if err := WriteCSV(fig, &b); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&b).ReadAll()
	if len(rows) != 7 {
		t.Fatalf("rows %v", rows)
	}
	for _, r := range rows[1:] {
		i := map[string]int{"x0": 0, "x1": 1, "x2": 2, "x3": 3, "x4": 4, "x5": 5}[r[2]]
		if ds.Classes[ds.Labels[i]] != r[0] {
			t.Errorf("cell %v shows an example of class %s", r, ds.Classes[ds.Labels[i]])
		}
	}
	if _, err := Save(fig, t.TempDir(), "montage"); err != nil {
		t.Error(err)
	}
}
