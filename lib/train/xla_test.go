package train

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gomlx/compute"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
)

// The same weights give the same evaluation-mode outputs (batch norm with
// statistics recomputed over the set, then Predict) on the pure-Go backend
// (patch convolutions) and on XLA (native convolutions): the evaluation
// path, which models.TestXLAMatchesGoBackend (training mode, gradients)
// does not cover. It needs a PJRT plugin, which cannot be installed on the
// CPU machines (see environment.md): run it on a machine with one, at full
// float32 on a GPU, as
//
//	GOMLX_BACKEND=xla:/abs/path/pjrt_plugin.so,tf32=false NVIDIA_TF32_OVERRIDE=0 go test -tags xla -run XLA ./lib/train
func TestGoAndXLAGiveSameOutputs(t *testing.T) {
	cfg := os.Getenv("GOMLX_BACKEND")
	if !strings.HasPrefix(cfg, "xla") {
		t.Skip("no PJRT plugin configured (GOMLX_BACKEND=xla:/path/to/pjrt_plugin.so with -tags xla); none can be installed on this machine")
	}
	xb, err := backend.Open()
	if err != nil {
		// GOMLX_BACKEND asks for XLA: a backend that does not open is a
		// failure to report, not a reason to skip.
		t.Fatalf("GOMLX_BACKEND=%s asks for XLA, which does not open: %v", os.Getenv("GOMLX_BACKEND"), err)
	}
	defer xb.Finalize()
	gb := goBackend(t)
	for _, name := range []string{"cnn-w8", "resnet8"} {
		// NewModel picks each backend's convolution: patches on Go, native on XLA.
		want, got := evaluationLogits(t, gb, name), evaluationLogits(t, xb, name)
		for i := range want {
			a, b := want[i], got[i]
			if math.Abs(float64(a-b)) > 1e-3*math.Max(1, math.Abs(float64(a))) {
				t.Fatalf("%s logit %d: Go %g, XLA %g", name, i, a, b)
			}
		}
	}
}

// evaluationLogits are net's evaluation-mode logits on backend be from the
// same initial weights (seed 5) on 64 blobs images: batch norm statistics
// recomputed over the set, then Predict, each with the backend's own
// convolution (ConvFor).
func evaluationLogits(t *testing.T, be compute.Backend, name string) []float32 {
	t.Helper()
	set := data.All(blobs(64, 1, "train"))
	net, err := models.New(name, models.Options{Classes: 4, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	m := NewModel(be, net, 5)
	if err := m.RecomputeBatchNorm(set, data.Augment{}, 16, 4); err != nil {
		t.Fatal(err)
	}
	o, err := m.Predict(set.DS, set.Idx, data.Augment{}, 16, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o.Logits
}
