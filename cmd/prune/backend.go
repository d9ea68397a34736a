package main

import (
	"fmt"
	"io"

	"beyondscaling/lib/backend"
)

func init() {
	register("backend", "show the GoMLX backend (GOMLX_BACKEND) and check it with a timed matmul", runBackend)
}

func runBackend(args []string, stdout io.Writer) error {
	fs := newFlags("backend", "[--n 1024] [--calls 10]")
	n := fs.Int("n", 1024, "matrix size of the check")
	calls := fs.Int("calls", 10, "timed calls")
	if err := fs.Parse(args); err != nil {
		return err
	}
	config, source := backend.Config()
	fmt.Fprintf(stdout, "GOMLX_BACKEND: %q (%s)\n", config, source)
	b, err := backend.Open()
	if err != nil {
		return err
	}
	defer b.Finalize()
	r, err := backend.Check(b, *n, *calls)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r)
	if r.MaxRelErr > 1e-4 {
		return fmt.Errorf("backend computes wrongly: relative error %.2g", r.MaxRelErr)
	}
	return nil
}
