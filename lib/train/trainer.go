package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
	"beyondscaling/lib/progress"
	"beyondscaling/lib/settings"
)

// Config is how a network trains: the recipe of lib/settings' table (the
// one recipe type: optimiser, base learning rate, momentum, weight decay,
// schedule as text for ParseSchedule, batch, epochs and minimum steps; its
// Steps is the one step rule, shared with the budget arithmetic), and what
// a run adds to it. The zero value is not useful: start from FromRecipe
// and change what differs.
type Config struct {
	Model string // a models.New name
	// Recipe's Optimizer is "sgd" (the default: momentum SGD, Momentum and
	// Nesterov), "adam" (Adam, WeightDecay as L2 added to the gradient, as
	// torch.optim.Adam) or "adamw" (decoupled weight decay, as
	// torch.optim.AdamW); Adam's betas and ε are PyTorch's defaults. Weight
	// decay is not applied to batch norm or biases. MinSteps, if positive,
	// raises the budget to at least that many steps: small training sets
	// run more epochs so that every run gets enough updates to fit.
	settings.Recipe
	// LabelSmoothing ε puts 1-ε on the label and ε spread over all classes.
	LabelSmoothing float64
	// EqualIterations trains for as many steps as Epochs epochs of
	// ReferenceSize examples would take, whatever the subset's size (the
	// paper's appendix compares this with equal epochs, the default).
	EqualIterations bool
	ReferenceSize   int
	// StopEpoch, if positive, ends training after that many epochs while
	// the schedule still spans the whole budget: a snapshot early in a full
	// run, as EL2N and GraNd are computed.
	StopEpoch int
	Seed      uint64 // initialisation, shuffling and augmentation
	// CheckpointDir, if set, receives a GoMLX checkpoint every
	// CheckpointEvery epochs (default 1) and at the end; a run started with
	// the same directory resumes from the latest one.
	CheckpointDir   string
	CheckpointEvery int
	// RecordDynamics keeps per-example training dynamics (with softmax
	// probabilities if RecordProbs).
	RecordDynamics bool
	RecordProbs    bool
	// BNBatches is how many batches of training data recompute the
	// batch-norm population statistics before evaluation (default 50).
	BNBatches int
	// DynamicPrune, if positive, prunes compute during training as
	// InfoBatch does (infobatch.go): each epoch before the annealing
	// epochs leaves out this share of the examples whose latest loss is
	// below the mean, and weights the loss of the kept ones so that the
	// epoch's gradient stays unbiased. DynamicAnneal is the share of final
	// epochs that train on everything (0: DefaultDynamicAnneal; at least
	// one epoch). The schedule follows the epochs, so a pruned run ends its
	// schedule where an unpruned one does, in fewer steps. With
	// RecordDynamics, an example left out of an epoch has that epoch's
	// entries unset, as an example not presented has.
	DynamicPrune  float64
	DynamicAnneal float64
	Log           io.Writer // progress and per-epoch lines; nil discards
}

// Validate reports a recipe that cannot run.
func (c Config) Validate() error {
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("epochs = %d: train for at least 1 epoch", c.Epochs)
	case c.Batch < 2:
		return fmt.Errorf("batch = %d: batch norm needs batches of at least 2", c.Batch)
	case !(c.LR > 0):
		return fmt.Errorf("learning rate %g must be positive", c.LR)
	case c.Momentum < 0 || c.Momentum >= 1:
		return fmt.Errorf("momentum %g must be in [0, 1)", c.Momentum)
	case c.WeightDecay < 0:
		return fmt.Errorf("weight decay %g must be ≥ 0", c.WeightDecay)
	case c.LabelSmoothing < 0 || c.LabelSmoothing >= 1:
		return fmt.Errorf("label smoothing %g must be in [0, 1)", c.LabelSmoothing)
	case c.MinSteps < 0:
		return fmt.Errorf("minimum steps %d must be ≥ 0", c.MinSteps)
	case !(c.DynamicPrune >= 0 && c.DynamicPrune < 1):
		return fmt.Errorf("dynamic pruning ratio %g must be in [0, 1) (InfoBatch's default is 0.5)", c.DynamicPrune)
	case !(c.DynamicAnneal >= 0 && c.DynamicAnneal < 1):
		return fmt.Errorf("dynamic pruning's annealing share %g must be in [0, 1) (InfoBatch's default is 0.125)", c.DynamicAnneal)
	}
	if _, err := c.optimizer(nil); err != nil {
		return err
	}
	_, err := ParseSchedule(c.Schedule)
	return err
}

