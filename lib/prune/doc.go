// Package prune selects which examples to keep from per-example scores, and
// reads and writes score files.
//
// Scores are oriented high = hard = keep: keep hard keeps the highest
// scores, keep easy the lowest, random ignores them. Class balancing with
// ratio r guarantees every class at least r times the examples it would keep
// under uniform pruning at the same fraction (r = 0: none; r = 1: each class
// keeps its own fraction f; the paper used 0.5).
package prune
