package scaling

import (
	"os"
	"path/filepath"
	"testing"
)

// Four classes of 25, the hardest scores in class 0, then 1, 2, 3. Keeping
// half (50) keeps classes 0 and 1 whole; balancing at r = 0.5 guarantees
// each class ceil(0.5·0.5·25) = 7, so classes 2 and 3 enter with 7 each:
// 14 kept examples change (counted by hand). A metric whose kept examples
// already meet every quota (scores spread evenly over classes) changes none.
func TestBalancingChanges(t *testing.T) {
	labels := make([]int32, 100)
	skewed, even := make([]float64, 100), make([]float64, 100)
	for i := range labels {
		labels[i] = int32(i / 25)
		skewed[i] = float64(100 - i)
		even[i] = float64(i % 25)
	}
	got, err := BalancingChanges(map[string][]float64{"skewed": skewed, "even": even, "random": skewed}, labels, 0.5, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []BalancingChange{{"even", 50, 0}, {"skewed", 50, 14}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %v, want %v", got[i], want[i])
		}
	}
}

func TestWriteBalancingChangesCSV(t *testing.T) {
	dir := t.TempDir()
	if err := WriteBalancingChangesCSV(dir, "b", 0.5, 0.5, []BalancingChange{{"skewed", 50, 14}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "b.csv"))
	want := "metric,fraction_kept,balance_ratio,kept,changed_by_balancing\nskewed,0.5,0.5,50,14\n"
	if err != nil || string(b) != want {
		t.Errorf("got %q (%v), want %q", b, err, want)
	}
}