// optimizer is the configured optimizer, with decay deciding which
// variables get weight decay (nil: NoDecay's naming rule).
func (c Config) optimizer(decay func(*model.Variable) bool) (optimizer.Interface, error) {
	switch c.Optimizer {
	case "", "sgd":
		return SGD{Momentum: c.Momentum, Nesterov: c.Nesterov, WeightDecay: c.WeightDecay, Decay: decay}, nil
	case "adam", "adamw":
		return Adam{WeightDecay: c.WeightDecay, Decoupled: c.Optimizer == "adamw", Decay: decay}, nil
	}
	return nil, fmt.Errorf("unknown optimizer %q: use sgd, adam (L2 weight decay, as torch.optim.Adam) or adamw (decoupled, as torch.optim.AdamW)", c.Optimizer)
}

// Result summarises a finished training run.
type Result struct {
	Steps        int
	Epochs       int     // epochs over the subset actually run
	LastLoss     float64 // mean training loss of the last epoch
	LastAccuracy float64 // training accuracy of the last epoch (augmented, during training)
	Seconds      float64 // training time in this process (excludes resumed work)
	ImgPerSec    float64
	Resumed      int // epoch resumed from (0 if fresh)
	// Presented is the example passes (forward and backward) of the whole
	// run, resumed work included for a dynamically pruned run: what it
	// cost, which dynamic pruning lowers below epochs × examples.
	Presented int
}

// Trainer trains one model on one subset.
type Trainer struct {
	Cfg      Config
	Model    *Model
	Augment  data.Augment
	Dynamics *Dynamics // nil unless Cfg.RecordDynamics

	step      *model.Exec
	objective Objective // nil: supervised classification (New)

	// Dynamic pruning's state (nil without it), and the steps and example
	// passes a checkpoint saves and a resume restores.
	infoBatch    *infoBatch
	savedSteps   [2]int
	resumedSteps [2]int
}

// New prepares a trainer: it builds the network for the subset's dataset.
func New(backend compute.Backend, cfg Config, trainSet data.Subset, aug data.Augment) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ds := trainSet.DS
	if len(trainSet.Idx) == 0 {
		return nil, errors.New("the training subset is empty")
	}
	net, err := models.New(cfg.Model, models.Options{Classes: len(ds.Classes), Channels: ds.C})
	if err != nil {
		return nil, err
	}
	t := &Trainer{Cfg: cfg, Model: NewModel(backend, net, cfg.Seed), Augment: aug}
	if cfg.RecordDynamics {
		ids, labels := make([]string, len(trainSet.Idx)), make([]int32, len(trainSet.Idx))
		for k, i := range trainSet.Idx {
			ids[k], labels[k] = ds.IDs[i], ds.Labels[i]
		}
		t.Dynamics = NewDynamics(ids, labels, len(ds.Classes), cfg.RecordProbs)
	}
	smoothing := cfg.LabelSmoothing
	opt, err := cfg.optimizer(t.Model.Decays)
	if err != nil {
		return nil, err
	}
	t.step, err = model.NewExec(backend, t.Model.Store, func(scope *model.Scope, in []*Node) []*Node {
		x, y := in[0], in[1]
		// Training mode: variables must be graph parameters, not constants
		// (the pure-Go backend embeds variables as constants otherwise).
		t.Model.Store.SetTraining(x.Graph(), true)
		logits, _ := t.Model.Net.Forward(t.Model.Builder(x.Graph(), models.Train), x)
		perExample := models.CrossEntropyPerExample(logits, y, smoothing)
		if cfg.DynamicPrune > 0 {
			// Dynamic pruning's loss weights (InfoBatch: the mean over the
			// batch of weight × loss). Only then: the plain graph, and its
			// rounding, stay as they are.
			perExample = Mul(in[2], perExample)
		}
		loss := ReduceAllMean(perExample)
		opt.UpdateGraph(scope, x.Graph(), loss)
		st := models.Stats(logits, y)
		return []*Node{loss, st.Loss, st.Margin, st.Correct, st.Probs}
	})
	return t, err
}

