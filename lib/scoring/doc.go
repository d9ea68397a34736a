// Package scoring computes a named pruning metric for a set of training
// examples, running and caching the probe networks it needs; every score is
// oriented high = hard = keep (the convention of the paper's released score
// files). It has the paper's ten metrics and two widely used relatives:
//
//	ssl-prototypes       cosine distance to the nearest k-means centroid of self-supervised embeddings (no labels)
//	supervised-prototypes cosine distance to the mean embedding of the example's own class
//	memorization         Feldman-Zhang: P[correct | in S] - P[correct | not in S] over random 70% subsets
//	influence-max        max over held-out validation examples of the subsampled influence (same runs)
//	influence-sum-abs    sum over held-out validation examples of |influence| (same runs)
//	forgetting           Toneva et al.: correct -> incorrect transitions; never learned = maximum
//	el2n-1, el2n-20      Paul et al.: mean ‖softmax - onehot‖₂ over k networks early in training
//	ddd                  Meding et al.: how consistently held-out networks misclassify the example
//	ensemble-al          Chitta et al.: entropy of the mean prediction of the networks held out of the example
//	random               uniform scores (several seeds)
//	grand-last-layer     GraNd of the last layer only (its gradient norm early in training; alias grand)
//	aum                  area under the margin
//
// The subset networks of memorization, influence, DDD and ensemble-al hold
// every example out of at least one of them (metrics.HeldOutDesign); an example
// without a held-out network would have no estimate, and Compute imputes
// the median of the defined scores for at most 1% of examples, writing the
// count and the rule into the score file's sidecar, and refuses beyond.
//
// The score functions (lib/metrics: EL2N, Forgetting, Memorization, ...)
// are pure functions of network outputs; Compute runs the networks they
// need (lib/probes, lib/ssl), sharing and caching the runs between metrics
// so that an interrupted ensemble resumes where it stopped. Influence
// is measured on a validation split held out of the training data (Env.Validation),
// never on the test set the pruned networks are graded on. The probe presets
// and their training recipes are rows of lib/settings' table; every cached
// probe output is keyed by what determines it.
package scoring
