package theory_test

import (
	"fmt"

	"beyondscaling/theory"
)

// The unpruned perceptron at α = 1000 examples per dimension has the
// textbook error ε ≈ 0.5005/α; keeping the hardest 30% of α_tot = 20 with a
// probe 10° off the teacher gives the error of one point of Fig. 2A.
func ExampleSolve() {
	full, err := theory.Solve(theory.Params{AlphaTotal: 1000, F: 1, Keep: theory.KeepRandom})
	if err != nil {
		panic(err)
	}
	pruned, err := theory.Solve(theory.Params{AlphaTotal: 20, F: 0.3, ThetaDeg: 10, Keep: theory.KeepHard})
	if err != nil {
		panic(err)
	}
	fmt.Printf("unpruned, α = 1000: ε·α = %.4f\n", full.Eps*1000)
	fmt.Printf("keep hard 30%% of α_tot = 20, θ = 10°: ε = %.4f (α_prune = %g)\n", pruned.Eps, pruned.Alpha)
	// Output:
	// unpruned, α = 1000: ε·α = 0.5005
	// keep hard 30% of α_tot = 20, θ = 10°: ε = 0.0266 (α_prune = 6)
}

// How much of α_tot = 100 examples per dimension can a perfect metric drop
// at no cost, and how should a budget of α_prune = 20 be spent? (The
// perceptron model's predictions; WriteReport prints the full answer.)
func ExampleAdvise() {
	adv, err := theory.Advise(theory.AdviceQuery{AlphaTotal: 100, Budget: 20})
	if err != nil {
		panic(err)
	}
	for _, c := range adv.Curves {
		fmt.Printf("%-6s no-cost fraction f = %.3f\n", c.Keep, c.NoCostF)
	}
	b := adv.Budget
	fmt.Printf("budget 20: keep %v, f = %.2f, ε = %.4f against %.4f for a random 20%%\n", b.Best.Keep, b.Best.F, b.Best.Eps, b.RandomEps)
	// Output:
	// hard   no-cost fraction f = 0.037
	// easy   no-cost fraction f = 0.878
	// random no-cost fraction f = 0.990
	// budget 20: keep hard, f = 0.20, ε = 0.0050 against 0.0249 for a random 20%
}
