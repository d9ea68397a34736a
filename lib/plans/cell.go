package plans

import (
	"fmt"
	"io"

	"beyondscaling/lib/project"
)

// Must returns v, or panics with err: a failing step stops the cell with
// its error instead of going on with a zero value.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Check panics with err when it is not nil: Must for a step that returns
// only an error.
func Check(err error) {
	if err != nil {
		panic(err)
	}
}

// Profile returns the current profile (project.CurrentProfile) without printing
// it; it panics on a bad PRUNE_PROFILE value, naming the valid ones.
func Profile() project.Profile {
	n, _, err := project.CurrentProfile()
	if err != nil {
		panic(err)
	}
	return n
}

// Figures returns the folder figures are written to (project.Figures): the
// working folder out/figures unless PRUNE_FIGURES names another, as
// `make reproduce` does for the committed gallery figures/.
func Figures() string {
	return Must(project.Figures())
}

// Intro writes, once per notebook (from its first code cell), which profile
// runs and why, and where the figures go.
func Intro(w io.Writer) error {
	_, line, err := project.CurrentProfile()
	if err != nil {
		return err
	}
	dir, err := project.Figures()
	if err != nil {
		return err
	}
	note := "a working folder; `make reproduce` (which sets " + project.EnvFigures + ") refreshes the committed gallery figures/"
	if gallery, err := project.Gallery(); err == nil && gallery == dir {
		note = "the committed gallery, as " + project.EnvFigures + " asks"
	}
	_, err = fmt.Fprintf(w, "%s\nfigures: %s (%s)\n", line, dir, note)
	return err
}