// Run trains until the budget is spent, resuming from Cfg.CheckpointDir if
// it holds a checkpoint of the same run, and checkpointing as configured.
// Cancelling ctx stops after the current step with the last checkpoint
// intact; a later Run resumes from it.
func (t *Trainer) Run(ctx context.Context, trainSet data.Subset) (Result, error) {
	cfg := t.Cfg
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	n := len(trainSet.Idx)
	stepsPerEpoch := cfg.StepsPerEpoch(n)
	fullBatches := t.objective != nil && t.objective.FullBatches()
	if fullBatches {
		if n < cfg.Batch {
			return Result{}, fmt.Errorf("%d examples make no full batch of %d", n, cfg.Batch)
		}
		stepsPerEpoch = n / cfg.Batch
	}
	// The budget: the recipe's step rule over the epochs of this set, or of
	// the reference set for equal iterations.
	budgetSteps := stepsPerEpoch
	if cfg.EqualIterations {
		ref := cfg.ReferenceSize
		if ref == 0 {
			ref = trainSet.DS.Len()
		}
		budgetSteps = cfg.StepsPerEpoch(ref)
	}
	totalSteps := cfg.StepsOver(budgetSteps)
	sched, err := ParseSchedule(cfg.Schedule)
	if err != nil {
		return Result{}, err
	}
	epochs := (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch
	budgetEpochs := epochs // dynamic pruning anneals by the budget, not a snapshot's stop
	if cfg.StopEpoch > 0 && cfg.StopEpoch < epochs {
		epochs = cfg.StopEpoch
	}
	res := Result{}
	var ib *infoBatch
	if cfg.DynamicPrune > 0 {
		ib = newInfoBatch(trainSet, cfg)
	}
	t.infoBatch = ib

	startEpoch := 0
	presentedBefore, stepsBefore := 0, 0
	if cfg.CheckpointDir != "" {
		e, err := t.restore(trainSet)
		if err != nil {
			return res, err
		}
		startEpoch, res.Resumed = e, e
		presentedBefore, stepsBefore = t.resumedSteps[1], t.resumedSteps[0]
		if e > 0 {
			fmt.Fprintf(log, "resumed from %s at epoch %d/%d\n", cfg.CheckpointDir, e, epochs)
		}
	}
	lrVar := optimizer.LearningRateVarWithValue(t.Model.Store.RootScope(), dtypes.Float32, cfg.LR)
	ds := trainSet.DS
	sz := ds.ImageSize()
	buf := make([]float32, cfg.Batch*sz)
	bar := progress.New(fmt.Sprintf("train %s on %d examples", cfg.Model, n), max(0, epochs-startEpoch)*n, "img").WithWriter(log)
	start := time.Now()
	// step counts the steps taken; at is the position in the budget that
	// the schedule and the stopping rule read. They are equal except under
	// dynamic pruning, where an epoch advances the position by a full
	// epoch's steps whatever it prunes.
	step := startEpoch * stepsPerEpoch
	if ib != nil {
		step = stepsBefore
	}
	trained := 0
	for epoch := startEpoch; epoch < epochs; epoch++ {
		if t.Dynamics != nil {
			t.Dynamics.StartEpoch()
		}
		var lossSum, correctSum float64
		seen := 0
		epochSet, weightOf := trainSet, map[int]float32(nil)
		if ib != nil {
			epochSet, weightOf = ib.epoch(trainSet, epoch, budgetEpochs)
		}
		batches := epochSet.Batches(cfg.Batch, cfg.Seed, epoch)
		for b, idx := range batches {
			at := step
			if ib != nil {
				at = epoch*stepsPerEpoch + b*stepsPerEpoch/len(batches)
			}
			if at >= totalSteps || (fullBatches && len(idx) < cfg.Batch) {
				break
			}
			if err := ctx.Err(); err != nil {
				return res, fmt.Errorf("training interrupted at epoch %d (resume from the last checkpoint): %w", epoch, err)
			}
			in, err := t.inputs(ds, idx, epoch, buf[:len(idx)*sz])
			if err != nil {
				return res, err
			}
			if ib != nil {
				w := make([]float32, len(idx))
				for k, i := range idx {
					w[k] = 1
					if v, ok := weightOf[i]; ok {
						w[k] = v
					}
				}
				in = append(in, tensors.FromFlatDataAndDimensions(w, len(idx)))
			}
			lrVar.MustSetValue(tensors.FromScalar(float32(cfg.LR * sched.Factor(at, totalSteps))))
			out, err := t.step.Call(in...)
			if err != nil {
				return res, fmt.Errorf("training step %d: %w", step, err)
			}
			loss := tensors.MustCopyFlatData[float32](out[0])[0]
			if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
				return res, fmt.Errorf("training diverged at step %d (loss %v): lower the learning rate", step, loss)
			}
			if t.objective != nil {
				lossSum += float64(loss) * float64(len(idx))
				seen += len(idx)
				out[0].FinalizeAll()
				step++
				trained += len(idx)
				bar.Add(len(idx))
				continue
			}
			exLoss := tensors.MustCopyFlatData[float32](out[1])
			correct := tensors.MustCopyFlatData[float32](out[3])
			if ib != nil {
				ib.record(idx, exLoss)
			}
			for k := range idx {
				lossSum += float64(exLoss[k])
				correctSum += float64(correct[k])
			}
			seen += len(idx)
			if t.Dynamics != nil {
				pos := make([]int, len(idx))
				for k, i := range idx {
					pos[k], _ = t.Dynamics.Position(ds.IDs[i])
				}
				var probs []float32
				if cfg.RecordProbs {
					probs = tensors.MustCopyFlatData[float32](out[4])
				}
				t.Dynamics.Record(pos, exLoss, tensors.MustCopyFlatData[float32](out[2]), correct, probs)
			}
			for _, o := range out {
				o.FinalizeAll()
			}
			step++
			trained += len(idx)
			bar.Add(len(idx))
		}
		res.Epochs = epoch + 1
		res.LastLoss, res.LastAccuracy = lossSum/float64(max(seen, 1)), correctSum/float64(max(seen, 1))
		last := step - 1
		if ib != nil {
			last = min((epoch+1)*stepsPerEpoch, totalSteps) - 1
		}
		lr := cfg.LR * sched.Factor(max(last, 0), totalSteps)
		if t.objective != nil {
			fmt.Fprintf(log, "epoch %d/%d: loss %.4f, lr %.4g\n", epoch+1, epochs, res.LastLoss, lr)
		} else {
			fmt.Fprintf(log, "epoch %d/%d: loss %.4f, train accuracy %.3f, lr %.4g\n", epoch+1, epochs, res.LastLoss, res.LastAccuracy, lr)
		}
		if cfg.CheckpointDir != "" && ((epoch+1)%max(cfg.CheckpointEvery, 1) == 0 || epoch+1 == epochs) {
			t.savedSteps = [2]int{step, presentedBefore + trained}
			if err := t.save(epoch+1, trainSet); err != nil {
				return res, err
			}
		}
	}
	if trained > 0 {
		bar.Done()
	}
	res.Steps = step
	res.Presented = startEpoch*n + trained
	if ib != nil {
		res.Presented = presentedBefore + trained
	}
	res.Seconds = time.Since(start).Seconds()
	if res.Seconds > 0 {
		res.ImgPerSec = float64(trained) / res.Seconds
	}
	return res, nil
}

