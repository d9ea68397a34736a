// Package experiment runs the paper's pruning experiment for one sweep
// configuration: hold out the dataset's fixed validation split, draw a
// class-balanced initial training set of n examples from the rest, score it
// with a pruning metric (influence measured on the validation split), keep
// a fraction f (hardest, easiest or at random, optionally class-balanced),
// train a network from scratch on what is kept with the recipe of
// lib/settings, and measure its test error. Scores and their probe networks
// are cached beside the sweep's results, keyed by what determines them, and
// shared by every run that needs them.
package experiment
