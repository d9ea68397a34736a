// Package verdict is the statistics that judge a claim, on plain numbers:
// the verdict rule (Verdict: a t interval over fresh seeds of a paired
// difference, whose test-set term is computed from the per-example
// differences, PairedTestTerm, or by a bootstrap over test examples,
// BootstrapTestTerm; VerdictRule says it in words), the variance of a
// paired difference from the examples on which two models disagree
// (PairedTestVariance, DisagreementBound), and the power analysis that sizes
// a design before it runs (Planning). docs/protocol.md gives the reasons.
//
// lib/scaling applies it to sweep records: the claims of the paper's
// figures, the power-law test and the pilot.
package verdict
