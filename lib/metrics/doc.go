// Package metrics holds the pruning scores as pure functions of network
// outputs (EL2N, GraNd, forgetting, AUM, memorization, influence, DDD,
// ensemble entropy, prototype distances), each oriented high = hard = keep,
// with the held-out subset design and the imputation rule they share.
package metrics
