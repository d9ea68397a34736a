package prune

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkReadScoresOfficialSize reads one generated file of the size of
// the authors' ImageNet release: 1,281,167 ILSVRC training IDs (1000
// classes) with a score each, checked against ILSVRC's size.
func BenchmarkReadScoresOfficialSize(b *testing.B) {
	p := filepath.Join(b.TempDir(), "ImageNet-1K_el2n.csv")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("filename,score\n")
	for i := range ILSVRCTrainImages {
		fmt.Fprintf(w, "n%08d_%d,%s\n", 1440764+(i%1000)*9973, 10000+i/1000, strconv.FormatFloat(float64(i%7919)/7919, 'g', 9, 64))
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	for b.Loop() {
		s, err := ReadScores(p)
		if err != nil || len(s.IDs) != ILSVRCTrainImages || !s.Layout.ILSVRC {
			b.Fatalf("%v %d", err, len(s.IDs))
		}
	}
}
