package train

import (
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"beyondscaling/lib/backend/backendtest"
	"beyondscaling/lib/data"
)

// ONNX Runtime turns variables into constants in graphs built outside
// training mode, so a cached evaluation graph would keep the weights it was
// built with. The trainer's evaluation graph (Predict) must see the current
// weights: after a training step and a batch-norm recomputation its outputs
// change and equal those of a freshly built evaluation graph.
func TestORTEvaluationSeesCurrentWeights(t *testing.T) {
	b := backendtest.ORT(t)
	defer b.Finalize()
	const batch = 16
	ds := SyntheticCIFAR(batch, 3)
	set := data.All(ds)
	cfg := Recipe("resnet8", 1)
	cfg.Batch = batch
	tr, err := New(b, cfg, set, data.Augment{})
	if err != nil {
		t.Fatal(err)
	}
	optimizer.LearningRateVarWithValue(tr.Model.Store.RootScope(), dtypes.Float32, 0.1)
	predict := func() []float32 {
		if err := tr.Model.RecomputeBatchNorm(set, data.Augment{}, batch, 1); err != nil {
			t.Fatal(err)
		}
		o, err := tr.Model.Predict(ds, set.Idx, data.Augment{}, batch, nil)
		if err != nil {
			t.Fatal(err)
		}
		return o.Logits
	}
	before := predict()
	x := make([]float32, batch*ds.ImageSize())
	if err := (data.Augment{}).Batch(ds, set.Idx, 0, x); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := tr.step.Call(tensors.FromFlatDataAndDimensions(x, batch, 32, 32, 3), tensors.FromFlatDataAndDimensions(slices.Clone(ds.Labels), batch)); err != nil {
			t.Fatal(err)
		}
	}
	cached := predict()
	tr.Model.predict = nil // build the evaluation graph again
	fresh := predict()
	changed := false
	for i := range cached {
		if cached[i] != before[i] {
			changed = true
		}
		if d := cached[i] - fresh[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("logit %d: cached evaluation graph %g, fresh one %g (stale weights)", i, cached[i], fresh[i])
		}
	}
	if !changed {
		t.Errorf("training steps left the logits unchanged: %v", cached[:10])
	}
}