// inputs are a step's inputs for a batch: the objective's, or the
// augmented images (into buf) and their labels.
func (t *Trainer) inputs(ds *data.Dataset, idx []int, epoch int, buf []float32) ([]any, error) {
	if t.objective != nil {
		in, err := t.objective.Inputs(ds, idx, epoch)
		out := make([]any, len(in))
		for i, x := range in {
			out[i] = x
		}
		return out, err
	}
	if err := t.Augment.Batch(ds, idx, epoch, buf); err != nil {
		return nil, err
	}
	labels := make([]int32, len(idx))
	for k, i := range idx {
		labels[k] = ds.Labels[i]
	}
	x, err := donatedBatch(t.Model.Backend, buf, len(idx), ds.H, ds.W, ds.C)
	if err != nil {
		return nil, err
	}
	return []any{x, tensors.FromFlatDataAndDimensions(labels, len(idx))}, nil
}

// donatedBatch copies a batch of images (flat, n×h×w×c; the caller may
// reuse it at once) into a fresh backend buffer and hands it to the step
// that reads it: the backend may then reuse the buffer (the pure-Go
// backend's reshape of the images into an MLP's rows is free instead of a
// copy). The buffer is made directly from flat, without a host tensor in
// between: one copy instead of two, and one allocation instead of two.
func donatedBatch(b compute.Backend, flat []float32, n, h, w, c int) (any, error) {
	buf, err := b.BufferFromFlatData(0, flat, shapes.Make(dtypes.Float32, n, h, w, c))
	if err != nil {
		return nil, fmt.Errorf("handing the batch to the backend: %w", err)
	}
	x, err := tensors.FromBuffer(buf)
	if err != nil {
		buf.Finalize()
		return nil, fmt.Errorf("handing the batch to the backend: %w", err)
	}
	d, err := DonateTensorBuffer(x, b, 0)
	if err != nil {
		x.FinalizeAll()
		return nil, fmt.Errorf("handing the batch to the backend: %w", err)
	}
	return d, nil
}

