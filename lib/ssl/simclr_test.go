package ssl

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"beyondscaling/lib/data"
	"beyondscaling/lib/data/datatest"
	"beyondscaling/lib/models"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/textlog"
	"beyondscaling/lib/train"
)

// ntXentDirect is NT-Xent computed directly from its definition (Chen et
// al. 2020, eq. 1): for each of the 2B views, −log of the softmax over the
// 2B−1 other views of its cosine similarity to its partner, over τ.
func ntXentDirect(z1, z2 [][]float64, tau float64) float64 {
	z := append(append([][]float64(nil), z1...), z2...)
	n, b := len(z), len(z1)
	cos := func(a, c []float64) float64 {
		var ab, aa, cc float64
		for k := range a {
			ab, aa, cc = ab+a[k]*c[k], aa+a[k]*a[k], cc+c[k]*c[k]
		}
		return ab / math.Sqrt(aa*cc)
	}
	total := 0.0
	for i := 0; i < n; i++ {
		partner := (i + b) % n
		var denom float64
		for k := 0; k < n; k++ {
			if k != i {
				denom += math.Exp(cos(z[i], z[k]) / tau)
			}
		}
		total += -math.Log(math.Exp(cos(z[i], z[partner])/tau) / denom)
	}
	return total / float64(n)
}

func TestNTXentMatchesDefinition(t *testing.T) {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	z1 := [][]float64{{1, 0, 0.5}, {0.2, 1, -0.3}, {-1, 0.4, 0.1}}
	z2 := [][]float64{{0.9, 0.1, 0.4}, {0.1, 0.8, -0.5}, {0.3, -0.7, 1}}
	flat := func(z [][]float64) *tensors.Tensor {
		var v []float32
		for _, row := range z {
			for _, x := range row {
				v = append(v, float32(x))
			}
		}
		return tensors.FromFlatDataAndDimensions(v, len(z), len(z[0]))
	}
	out, err := ExecOnce(b, func(a, c *Node) *Node { return NTXent(a, c, simclrTau) }, flat(z1), flat(z2))
	if err != nil {
		t.Fatal(err)
	}
	got := float64(tensors.MustCopyFlatData[float32](out)[0])
	// float32 arithmetic in the graph: agreement to 1e-5 relative.
	if want := ntXentDirect(z1, z2, simclrTau); math.Abs(got-want) > 1e-5*want {
		t.Errorf("NT-Xent %v, direct computation %v", got, want)
	}
}

// SimCLR trained through lib/train's loop: a budget of full batches (70
// examples at batch 16 make 4 steps an epoch; lib/train's TestObjectiveRun
// checks that no smaller batch is used), NT-Xent well below chance
// (log(2B−1), a projection that cannot tell partners apart) after a few
// epochs on a learnable dataset, and Embed returns one vector per example,
// from its cache the second time.
func TestSimCLRTrainsThroughTrainLoop(t *testing.T) {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	ds := datatest.Blobs(70, 1, "train")
	set := data.All(ds)
	net, err := models.New("mlp", models.Options{Classes: 2, Channels: ds.C})
	if err != nil {
		t.Fatal(err)
	}
	view := data.Augment{Flip: true, ResizedCrop: true}
	obj := objective{views: [2]data.Augment{view, view}}
	obj.views[1].Seed = 1
	const batch, epochs = 16, 12
	cfg := train.Config{Model: "mlp", Recipe: settings.Recipe{Optimizer: "sgd", Epochs: epochs, Batch: batch, LR: 0.06 * batch / 256 * 4, Momentum: 0.9, WeightDecay: 5e-4, Schedule: "cosine"}, Seed: 3}
	tr, err := train.NewObjective(b, cfg, net, obj)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("NT-Xent %.3f after %d epochs (chance %.3f)", res.LastLoss, epochs, math.Log(2*batch-1))
	if res.Steps != epochs*(70/batch) {
		t.Errorf("%d steps, want %d (full batches only)", res.Steps, epochs*(70/batch))
	}
	if chance := math.Log(2*batch - 1); !(res.LastLoss < chance-0.5) {
		t.Errorf("NT-Xent %.3f after %d epochs, chance %.3f", res.LastLoss, epochs, chance)
	}

	var log bytes.Buffer
	c := SimCLR{Backend: b, Model: "mlp", Epochs: 1, Batch: 16, WorkDir: t.TempDir(), Logger: textlog.New(&log, slog.LevelInfo)}
	e, err := c.Embed(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.IDs) != 70 || len(e.Values) != 70*e.Dim || e.Dim == 0 {
		t.Fatalf("%d IDs, dim %d, %d values", len(e.IDs), e.Dim, len(e.Values))
	}
	if _, err := c.Embed(context.Background(), set); err != nil || !strings.Contains(log.String(), "reusing") {
		t.Errorf("second Embed did not reuse the cache (%v):\n%s", err, log.String())
	}
	// The augmentation's seed does not change the embeddings (the views
	// have their own), so it does not change the cache key either: checked
	// by computing afresh with another seed and comparing.
	c.Augment.Seed = 99
	if _, err := c.Embed(context.Background(), set); err != nil || strings.Count(log.String(), "reusing") != 2 {
		t.Errorf("Embed with another augmentation seed did not reuse the cache (%v):\n%s", err, log.String())
	}
	c.WorkDir = t.TempDir()
	fresh, err := c.Embed(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	for i := range e.Values {
		if d := math.Abs(float64(e.Values[i] - fresh.Values[i])); d > 1e-6 {
			t.Fatalf("embedding value %d: %g with augmentation seed 0, %g with seed 99", i, e.Values[i], fresh.Values[i])
		}
	}
}
