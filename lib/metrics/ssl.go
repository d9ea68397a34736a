package metrics

import (
	"bufio"
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
	"beyondscaling/lib/progress"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/train"
)

// Embeddings are one vector per example, keyed by example ID.
type Embeddings struct {
	IDs    []string
	Dim    int
	Values []float32 // len(IDs)×Dim
	Source string    // where they came from
}

// ReadEmbeddings reads embeddings brought from elsewhere (e.g. SwAV
// features): either a .npy float matrix (N × D) with its example IDs in
// PATH.ids (one per line, the row order), or a CSV whose rows are an ID
// followed by D numbers (a header line is skipped if its second field is
// not a number).
func ReadEmbeddings(path string) (*Embeddings, error) {
	if strings.HasSuffix(path, ".npy") {
		rows, cols, vals, err := data.ReadMatrixNPY(path)
		if err != nil {
			return nil, err
		}
		ids, err := data.ReadIDs(path + ".ids")
		if err != nil {
			return nil, fmt.Errorf("embeddings %s need their example IDs in %s.ids: %w", path, path, err)
		}
		if len(ids) != rows {
			return nil, fmt.Errorf("embeddings %s have %d rows but %s.ids lists %d IDs", path, rows, path, len(ids))
		}
		return &Embeddings{IDs: ids, Dim: cols, Values: vals, Source: path}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	e := &Embeddings{Source: path}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(fields) < 2 {
			continue
		}
		if line == 1 {
			if _, err := strconv.ParseFloat(fields[1], 64); err != nil {
				continue // header
			}
		}
		if e.Dim == 0 {
			e.Dim = len(fields) - 1
		} else if len(fields)-1 != e.Dim {
			return nil, fmt.Errorf("%s line %d: %d values, earlier rows have %d", path, line, len(fields)-1, e.Dim)
		}
		e.IDs = append(e.IDs, fields[0])
		for _, s := range fields[1:] {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %q is not a number", path, line, s)
			}
			e.Values = append(e.Values, float32(v))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(e.IDs) == 0 {
		return nil, fmt.Errorf("%s holds no embeddings", path)
	}
	return e, nil
}

// Align returns the embeddings in the order of ids; a missing ID is an error.
func (e *Embeddings) Align(ids []string) ([]float32, error) {
	pos := make(map[string]int, len(e.IDs))
	for i, id := range e.IDs {
		pos[id] = i
	}
	out := make([]float32, 0, len(ids)*e.Dim)
	for _, id := range ids {
		i, ok := pos[id]
		if !ok {
			return nil, fmt.Errorf("embeddings %s have no row for example %s: they belong to other data", e.Source, id)
		}
		out = append(out, e.Values[i*e.Dim:(i+1)*e.Dim]...)
	}
	return out, nil
}

func sslPrototypes(ctx context.Context, env *Env, seed uint64) ([]float64, error) {
	emb := env.Embeddings
	if emb == nil {
		var err error
		if emb, err = SelfSupervisedEmbeddings(ctx, env); err != nil {
			return nil, err
		}
	}
	vals, err := emb.Align(env.ids())
	if err != nil {
		return nil, err
	}
	k := min(env.Preset.Clusters, len(env.Train.Idx))
	return SelfSupervisedPrototypes(vals, len(env.Train.Idx), emb.Dim, k, seed)
}

// SimCLR is the self-supervised objective used here (Chen et al. 2020): two
// augmented views of each image (random resized crop, flip, colour jitter
// 0.4, grayscale 0.2) pass through the encoder and a 2-layer projection
// head; the NT-Xent loss with temperature Tau asks each view to pick its
// partner among the 2B-1 other views of the batch.
const simclrTau = 0.5

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

// SelfSupervisedEmbeddings trains a SimCLR encoder on the (unlabelled)
// images of the environment's examples and returns their penultimate
// features. The result is cached in the work folder.
func SelfSupervisedEmbeddings(ctx context.Context, env *Env) (*Embeddings, error) {
	p := env.Preset
	var cache string
	if env.WorkDir != "" {
		// Keyed by what determines the embeddings: the encoder's settings,
		// the examples and the dataset's checksum.
		key := settings.Hash(struct {
			Model            string
			Epochs, Batch    int
			Augment          data.Augment
			Dataset, SHA, ID string
		}{p.SSLModel, p.SSLEpochs, p.SSLBatch, env.Augment, env.Train.DS.Name, env.Train.DS.Checksum(), settings.HashStrings(env.ids())})
		cache = filepath.Join(env.WorkDir, "ssl-"+key, "embeddings.gob")
		if f, err := os.Open(cache); err == nil {
			var e Embeddings
			err := gob.NewDecoder(f).Decode(&e)
			f.Close()
			if err == nil && len(e.IDs) == len(env.Train.Idx) {
				env.logger().Info("self-supervised embeddings: reusing " + cache)
				return &e, nil
			}
		}
	}
	set := env.Train
	ds := set.DS
	net, err := models.New(p.SSLModel, models.Options{Classes: 2, Channels: ds.C})
	if err != nil {
		return nil, err
	}
	m := train.NewModel(env.Backend, net, 77)
	opt := train.SGD{Momentum: 0.9, WeightDecay: 5e-4, Decay: m.Decays}
	step, err := model.NewExec(env.Backend, m.Store, func(scope *model.Scope, in []*Node) *Node {
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
	view := env.Augment
	view.Pad, view.Flip, view.ResizedCrop, view.ColorJitter, view.Grayscale = 0, true, true, 0.4, 0.2
	if ds.C != 3 {
		view.ColorJitter, view.Grayscale = 0, 0
	}
	v1, v2 := view, view
	v1.Seed, v2.Seed = 11, 12
	batch := min(p.SSLBatch, len(set.Idx))
	batches := len(set.Idx) / batch // full batches only: NT-Xent's negatives
	total := p.SSLEpochs * batches
	lr := 0.06 * float64(batch) / 256 * 4 // SimCLR's SGD scaling for small batches
	lrVar := optimizer.LearningRateVarWithValue(m.Store.RootScope(), dtypes.Float32, lr)
	sz := ds.ImageSize()
	x1, x2 := make([]float32, batch*sz), make([]float32, batch*sz)
	bar := progress.New(fmt.Sprintf("self-supervised %s", p.SSLModel), total*batch, "img").WithWriter(progressOrDiscard(env))
	s := 0
	for epoch := 0; epoch < p.SSLEpochs; epoch++ {
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
			lrVar.MustSetValue(tensors.FromScalar(float32(lr * 0.5 * (1 + math.Cos(math.Pi*float64(s)/float64(total))))))
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
		fmt.Fprintf(progressOrDiscard(env), "self-supervised epoch %d/%d: NT-Xent %.4f (chance %.4f)\n", epoch+1, p.SSLEpochs, sum/float64(batches), math.Log(float64(2*batch-1)))
	}
	bar.Done()
	plain := env.Augment.Eval()
	if err := m.RecomputeBatchNorm(set, plain, batch, 50); err != nil {
		return nil, err
	}
	out, err := m.Predict(ds, set.Idx, plain, 256, env.progress())
	if err != nil {
		return nil, err
	}
	e := &Embeddings{IDs: env.ids(), Dim: out.Dim, Values: out.Features, Source: fmt.Sprintf("SimCLR %s, %d epochs", p.SSLModel, p.SSLEpochs)}
	if cache != "" {
		if err := atomicfile.Write(cache, func(w io.Writer) error { return gob.NewEncoder(w).Encode(e) }); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func progressOrDiscard(env *Env) io.Writer {
	if w := env.progress(); w != nil {
		return w
	}
	return io.Discard
}
