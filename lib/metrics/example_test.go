package metrics_test

import (
	"fmt"
	"math"

	"beyondscaling/lib/metrics"
)

// EL2N scores each example by the distance between a network's softmax
// output and the one-hot label, averaged over networks: an undecided
// prediction scores higher (harder) than a confident correct one.
func ExampleEL2N() {
	const classes = 2
	labels := []int32{0, 0}
	// One network's logits, N×C row-major: example 0 is undecided
	// (p = 0.5, 0.5), example 1 leans to its label (p = 0.75, 0.25).
	logits := [][]float32{{0, 0, float32(math.Log(3)), 0}}
	for i, s := range metrics.EL2N(logits, labels, classes) {
		fmt.Printf("example %d: EL2N = %.4f\n", i, s)
	}
	// Output:
	// example 0: EL2N = 0.7071
	// example 1: EL2N = 0.3536
}
