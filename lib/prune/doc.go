// Package prune selects which examples to keep from per-example scores, and
// reads and writes score files.
//
// Scores are oriented high = hard = keep: keep hard keeps the highest
// scores, keep easy the lowest, random ignores them. Class balancing with
// ratio r guarantees every class at least r times the examples it would keep
// under uniform pruning at the same fraction (r = 0: none; r = 1: each class
// keeps its own fraction f; the paper used 0.5).
//
// Coverage-centric selection (KeepCCS; Zheng et al., "Coverage-centric
// Coreset Selection for High Pruning Rates", ICLR 2023) is the baseline
// that later studies compare against: it drops the hardest fraction β of
// the examples (Options.Offset; mostly mislabelled or ambiguous ones), cuts
// the range of the remaining scores into Strata equal-width strata (the
// authors' 50 by default) and spends the budget evenly across them,
// smallest stratum first, sampling each uniformly. Keep hard at a small f
// keeps only the hardest, often noisy, examples; CCS keeps examples from
// every level of difficulty. The authors choose β per pruning rate by a
// search; here it is a parameter (prune select --offset, a sweep spec's
// ccs_cutoff), to be chosen on pilot seeds and the validation split.
package prune
