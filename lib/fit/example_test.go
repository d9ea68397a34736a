package fit_test

import (
	"fmt"

	"beyondscaling/lib/fit"
)

// Fit a power law ε = a·n^(−ν) to a scaling curve; here the points lie on
// ε = 2/√n exactly, so the fit recovers a = 2 and ν = 0.5.
func ExampleFit() {
	n := []float64{100, 1000, 10000, 100000}
	eps := []float64{0.2, 0.0632456, 0.02, 0.00632456}
	p, err := fit.Fit(n, eps, fit.Options{Bootstrap: -1}) // no bootstrap intervals
	if err != nil {
		panic(err)
	}
	fmt.Printf("a = %.3f, ν = %.3f, predicted ε at n = 10⁶: %.4f\n", p.A, p.Nu, p.Eval(1e6))
	// Output: a = 2.000, ν = 0.500, predicted ε at n = 10⁶: 0.0020
}
