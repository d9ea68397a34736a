// Package scaling turns sweep records (lib/sweep, lib/experiment) into the
// paper's empirical results: test error against the number of examples
// trained on for each fraction kept, with the Pareto envelope and the power
// law fitted to random pruning (Fig. 3); the keep-hard minus keep-easy map
// over fraction kept and initial size (Fig. 1D); the metric benchmark of
// test accuracy against fraction kept (Fig. 5); and a table of the measured
// effects, each judged by the experiment protocol's one verdict rule
// (Verdict: a t interval over fresh seeds that also counts the test set's
// own sampling error), "pruning beats the power law" being computed one way
// only (BeatsPowerLaw). The notebooks' sweep specs (plan.go) are built from
// lib/settings' table (sizes, fractions, seeds and networks per profile;
// every network's recipe), so the notebooks only
// choose and plot.
package scaling
