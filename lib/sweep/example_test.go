package sweep_test

import (
	"fmt"

	"beyondscaling/lib/sweep"
)

// A spec's runs are every combination of its lists, in job-array order;
// random pruning ignores the keep policy and the unpruned fraction 1
// ignores both metric and policy, so each of those is one run.
func ExampleSpec_Runs() {
	s := sweep.Spec{
		Dataset: "cifar10", Model: "resnet20", Epochs: 200,
		Metrics:   []string{"el2n", "random"},
		Keeps:     []string{"hard", "easy"},
		Fractions: []float64{0.5, 1},
		Sizes:     []int{50000},
		Seeds:     []uint64{1},
	}
	for i, r := range s.Runs() {
		fmt.Println(i, r)
	}
	// Output:
	// 0 cifar10 resnet20 n=50000 f=0.5 el2n/hard seed 1
	// 1 cifar10 resnet20 n=50000 f=0.5 el2n/easy seed 1
	// 2 cifar10 resnet20 n=50000 f=0.5 random/random seed 1
	// 3 cifar10 resnet20 n=50000 f=1 none/all seed 1
}
