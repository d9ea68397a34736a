package train

import (
	"math"
	"slices"
	"testing"
)

// Top-1 correctness by hand: a clear win, a tie (the lower class index
// wins, so label 2 loses to class 1) and a NaN logit (wrong, not right by
// default); Accuracy's top-1 is the share of Correct.
func TestOutputsCorrect(t *testing.T) {
	nan := float32(math.NaN())
	o := &Outputs{N: 3, Classes: 3, Logits: []float32{2, 1, 0, 0, 1, 1, nan, 0, 0}}
	labels := []int32{0, 2, 0}
	if got := o.Correct(labels); !slices.Equal(got, []bool{true, false, false}) {
		t.Errorf("correct %v", got)
	}
	if top1, top5 := o.Accuracy(labels); math.Abs(top1-1.0/3) > 1e-12 || math.Abs(top5-2.0/3) > 1e-12 {
		t.Errorf("top-1 %g, top-5 %g; want 1/3 and 2/3", top1, top5)
	}
}
