package train

import (
	"context"
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
	"beyondscaling/lib/settings"
)

// shrinkLogits is a test objective: the mean squared logit, which SGD
// drives towards zero; it records the epochs and batch sizes it was given.
type shrinkLogits struct {
	full  bool
	sizes *[]int
}

func (o shrinkLogits) Inputs(ds *data.Dataset, idx []int, epoch int) ([]*tensors.Tensor, error) {
	*o.sizes = append(*o.sizes, len(idx))
	x := make([]float32, len(idx)*ds.ImageSize())
	if err := (data.Augment{}).Batch(ds, idx, epoch, x); err != nil {
		return nil, err
	}
	return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, len(idx), ds.H, ds.W, ds.C)}, nil
}

func (o shrinkLogits) Loss(m *Model, in []*Node) *Node {
	logits, _ := m.Net.Forward(m.Builder(in[0].Graph(), models.Train), in[0])
	return ReduceAllMean(Mul(logits, logits))
}

func (o shrinkLogits) FullBatches() bool { return o.full }

// Run trains an objective with the same budget rules as classification:
// every batch of an epoch (70 examples at batch 16: 5 steps, the last of 6),
// or full batches only (4 steps of 16) when the objective asks; the loss falls;
// dynamics, which need labels, are refused.
func TestObjectiveRun(t *testing.T) {
	b := goBackend(t)
	ds := blobs(70, 1, "train")
	net := func() models.Net {
		n, err := models.New("mlp", models.Options{Classes: 3, Channels: ds.C})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	cfg := Config{Model: "mlp", Recipe: settings.Recipe{Epochs: 3, Batch: 16, LR: 0.05, Momentum: 0.9}, Seed: 1}
	for _, full := range []bool{false, true} {
		var sizes []int
		tr, err := NewObjective(b, cfg, net(), shrinkLogits{full: full, sizes: &sizes})
		if err != nil {
			t.Fatal(err)
		}
		first, err := tr.Run(context.Background(), data.All(ds))
		if err != nil {
			t.Fatal(err)
		}
		want := []int{16, 16, 16, 16, 6} // an epoch's batches
		if full {
			want = want[:4]
		}
		ok := first.Steps == 3*len(want) && len(sizes) == 3*len(want)
		for i := 0; ok && i < len(sizes); i++ {
			ok = sizes[i] == want[i%len(want)]
		}
		if !ok {
			t.Errorf("full batches %v: %d steps, batch sizes %v; want 3 epochs of %v", full, first.Steps, sizes, want)
		}
		if math.IsNaN(first.LastLoss) || first.LastLoss <= 0 {
			t.Errorf("full batches %v: last loss %v", full, first.LastLoss)
		}
	}
	var sizes []int
	tr, _ := NewObjective(b, Config{Model: "mlp", Recipe: settings.Recipe{Epochs: 1, Batch: 16, LR: 0.05}, Seed: 1}, net(), shrinkLogits{sizes: &sizes})
	before, err := tr.Run(context.Background(), data.All(ds))
	if err != nil {
		t.Fatal(err)
	}
	long, _ := NewObjective(b, Config{Model: "mlp", Recipe: settings.Recipe{Epochs: 20, Batch: 16, LR: 0.05}, Seed: 1}, net(), shrinkLogits{sizes: &sizes})
	after, err := long.Run(context.Background(), data.All(ds))
	if err != nil {
		t.Fatal(err)
	}
	if !(after.LastLoss < before.LastLoss) {
		t.Errorf("loss after 20 epochs %v, after 1 %v: the objective is not minimised", after.LastLoss, before.LastLoss)
	}
	withDynamics := cfg
	withDynamics.RecordDynamics = true
	if _, err := NewObjective(b, withDynamics, net(), shrinkLogits{sizes: &sizes}); err == nil {
		t.Error("dynamics accepted for an objective without labels")
	}
}
