// Package cell holds what the cells of the project's notebooks share, so
// that no notebook carries its own copy: Must, which stops a cell with its
// error, and the profile and figure folder, announced once per notebook by
// Intro and read silently by every other cell.
//
// GoNB runs each cell as a new program that re-evaluates the notebook's
// global declarations, so anything a declaration prints is printed in every
// cell: declarations use Profile and Figures, which print nothing.
package cell
