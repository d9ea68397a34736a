// Package notebooks holds the project's GoNB notebooks (*.ipynb, the source:
// edit them in Jupyter), the checks that read them without running them
// (static_test.go) and the test
// that executes every one of them headless at the smoke profile.
//
// The notebooks are thin: narrative, parameters and plots. Everything they
// compute is in tested packages (theory/..., lib/...), which this package
// imports in its test so that a change to them re-runs the notebooks.
package notebooks
