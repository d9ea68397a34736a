// Package notebook installs the GoNB Jupyter kernel for this project and
// executes its notebooks headless, reporting every cell that failed and the
// figures each notebook declared it would write.
//
// A notebook declares its figures in its metadata:
//
//	"metadata": {"beyondscaling": {"figures": ["fig1-...", ...]}}
//
// and each declared name must exist in the figures folder as .pdf, .svg,
// .png and .csv after execution.
package notebook
