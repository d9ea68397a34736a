// Package simulate runs the teacher-student perceptron experiments that the
// replica theory (package theory) describes: Gaussian inputs labelled by a
// teacher, pruned by the unsigned field of a probe at an exact angle θ to the
// teacher, and a maximum-margin student trained on what is kept.
//
// The student comes from MaxMargin, a dedicated hard-margin SVM solver
// (no bias): dual coordinate descent over an active set of candidate support
// vectors, stopped by a certified bound on the margin. The dual objective
// D(α) bounds the optimal margin from above, κ* ≤ 1/√(2D), and any weight
// vector w bounds it from below, κ* ≥ min_i y_i w·x_i/|w|; the solver stops
// when the two agree to a relative tolerance.
//
// ForEach runs independent jobs (seeds, grid points) on all CPUs and
// returns the lowest-numbered job's error, so that results and errors do
// not depend on scheduling; theory/curves uses it too.
package simulate
