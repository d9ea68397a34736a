// Package rank computes rank correlations (Spearman's ρ, ties averaged)
// between score vectors, pairwise or as a table over many columns.
package rank
