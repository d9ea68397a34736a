// Package scaling is the statistics of the paper's empirical results, from
// sweep records (lib/sweep, lib/experiment): aggregation over seeds, test
// error against the number of examples trained on for each fraction kept
// with the Pareto envelope and the power law fitted to random pruning
// (Fig. 3), the keep-hard minus keep-easy map (Fig. 1D), the data of the
// metric benchmark (Fig. 5) and of the prototype sensitivity (Fig. 6), and
// a table of the measured effects, each judged by the experiment
// protocol's one verdict rule (Verdict: a t interval over fresh seeds that
// also counts the test set's own sampling error), "pruning beats the power
// law" being computed one way only (BeatsPowerLaw).
//
// The sweeps are planned by lib/plans and run by lib/runs; the figures are
// drawn by lib/scalingfig.
package scaling
