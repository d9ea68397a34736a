package models

import (
	"os"
	"strings"
	"testing"

	"beyondscaling/lib/backend"
)

// The same initial weights give the same outputs and gradients on XLA (with
// its native convolution) as on the pure-Go backend (with its patch
// convolution), within LogitTolerance and GradientTolerance. It needs a
// PJRT plugin, which cannot be installed on the CPU machines (see
// environment.md); on a machine with one run
//
//	GOMLX_BACKEND=xla:/abs/path/pjrt_plugin.so,tf32=false NVIDIA_TF32_OVERRIDE=0 go test -tags xla -run XLA ./lib/models
//
// (tf32=false and NVIDIA_TF32_OVERRIDE=0 for full float32 on a GPU)
//
// or, from a -tags xla binary, `prune backend --agree` (what the GPU check
// runs).
func TestXLAMatchesGoBackend(t *testing.T) {
	if !strings.HasPrefix(os.Getenv("GOMLX_BACKEND"), "xla") {
		t.Skip("no PJRT plugin configured (GOMLX_BACKEND=xla:/path/to/pjrt_plugin.so with -tags xla); none can be installed on this machine")
	}
	xb, err := backend.Open()
	if err != nil {
		// GOMLX_BACKEND asks for XLA: a backend that does not open is a
		// failure to report, not a reason to skip.
		t.Fatalf("GOMLX_BACKEND=%s asks for XLA, which does not open: %v", os.Getenv("GOMLX_BACKEND"), err)
	}
	defer xb.Finalize()
	checkAgreement(t, goBackend(t), xb)
}
