package prune_test

import (
	"fmt"

	"beyondscaling/lib/prune"
)

// Keep the half of the examples with the highest scores (the hardest, for
// a difficulty score such as EL2N), or the half with the lowest.
func ExampleSelect() {
	scores := []float64{0.9, 0.1, 0.5, 0.7, 0.3, 0.2}
	hard, err := prune.Select(scores, nil, prune.Options{Keep: prune.KeepHard, F: 0.5})
	if err != nil {
		panic(err)
	}
	easy, err := prune.Select(scores, nil, prune.Options{Keep: prune.KeepEasy, F: 0.5})
	if err != nil {
		panic(err)
	}
	fmt.Println("keep hard:", hard)
	fmt.Println("keep easy:", easy)
	// Output:
	// keep hard: [0 2 3]
	// keep easy: [1 4 5]
}