// RecomputeBatchNorm sets the batch-norm population statistics from up to
// batches batches of the subset, with the training augmentation (fixed
// draws) so that they describe the inputs the network was trained on, as
// PyTorch's running averages and "precise BN" (Wu and Johnson) do: the mean of the batch means, and the mean of the batch
// variances plus the variance of the batch means (the population variance
// by the law of total variance). Short training leaves running averages far
// from the truth; this makes evaluation independent of them.
func (m *Model) RecomputeBatchNorm(set data.Subset, aug data.Augment, batch, batches int) error {
	if batches <= 0 {
		batches = 50
	}
	var names []string
	exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, x *Node) []*Node {
		b := m.Builder(x.Graph(), models.Collect)
		m.Net.Forward(b, x)
		var out []*Node
		names = names[:0]
		for _, s := range b.Collected() {
			names = append(names, s.Name)
			out = append(out, s.Mean, s.Variance)
		}
		if len(out) == 0 { // a network without batch norm: nothing to collect
			out = []*Node{ReduceAllMean(x)}
		}
		return out
	})
	if err != nil {
		return err
	}
	ds := set.DS
	sz := ds.ImageSize()
	all := set.Batches(batch, 0x5eed, 0)
	// Only full batches: a small last batch would give noisy statistics.
	if len(all) > 1 && len(all[len(all)-1]) < batch {
		all = all[:len(all)-1]
	}
	if len(all) > batches {
		all = all[:batches]
	}
	var sumMean, sumVar, sumMean2 [][]float64
	buf := make([]float32, batch*sz)
	for _, idx := range all {
		x := buf[:len(idx)*sz]
		if err := aug.Batch(ds, idx, 0, x); err != nil {
			return err
		}
		out, err := exec.Call(tensors.FromFlatDataAndDimensions(x, len(idx), ds.H, ds.W, ds.C))
		if err != nil {
			return fmt.Errorf("batch-norm statistics: %w", err)
		}
		if sumMean == nil {
			sumMean, sumVar, sumMean2 = make([][]float64, len(names)), make([][]float64, len(names)), make([][]float64, len(names))
		}
		for l := range names {
			mean := tensors.MustCopyFlatData[float32](out[2*l])
			variance := tensors.MustCopyFlatData[float32](out[2*l+1])
			if sumMean[l] == nil {
				sumMean[l], sumVar[l], sumMean2[l] = make([]float64, len(mean)), make([]float64, len(mean)), make([]float64, len(mean))
			}
			for c := range mean {
				sumMean[l][c] += float64(mean[c])
				sumMean2[l][c] += float64(mean[c]) * float64(mean[c])
				sumVar[l][c] += float64(variance[c])
			}
		}
	}
	k := float64(len(all))
	for l, name := range names {
		c := len(sumMean[l])
		mean, variance := make([]float32, c), make([]float32, c)
		for j := 0; j < c; j++ {
			mu := sumMean[l][j] / k
			mean[j] = float32(mu)
			variance[j] = float32(sumVar[l][j]/k + max(0, sumMean2[l][j]/k-mu*mu))
		}
		for suffix, v := range map[string][]float32{"/mean": mean, "/var": variance} {
			t := tensors.FromFlatDataAndDimensions(v, c)
			path := statsScope + name + suffix
			if old := m.Store.GetVariable(path); old != nil {
				if err := old.SetValue(t); err != nil {
					return err
				}
			} else if _, err := m.Store.CreateVariable(path, t); err != nil {
				return err
			}
			m.Store.GetVariable(path).SetTrainable(false)
		}
	}
	return nil
}

