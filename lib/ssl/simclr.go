package ssl

import (
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/data"
	"beyondscaling/lib/embeddings"
	"beyondscaling/lib/models"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/textlog"
	"beyondscaling/lib/train"
)

// simclrTau is the temperature of SimCLR's NT-Xent loss.
const simclrTau = 0.5

// SimCLR is the self-supervised objective used here (Chen et al. 2020): two
// augmented views of each image (random resized crop, flip, colour jitter
// 0.4, grayscale 0.2) pass through the encoder and a 2-layer projection
// head; the NT-Xent loss with temperature 0.5 asks each view to pick its
// partner among the 2B-1 other views of the batch. The batch is capped at
// the number of examples (its views are each other's negatives).
type SimCLR struct {
	Backend compute.Backend
	Model   string // the encoder, a lib/models name
	Epochs  int
	Batch   int
	// Augment is the data's normalisation; the views add their crop, flip
	// and colour changes to it.
	Augment data.Augment
	WorkDir string // where the embeddings are cached ("" keeps nothing)
	// Seed, when not 0, draws the encoder's initialisation, data order and
	// views (0: the fixed draw every metric's embeddings use).
	Seed uint64
	// Logger receives cache reuse (Info) and training progress (Debug);
	// nil discards.
	Logger *slog.Logger
}

// NTXent is the normalised-temperature cross-entropy of SimCLR for
// projections z1, z2 [B, P] of two views.
func NTXent(z1, z2 *Node, tau float64) *Node {
	b := z1.Shape().Dimensions[0]
	z := Concatenate([]*Node{z1, z2}, 0)
	z = Div(z, Sqrt(AddScalar(ReduceAndKeep(Mul(z, z), ReduceSum, 1), 1e-12)))
	sim := DivScalar(MatMul(z, Transpose(z, 0, 1)), tau)
	g := z.Graph()
	eye := make([]float32, 4*b*b)
	partner := make([]int32, 2*b)
	for i := 0; i < 2*b; i++ {
		eye[i*2*b+i] = 1e9
		partner[i] = int32((i + b) % (2 * b))
	}
	sim = Sub(sim, ConstTensor(g, tensors.FromFlatDataAndDimensions(eye, 2*b, 2*b)))
	return ReduceAllMean(models.CrossEntropyPerExample(sim, Const(g, partner), 0))
}

// key is what determines an encoder trained on set: the encoder's
// settings, the examples and the dataset's checksum; not the augmentation's
// seed, which the two views replace by their own (train), so that runs
// differing only in it share the encoder. Version 2: trained through
// lib/train's loop (its shuffling).
func (c SimCLR) key(set data.Subset) string {
	aug := c.Augment
	aug.Seed = 0
	return cachekey.Hash(struct {
		Version          int
		Model            string
		Epochs, Batch    int
		Augment          data.Augment
		Dataset, SHA, ID string
		Seed             uint64 `json:",omitempty"`
	}{2, c.Model, c.Epochs, c.Batch, aug, set.DS.Name, set.DS.Checksum(), cachekey.HashStrings(set.IDs()), c.Seed})
}

