package train

import (
	"strings"
	"sync"
	"testing"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/backend/backendtest"
	"beyondscaling/lib/data"
)

// Batch norm on the Go backend's kernels trains reproducibly and close to
// batch norm made of graph operations: resnet8, two epochs of SGD with
// Nesterov momentum, ends with the same variables bit for bit (optimizer
// state included) run after run, with the ReLUs that follow batch norm
// absorbed into its kernels or run as nodes of their own, and when two
// trainings run at once on the backend (then a kernel hands half its rows
// to another goroutine only while the other training is between steps,
// where alone every large one does); and with the same parameters within 2e-4 as with batch
// norm made of graph operations. The routes round differently: the graph
// sums in float32 over whole batches, the kernels in float64 across blocks
// of 64 rows, and batch norm's gradients of the shift and scale are sums
// over 32×32×32 positions of terms that mostly cancel. The largest
// difference found was 5.3e-5, on a stem weight of magnitude 0.09.
func TestBatchNormKernelsTrainReproducibly(t *testing.T) {
	kernels := backendtest.OneDNNBatchNorm(t)
	defer kernels.Finalize()
	graphOps := backendtest.OneDNN(t)
	defer graphOps.Finalize()
	set := data.All(SyntheticCIFAR(64, 3))
	cfg := Recipe("resnet8", 2)
	cfg.Batch, cfg.LR, cfg.Seed, cfg.CheckpointEvery = 32, 0.05, 11, 0
	before := backend.BatchNormKernelRuns()
	alone, res := trainedOn(t, kernels, cfg, set)
	if !alone.Model.BatchNormOp {
		t.Fatal("the model does not use the batch-norm operation on a backend with its kernels")
	}
	// Each batch norm runs forward and backward in every step.
	norms := 0
	for v := range alone.Model.Store.IterVariables() {
		if strings.HasPrefix(v.Path(), paramScope) && strings.HasSuffix(v.Path(), "/bn/scale") {
			norms++
		}
	}
	if ran, want := backend.BatchNormKernelRuns()-before, int64(2*norms*res.Steps); norms == 0 || ran != want {
		t.Errorf("%d batch-norm kernel nodes ran in %d steps, want %d", ran, res.Steps, want)
	}
	again, _ := trainedOn(t, kernels, cfg, set)
	sameVariableBits(t, alone, again)

	// The ReLUs after batch norm absorbed into its kernels change no number.
	if backend.BatchNormReLUsFused() == 0 {
		t.Error("no ReLU was absorbed into a batch-norm kernel")
	}
	backend.SetBatchNormReLUFusion(false)
	reluApart, _ := trainedOn(t, kernels, cfg, set)
	backend.SetBatchNormReLUFusion(true)
	sameVariableBits(t, alone, reluApart)

	var wg sync.WaitGroup
	pair := make([]*Trainer, 2)
	for i := range pair {
		wg.Go(func() { pair[i], _ = trainedOn(t, kernels, cfg, set) })
	}
	wg.Wait()
	for _, tr := range pair {
		sameVariableBits(t, alone, tr)
	}

	withGraphOps, _ := trainedOn(t, graphOps, cfg, set)
	if withGraphOps.Model.BatchNormOp {
		t.Fatal("the model uses the batch-norm operation on a backend without its kernels")
	}
	sameParams(t, withGraphOps, alone, 2e-4)
}
