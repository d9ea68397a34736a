// Package plans is what the notebooks run and how they run it: the
// experimental designs and their budgets (design.go: CPUAbundant, the cpu
// profile's abundant-data design on Fashion-MNIST, with its reasons in
// abundant-design.md), the grids of every notebook's sweeps at each profile
// (grids.go), the sweep specs built from them (plans.go: which metrics and
// keep policies each notebook runs, on the datasets present here), their
// execution in each profile's shared store and the records, scores and
// reports read back from it (runs.go), and the few helpers every notebook
// cell shares (cell.go: Must, the profile and the figures folder).
//
// How a network is trained (recipes, probe networks) is lib/settings';
// lib/scaling turns the records into results and claims, judged by
// lib/verdict's rule. A notebook imports this package and calls one
// function per step.
//
// GoNB runs each cell as a new program that re-evaluates the notebook's
// global declarations, so anything a declaration prints is printed in every
// cell: declarations use Profile and Figures, which print nothing; Intro
// announces the profile and the figures folder once per notebook.
package plans
