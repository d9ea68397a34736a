package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/gomlx/compute"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/models"
)

func init() {
	register("backend", "show the GoMLX backend (GOMLX_BACKEND) and check it with a timed matmul; --agree compares its outputs and gradients with the pure-Go backend's", runBackend)
}

func runBackend(args []string, stdout io.Writer) error {
	fs := newFlags("backend", "[--n 1024] [--calls 10] [--agree] [--seed 3]")
	n := fs.Int("n", 1024, "matrix size of the check")
	calls := fs.Int("calls", 10, "timed calls")
	agree := fs.Bool("agree", false, "also run every network of models.AgreementCases from the same initial weights on this backend and on the pure-Go backend, and compare logits and gradients (fails outside 1e-4 and 1e-3)")
	seed := fs.Uint64("seed", 3, "initial weights and input of the --agree comparison")
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
	fmt.Fprintf(stdout, "backend: %s\n", backend.Describe(b))
	r, err := backend.Check(b, *n, *calls)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r)
	if r.MaxRelErr > 1e-4 {
		return fmt.Errorf("backend computes wrongly: relative error %.2g", r.MaxRelErr)
	}
	if *agree {
		return compareWithGo(b, *seed, stdout)
	}
	return nil
}

// compareWithGo is the backend agreement (models.AgreementCases, tolerances
// in lib/models/agreement.go), runnable wherever a
// backend is installed (the GPU check runs it from the -tags xla binary), and
// for the pure-Go backend with oneDNN convolutions against pure Go alone.
func compareWithGo(b compute.Backend, seed uint64, stdout io.Writer) error {
	if strings.HasPrefix(strings.ToLower(b.Name()), "go") && backend.Name(b) == b.Name() {
		return fmt.Errorf("--agree: the backend in use is the pure-Go backend itself, without oneDNN convolutions, so there is nothing to compare (GOMLX_BACKEND names another; a default GPU or ONNX Runtime route that fell back to pure Go, or oneDNN missing, says why above)")
	}
	gob, err := compute.NewWithConfig("go")
	if err != nil {
		return err
	}
	defer gob.Finalize()
	fmt.Fprintf(stdout, "agreement with the pure-Go backend, same initial weights, training mode (convolution formulations: pure Go's, then this backend's):\n")
	agreements, err := models.CompareAllCases(gob, b, seed)
	if err != nil {
		return err
	}
	failed := 0
	for _, a := range agreements {
		fmt.Fprintf(stdout, "  %v\n", a)
		if !a.OK() {
			failed++
		}
	}
	if failed > 0 {
		hint := ""
		if config, _ := backend.Config(); backend.OnCUDA(config) && !strings.Contains(config, "tf32=false") {
			// Measured on an H200: with TF32 the gradients of these small
			// networks differ by up to 1.3 (relative); without, by 7e-4.
			hint = fmt.Sprintf(" (XLA on CUDA multiplies in TF32 by default; compare at full float32 with GOMLX_BACKEND=%q NVIDIA_TF32_OVERRIDE=0)", config+",tf32=false")
		}
		return fmt.Errorf("%d of %d networks outside the agreement tolerance%s", failed, len(agreements), hint)
	}
	fmt.Fprintf(stdout, "all %d networks agree\n", len(agreements))
	return nil
}
