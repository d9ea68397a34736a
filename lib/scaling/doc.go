// Package scaling turns sweep records (lib/sweep, lib/experiment) into the
// paper's empirical results: aggregation over seeds, test error against the
// number of examples trained on for each fraction kept with the Pareto
// envelope and the power law fitted to random pruning (Fig. 3), the
// keep-hard minus keep-easy map (Fig. 1D), the data of the metric benchmark
// (Fig. 5) and of the prototype sensitivity (Fig. 6); the claims measured on
// them, each judged by lib/verdict's rule, "pruning beats the power law"
// computed one way only (BeatsPowerLaw, over the abundant range); the
// pilot's choice of a recipe and a number of seeds (Pilot, ChooseRecipe,
// with verdict.Planning); and the reports: the effects table of each
// notebook and figures/summary.md (Summarize). docs/protocol.md gives the
// reasons.
//
// The sweeps are planned and run by lib/plans; the figures are drawn by
// lib/scalingfig.
package scaling
