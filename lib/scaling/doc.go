// Package scaling is the statistics of the paper's empirical results, from
// sweep records (lib/sweep, lib/experiment): aggregation over seeds, test
// error against the number of examples trained on for each fraction kept
// with the Pareto envelope and the power law fitted to random pruning
// (Fig. 3), the keep-hard minus keep-easy map (Fig. 1D), the data of the
// metric benchmark (Fig. 5) and of the prototype sensitivity (Fig. 6), and
// a table of the measured effects, primary claims first, each judged by
// one verdict rule (Verdict: a t interval over fresh seeds whose test-set
// term is computed from the per-example differences, PairedTestTerm, or
// by a bootstrap over test examples, BootstrapTestTerm), "pruning beats
// the power law" being computed one way only (BeatsPowerLaw, over the
// abundant range). Before a reported run, Pilot, ChooseRecipe and Planning
// turn pilot seeds into a recipe and a number of seeds (the power
// analysis). docs/protocol.md gives the reasons.
//
// The sweeps are planned by lib/plans and run by lib/runs; the figures are
// drawn by lib/scalingfig.
package scaling