// Embed trains a SimCLR encoder on the (unlabelled) images of a set of
// examples and returns their penultimate features. The result is cached in
// the work folder, keyed by what determines it.
func (c SimCLR) Embed(ctx context.Context, set data.Subset) (*embeddings.Set, error) {
	var cache string
	ids := set.IDs()
	if c.WorkDir != "" {
		cache = filepath.Join(c.WorkDir, "ssl-"+c.key(set), "embeddings.gob")
		defer atomicfile.Lock(cache)() // one encoder per key: others wait and reuse it
		if f, err := os.Open(cache); err == nil {
			var e embeddings.Set
			err := gob.NewDecoder(f).Decode(&e)
			f.Close()
			if err == nil && len(e.IDs) == len(set.Idx) {
				textlog.OrDiscard(c.Logger).Info("self-supervised embeddings: reusing " + cache)
				return &e, nil
			}
		}
	}
	m, err := c.train(ctx, set, "")
	if err != nil {
		return nil, err
	}
	out, err := m.Predict(set.DS, set.Idx, c.Augment.Eval(), 256, textlog.Writer(c.Logger, slog.LevelDebug))
	if err != nil {
		return nil, err
	}
	e := &embeddings.Set{IDs: ids, Dim: out.Dim, Values: out.Features, Source: fmt.Sprintf("SimCLR %s, %d epochs", c.Model, c.Epochs)}
	if cache != "" {
		if err := atomicfile.Write(cache, func(w io.Writer) error { return gob.NewEncoder(w).Encode(e) }); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Encoder trains a SimCLR encoder on set and returns it, its batch-norm
// statistics recomputed on set, for features of other examples
// (Model.Predict's Features) or as the start of a network fine-tuned on
// another task. With a work folder its training is checkpointed under the
// same key as Embed's cache, so a second call reads the finished encoder
// instead of training it again.
func (c SimCLR) Encoder(ctx context.Context, set data.Subset) (*train.Model, error) {
	dir := ""
	if c.WorkDir != "" {
		dir = filepath.Join(c.WorkDir, "ssl-"+c.key(set), "encoder")
		defer atomicfile.Lock(dir)()
	}
	return c.train(ctx, set, dir)
}

// train trains the encoder on set (checkpointed in dir when not "").
func (c SimCLR) train(ctx context.Context, set data.Subset, dir string) (*train.Model, error) {
	ds := set.DS
	net, err := models.New(c.Model, models.Options{Classes: 2, Channels: ds.C})
	if err != nil {
		return nil, err
	}
	view := c.Augment
	view.Pad, view.Flip, view.ResizedCrop, view.ColorJitter, view.Grayscale = 0, true, true, 0.4, 0.2
	if ds.C != 3 {
		view.ColorJitter, view.Grayscale = 0, 0
	}
	obj := objective{views: [2]data.Augment{view, view}}
	obj.views[0].Seed, obj.views[1].Seed = 11, 12 // fixed: the cache key leaves c.Augment.Seed out
	seed := uint64(77)
	if c.Seed != 0 {
		seed = c.Seed
		obj.views[0].Seed, obj.views[1].Seed = 2*c.Seed+11, 2*c.Seed+12
	}
	batch := min(c.Batch, len(set.Idx))
	progress := textlog.Writer(c.Logger, slog.LevelDebug)
	// SimCLR's SGD (momentum 0.9, weight decay 5e-4), its learning rate
	// scaled for small batches, on a cosine schedule; lib/train's loop.
	cfg := train.Config{Model: "self-supervised " + c.Model, Recipe: settings.Recipe{Optimizer: "sgd", Epochs: c.Epochs, Batch: batch,
		LR: 0.06 * float64(batch) / 256 * 4, Momentum: 0.9, WeightDecay: 5e-4, Schedule: "cosine"}, Seed: seed, Log: progress, CheckpointDir: dir}
	tr, err := train.NewObjective(c.Backend, cfg, net, obj)
	if err != nil {
		return nil, err
	}
	res, err := tr.Run(ctx, set)
	if err != nil {
		return nil, fmt.Errorf("self-supervised training: %w", err)
	}
	if progress != nil {
		fmt.Fprintf(progress, "self-supervised %s: NT-Xent %.4f after %d epochs (chance %.4f)\n", c.Model, res.LastLoss, res.Epochs, math.Log(float64(2*batch-1)))
	}
	m := tr.Model
	if err := m.RecomputeBatchNorm(set, c.Augment.Eval(), batch, 50); err != nil {
		return nil, err
	}
	return m, nil
}

// objective is SimCLR's for lib/train: two augmented views of each image
// of a batch, each passed through the encoder and a 2-layer projection
// head, and NT-Xent between their projections.
type objective struct {
	views [2]data.Augment
}

func (o objective) Inputs(ds *data.Dataset, idx []int, epoch int) ([]*tensors.Tensor, error) {
	var in []*tensors.Tensor
	for _, v := range o.views {
		x := make([]float32, len(idx)*ds.ImageSize())
		if err := v.Batch(ds, idx, epoch, x); err != nil {
			return nil, err
		}
		in = append(in, tensors.FromFlatDataAndDimensions(x, len(idx), ds.H, ds.W, ds.C))
	}
	return in, nil
}

func (o objective) Loss(m *train.Model, in []*Node) *Node {
	g := in[0].Graph()
	project := func(x *Node) (*Node, *Node) {
		b := m.Builder(g, models.Train)
		logits, h := m.Net.Forward(b, x)
		z := activation.Relu(b.Dense("proj1", h, 128))
		return b.Dense("proj2", z, 64), logits
	}
	z1, l1 := project(in[0])
	z2, l2 := project(in[1])
	// The classifier head is unused by SimCLR; zero times its output
	// keeps its parameters in the graph with zero gradient.
	return Add(NTXent(z1, z2, simclrTau), MulScalar(Add(ReduceAllSum(l1), ReduceAllSum(l2)), 0))
}

// FullBatches: the other views of a batch are NT-Xent's negatives.
func (objective) FullBatches() bool { return true }