// Outputs are a network's outputs on some examples, in the order asked for.
type Outputs struct {
	N, Classes, Dim int
	Logits          []float32 // N×Classes
	Features        []float32 // N×Dim, the penultimate layer
}

// Predict runs the network in evaluation mode (population statistics; see
// RecomputeBatchNorm) on examples idx of ds, un-augmented.
func (m *Model) Predict(ds *data.Dataset, idx []int, aug data.Augment, batch int, log io.Writer) (*Outputs, error) {
	return m.predictOutputs(ds, idx, aug, batch, log, true)
}

// predictOutputs is Predict, keeping the penultimate features only when
// asked (grading needs the logits alone; the features of a full training
// set are tens of megabytes).
func (m *Model) predictOutputs(ds *data.Dataset, idx []int, aug data.Augment, batch int, log io.Writer, features bool) (*Outputs, error) {
	if m.predict == nil {
		var err error
		m.predict, err = model.NewExec(m.Backend, m.Store, func(scope *model.Scope, x *Node) []*Node {
			// Variables as graph parameters, not constants baked into the
			// compiled graph: the cached graph must see later training and
			// recomputed statistics.
			m.Store.SetTraining(x.Graph(), true)
			logits, features := m.Net.Forward(m.Builder(x.Graph(), models.Eval), x)
			return []*Node{logits, features}
		})
		if err != nil {
			return nil, err
		}
	}
	exec := m.predict
	if log == nil {
		log = io.Discard
	}
	sz := ds.ImageSize()
	ev := aug.Eval()
	buf := make([]float32, batch*sz)
	o := &Outputs{N: len(idx)}
	bar := progress.New("predict", len(idx), "img").WithWriter(log)
	for start := 0; start < len(idx); start += batch {
		part := idx[start:min(start+batch, len(idx))]
		// Pad the last batch to the full size: one compiled graph, and in
		// evaluation mode examples do not interact.
		full := make([]int, batch)
		for k := range full {
			full[k] = part[min(k, len(part)-1)]
		}
		if err := ev.Batch(ds, full, 0, buf); err != nil {
			return nil, err
		}
		x, err := donatedBatch(m.Backend, buf, batch, ds.H, ds.W, ds.C)
		if err != nil {
			return nil, err
		}
		var out []*tensors.Tensor
		if err := catch("predict", func() { out = exec.MustCall(x) }); err != nil {
			return nil, err
		}
		o.Classes = out[0].Shape().Dimensions[1]
		o.Logits = append(o.Logits, tensors.MustCopyFlatData[float32](out[0])[:len(part)*o.Classes]...)
		if features {
			o.Dim = out[1].Shape().Dimensions[1]
			o.Features = append(o.Features, tensors.MustCopyFlatData[float32](out[1])[:len(part)*o.Dim]...)
		}
		for _, t := range out {
			t.FinalizeAll()
		}
		bar.Add(len(part))
	}
	bar.Done()
	return o, nil
}

