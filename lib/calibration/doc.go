// Package calibration turns the perceptron theory into a prediction for a
// real dataset: it fits theory.Calibrate (an effective dimension d_eff, the
// metric's quality as a probe angle θ, and an affine map from the theory's
// error to the network's) to the cells of a pruning grid at its smaller
// initial sizes, predicts the larger sizes it never saw, and scores that
// prediction beside two baselines fitted on the same cells: the largest
// fitted size's errors carried over, and a power law in n per policy and
// fraction. Every prediction is the perceptron model's under the
// calibration, not a measurement.
//
// Cells come from a sweep's records (scaling.Aggregate, or ReadRunsCSV on
// prune sweep collect's CSV); docs/calibration.md describes the model and
// how to read the result.
package calibration
