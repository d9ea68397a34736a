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
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/data"
	"beyondscaling/lib/embeddings"
	"beyondscaling/lib/models"
	progressbar "beyondscaling/lib/progress"
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

// Embed trains a SimCLR encoder on the (unlabelled) images of a set of
// examples and returns their penultimate features. The result is cached in
// the work folder, keyed by what determines it.
func (c SimCLR) Embed(ctx context.Context, set data.Subset) (*embeddings.Set, error) {
	var cache string
	ids := set.IDs()
	if c.WorkDir != "" {
		// Keyed by what determines the embeddings: the encoder's settings,
		// the examples and the dataset's checksum.
		key := settings.Hash(struct {
			Model            string
			Epochs, Batch    int
			Augment          data.Augment
			Dataset, SHA, ID string
		}{c.Model, c.Epochs, c.Batch, c.Augment, set.DS.Name, set.DS.Checksum(), settings.HashStrings(ids)})
		cache = filepath.Join(c.WorkDir, "ssl-"+key, "embeddings.gob")
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
	ds := set.DS
	net, err := models.New(c.Model, models.Options{Classes: 2, Channels: ds.C})
	if err != nil {
		return nil, err
	}
	m := train.NewModel(c.Backend, net, 77)
	opt := train.SGD{Momentum: 0.9, WeightDecay: 5e-4, Decay: m.Decays}
	step, err := model.NewExec(c.Backend, m.Store, func(scope *model.Scope, in []*Node) *Node {
		g := in[0].Graph()
		m.Store.SetTraining(g, true)
		project := func(x *Node) (*Node, *Node) {
			b := m.Builder(g, models.Train)
			logits, h := net.Forward(b, x)
			z := activation.Relu(b.Dense("proj1", h, 128))
			return b.Dense("proj2", z, 64), logits
		}
		z1, l1 := project(in[0])
		z2, l2 := project(in[1])
		// The classifier head is unused by SimCLR; zero times its output
		// keeps its parameters in the graph with zero gradient.
		loss := Add(NTXent(z1, z2, simclrTau), MulScalar(Add(ReduceAllSum(l1), ReduceAllSum(l2)), 0))
		opt.UpdateGraph(scope, g, loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	view := c.Augment
	view.Pad, view.Flip, view.ResizedCrop, view.ColorJitter, view.Grayscale = 0, true, true, 0.4, 0.2
	if ds.C != 3 {
		view.ColorJitter, view.Grayscale = 0, 0
	}
	v1, v2 := view, view
	v1.Seed, v2.Seed = 11, 12
	batch := min(c.Batch, len(set.Idx))
	batches := len(set.Idx) / batch // full batches only: NT-Xent's negatives
	total := c.Epochs * batches
	lr := 0.06 * float64(batch) / 256 * 4 // SimCLR's SGD scaling for small batches
	schedule := train.Schedule{Kind: "cosine"}
	lrVar := optimizer.LearningRateVarWithValue(m.Store.RootScope(), dtypes.Float32, lr)
	sz := ds.ImageSize()
	x1, x2 := make([]float32, batch*sz), make([]float32, batch*sz)
	progress := textlog.Writer(c.Logger, slog.LevelDebug)
	if progress == nil {
		progress = io.Discard
	}
	bar := progressbar.New(fmt.Sprintf("self-supervised %s", c.Model), total*batch, "img").WithWriter(progress)
	s := 0
	for epoch := 0; epoch < c.Epochs; epoch++ {
		sum := 0.0
		for bi, idx := range set.Batches(batch, 99, epoch) {
			if bi >= batches {
				break
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := v1.Batch(ds, idx, epoch, x1); err != nil {
				return nil, err
			}
			if err := v2.Batch(ds, idx, epoch, x2); err != nil {
				return nil, err
			}
			lrVar.MustSetValue(tensors.FromScalar(float32(lr * schedule.Factor(s, total))))
			out, err := step.Call(tensors.FromFlatDataAndDimensions(x1, batch, ds.H, ds.W, ds.C), tensors.FromFlatDataAndDimensions(x2, batch, ds.H, ds.W, ds.C))
			if err != nil {
				return nil, err
			}
			l := float64(tensors.MustCopyFlatData[float32](out[0])[0])
			if math.IsNaN(l) {
				return nil, fmt.Errorf("self-supervised training diverged at step %d", s)
			}
			sum += l
			s++
			bar.Add(batch)
		}
		fmt.Fprintf(progress, "self-supervised epoch %d/%d: NT-Xent %.4f (chance %.4f)\n", epoch+1, c.Epochs, sum/float64(batches), math.Log(float64(2*batch-1)))
	}
	bar.Done()
	plain := c.Augment.Eval()
	if err := m.RecomputeBatchNorm(set, plain, batch, 50); err != nil {
		return nil, err
	}
	out, err := m.Predict(ds, set.Idx, plain, 256, progress)
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
