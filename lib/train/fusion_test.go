package train

import (
	"math"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/backend/backendtest"
	"beyondscaling/lib/data"
)

// Fused chains train to the same variables, bit for bit, as the unfused
// nodes (weights, and the optimizer's velocities or moments): the main job's network with its Adam recipe, the
// benchmark's momentum-SGD recipe, plain SGD, and a ResNet (its batch norm's
// chains fused too). For the MLPs, perStep is how many fused nodes each
// step runs: as many as the optimizer has chains for two weight matrices
// with weight decay and two biases without, and one chain of the loss's
// gradient (logits minus a scaled term, the plain step's form).
func TestFusedChainsTrainIdentically(t *testing.T) {
	fused, plain := fusedAndUnfused(t)
	sgd := func(model string) Config {
		cfg := Recipe(model, 2)
		cfg.LR = 0.05
		return cfg
	}
	plainSGD := sgd("mlp-256")
	plainSGD.Momentum, plainSGD.Nesterov = 0, false
	heavyBall := sgd("mlp-256")
	heavyBall.Nesterov = false
	for _, tc := range []struct {
		name    string
		cfg     Config
		ds      *data.Dataset
		perStep int      // fused nodes a step runs; 0: not checked
		chains  []string // signatures of chains that must have run
	}{
		// Adam: decay, both moments and the step for each weight matrix; the
		// moments and the step for each bias.
		{"mlp-256 adam", mainJobMLP(t, 2), SyntheticImages(320, 28, 28, 1, 3), 2*4 + 2*3 + 1, nil},
		// Nesterov: decay, velocity and step for each weight matrix; velocity
		// and step for each bias.
		{"mlp-256 nesterov sgd", sgd("mlp-256"), SyntheticImages(320, 28, 28, 1, 3), 2*3 + 2*2 + 1, nil},
		// Heavy ball: the velocity (with the decay, for the weight matrices)
		// and the plain step for each tensor.
		{"mlp-256 momentum sgd", heavyBall, SyntheticImages(320, 28, 28, 1, 3), 2*2 + 2*2 + 1, nil},
		// No momentum: one chain per tensor (the step, with the decay for the
		// weight matrices).
		{"mlp-256 plain sgd", plainSGD, SyntheticImages(320, 28, 28, 1, 3), 2*1 + 2*1 + 1, nil},
		// Batch norm's output in a training step, with and without the
		// residual sum, and two chains of its gradient.
		{"resnet8 nesterov sgd", sgd("resnet8"), SyntheticCIFAR(64, 3), 0, []string{
			"Mul(in0,in1) Add(t0,in2) FCC", "Mul(in0,in1) Add(t0,in2) Add(t1,in3) FCCF",
			"Div(in0,in1) Add(t0,in2) Add(t1,in2) FCF", "Div(in1,in2) Mul(in0,t0) FFC"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := data.All(tc.ds)
			cfg := tc.cfg
			cfg.Batch, cfg.Seed, cfg.CheckpointEvery = 32, 11, 0
			run := func(b compute.Backend) (*Trainer, Result) { return trainedOn(t, b, cfg, set) }
			before, _ := backend.FusedCounts()
			chainRuns := backend.FusedRuns()
			withFusion, res := run(fused)
			after, _ := backend.FusedCounts()
			for _, sig := range tc.chains {
				if backend.FusedRuns()[sig] == chainRuns[sig] {
					t.Errorf("no fused node of the chain %q ran", sig)
				}
			}
			if after == before {
				t.Fatal("no fused node ran on the fused backend")
			}
			if tc.perStep > 0 && after-before != int64(tc.perStep*res.Steps) {
				t.Errorf("%d fused nodes ran in %d steps, want %d per step", after-before, res.Steps, tc.perStep)
			}
			without, _ := run(plain)
			sameVariableBits(t, without, withFusion)
		})
	}
}

// Fused batch-norm chains give the same evaluation-mode logits, bit for
// bit (batch norm recomputed over the set, then Predict: the chains of
// evaluation mode, with stored statistics), and those chains ran fused.
func TestFusedChainsEvaluateIdentically(t *testing.T) {
	fused, plain := fusedAndUnfused(t)
	want := evaluationLogits(t, plain, "resnet8")
	before := backend.FusedRuns()
	got := evaluationLogits(t, fused, "resnet8")
	after := backend.FusedRuns()
	// Evaluation mode's output, with and without the residual sum, and
	// (recomputing the statistics, no gradient) the output from the
	// centred input.
	for _, sig := range []string{
		"Sub(in0,in1) Div(t0,in2) Mul(t1,in3) Add(t2,in4) FCCCC",
		"Sub(in0,in1) Div(t0,in2) Mul(t1,in3) Add(t2,in4) Add(t3,in5) FCCCCF",
		"Div(in0,in1) Mul(t0,in2) Add(t1,in3) FCCC",
	} {
		if after[sig] == before[sig] {
			t.Errorf("no fused node of the chain %q ran", sig)
		}
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("logit %d: fused %g, unfused %g", i, got[i], want[i])
		}
	}
}

// fusedAndUnfused opens the default CPU route with fused chains and without
// (finalized when the test ends), or skips when chains are not fused here.
func fusedAndUnfused(t *testing.T) (fused, plain compute.Backend) {
	t.Helper()
	fused = backendtest.OneDNN(t)
	t.Cleanup(fused.Finalize)
	if !backend.FusionEnabled(fused) {
		t.Skip("chains are not fused here (" + backend.ChainFusionEnv + "=0, or a build without GOEXPERIMENT=simd)")
	}
	plain = backendtest.OneDNNUnfused(t)
	t.Cleanup(plain.Finalize)
	if backend.FusionEnabled(plain) {
		t.Fatal("the unfused backend fuses")
	}
	return fused, plain
}

// sameVariableBits fails the test unless two trainers' float32 variables
// (trained or not: an optimizer's state too) hold the same bits.
func sameVariableBits(t *testing.T, want, got *Trainer) {
	t.Helper()
	values := func(tr *Trainer) map[string][]float32 {
		out := map[string][]float32{}
		for v := range tr.Model.Store.IterVariables() {
			if v.Shape().DType == dtypes.Float32 {
				out[v.Path()] = tensors.MustCopyFlatData[float32](v.MustValue())
			}
		}
		return out
	}
	w, g := values(want), values(got)
	if len(w) != len(g) || len(w) == 0 {
		t.Fatalf("%d float32 variables against %d", len(g), len(w))
	}
	for name, wv := range w {
		gv, ok := g[name]
		if !ok || len(gv) != len(wv) {
			t.Fatalf("%s: missing or of another size", name)
		}
		for i := range wv {
			if math.Float32bits(gv[i]) != math.Float32bits(wv[i]) {
				t.Fatalf("%s[%d]: %g, want %g", name, i, gv[i], wv[i])
			}
		}
	}
}
