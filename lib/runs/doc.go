// Package runs runs (or resumes) the notebooks' sweeps in each profile's
// shared store and reads back their records and cached score files.
package runs
