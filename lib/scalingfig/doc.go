// Package scalingfig draws the paper's empirical figures (Figs. 1D, 3, 5
// and 6, and the learning-rate schedule) from lib/scaling's statistics,
// each line sorted by x and every figure passing plots.Check.
package scalingfig