// Accuracy is the top-1 and top-5 accuracy of outputs against labels.
func (o *Outputs) Accuracy(labels []int32) (top1, top5 float64) {
	for i := 0; i < o.N; i++ {
		higher := o.rank(i, labels[i])
		if higher == 0 {
			top1++
		}
		if higher < 5 {
			top5++
		}
	}
	return top1 / float64(o.N), top5 / float64(o.N)
}

// Correct reports, for each example, whether its top-1 prediction is its
// label (by Accuracy's rule).
func (o *Outputs) Correct(labels []int32) []bool {
	out := make([]bool, o.N)
	for i := range out {
		out[i] = o.rank(i, labels[i]) == 0
	}
	return out
}

// rank is the number of classes ranked above example i's label (ties go to
// the lower class index); a NaN logit for the label ranks it below every
// class, so a diverged network is wrong at top-1 and top-5, not right by
// default.
func (o *Outputs) rank(i int, label int32) int {
	row := o.Logits[i*o.Classes : (i+1)*o.Classes]
	own := row[label]
	if math.IsNaN(float64(own)) {
		return math.MaxInt // wrong at every k
	}
	higher := 0
	for c, v := range row {
		if v > own || (v == own && c < int(label)) {
			higher++
		}
	}
	return higher
}

// Evaluate recomputes the batch-norm statistics on the training subset and
// returns top-1 and top-5 accuracy on a test set.
func (t *Trainer) Evaluate(trainSet data.Subset, test *data.Dataset) (top1, top5 float64, err error) {
	e, err := t.EvaluateExamples(trainSet, test)
	return e.Top1, e.Top5, err
}

// Evaluation is a network's accuracy on a test set, with which test
// examples it classified correctly (top-1): paired comparisons of two
// networks count the examples on which exactly one of them is right.
type Evaluation struct {
	Top1, Top5 float64
	Correct    []bool // by test example
}

// EvaluateExamples is Evaluate with the per-example top-1 correctness.
func (t *Trainer) EvaluateExamples(trainSet data.Subset, test *data.Dataset) (Evaluation, error) {
	if err := t.Model.RecomputeBatchNorm(trainSet, t.Augment, t.Cfg.Batch, t.Cfg.BNBatches); err != nil {
		return Evaluation{}, err
	}
	all := data.All(test)
	out, err := t.Model.predictOutputs(test, all.Idx, t.Augment, evalBatch(t.Cfg.Batch), t.Cfg.Log, false)
	if err != nil {
		return Evaluation{}, err
	}
	e := Evaluation{Correct: out.Correct(test.Labels)}
	e.Top1, e.Top5 = out.Accuracy(test.Labels)
	return e, nil
}

// TrainError is the error (1 − top-1 accuracy) of the trained network on
// the examples it trained on, by an evaluation pass after training: no
// augmentation, evaluation mode, the final weights. The running mean that
// training reports mixes the weights of a whole epoch; this is how well
// the network fits its training set.
func (t *Trainer) TrainError(trainSet data.Subset) (float64, error) {
	if len(trainSet.Idx) == 0 {
		return 0, fmt.Errorf("train error: no training examples")
	}
	out, err := t.Model.predictOutputs(trainSet.DS, trainSet.Idx, t.Augment, evalBatch(t.Cfg.Batch), t.Cfg.Log, false)
	if err != nil {
		return 0, err
	}
	labels := make([]int32, len(trainSet.Idx))
	for k, i := range trainSet.Idx {
		labels[k] = trainSet.DS.Labels[i]
	}
	top1, _ := out.Accuracy(labels)
	return 1 - top1, nil
}

func evalBatch(train int) int { return max(train, 256) }
