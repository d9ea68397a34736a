// Package settings is how networks are trained at each profile: which
// training recipe a network gets for a dataset, model and profile (one
// Recipe type, which the trainer embeds, with the one step rule
// Recipe.Steps); the probe networks of the pruning metrics; the held-out
// validation split; and the versions of the metric definitions that caches
// compare. Everything here is plain data (no GoMLX, no I/O) so that every
// package, and a newcomer, can read it: settings.go is the one file to
// open. What the notebooks run with these recipes (grids, designs, budgets)
// is lib/plans'.
//
// The small-subset rule. A recipe's batch is never shrunk for a small
// training set: a pruned set trains with the recipe's batch and, at equal
// epochs, for fewer steps (Recipe.Steps); sweeps that want equal steps set
// equal_iterations. A set smaller than one batch is refused with the fix.
// A batch changed on purpose (a sweep spec's batch) scales the learning
// rate linearly (Recipe.WithBatch), the rule of the paper's ImageNet
// recipe, and the result is recorded.
package settings
