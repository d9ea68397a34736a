// Package embeddings holds one vector per example, keyed by example ID,
// read from a .npy matrix with its IDs or from a CSV file, and aligned to
// the order of a scored set.
package embeddings
