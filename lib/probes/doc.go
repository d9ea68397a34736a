// Package probes trains the probe networks that pruning metrics read
// (early snapshots, fully trained networks, subset networks), caching each
// one's outputs under a key of everything that determines them.
package probes
