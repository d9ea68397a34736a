// Package train trains the networks of lib/models on the datasets of
// lib/data with GoMLX: an SGD optimizer with (Nesterov) momentum and
// decoupled-from-batch-norm weight decay written as a GoMLX optimizer,
// learning-rate schedules, equal-epoch or equal-iteration budgets, training
// on a subset given by example IDs, evaluation (top-1/top-5) after
// recomputing batch-norm population statistics, atomic GoMLX checkpoints with
// resume, and a recorder of per-example training dynamics (loss,
// correctness, margin, probabilities) from which the pruning metrics of
// lib/metrics are computed.
//
// The model (lib/models), the data (lib/data) and the training loop (here)
// are kept apart, as in GoMLX's own examples.
package train
