package transfer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/data"
	"beyondscaling/lib/experiment"
	"beyondscaling/lib/metrics"
	"beyondscaling/lib/models"
	"beyondscaling/lib/progress"
	"beyondscaling/lib/project"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/ssl"
	"beyondscaling/lib/sweep"
	"beyondscaling/lib/textlog"
	"beyondscaling/lib/train"
)

// Config is the design of the transfer experiment.
type Config struct {
	Dataset string // a lib/data name
	// Upstream and Downstream are the classes of the two tasks; each task
	// is relabelled 0..k-1. Both come from the dataset's full set (its
	// training split less the validation split) and, downstream, its test
	// split.
	Upstream, Downstream []int32
	// UpstreamSize and DownstreamSize, when positive, draw class-balanced
	// subsets of that many training examples (seed 0) instead of the whole
	// halves: a small design for tests.
	UpstreamSize, DownstreamSize int
	// Fractions are the fractions kept (< 1) of both panels; every seed also
	// runs f = 1.
	Fractions []float64
	Seeds     []uint64
	// SSL is the self-supervised encoder (SSLModel, SSLEpochs, SSLBatch) and
	// the number of prototypes (Clusters); EL2NModels networks snapshotted
	// at EarlyEpoch of a fine-tuning give the downstream EL2N scores.
	SSL settings.Probes
	// FineTune is the recipe a network initialised from the encoder (the
	// same architecture, a new head) is fine-tuned with downstream.
	FineTune settings.Recipe
	// ProbeL2 is the linear probe's L2 penalty (0: DefaultProbeL2).
	ProbeL2 float64
	// ProbeSize, when positive, is how many labelled downstream examples
	// (class-balanced, seed 0) the linear probe is fitted on: with few
	// labels what the encoder learned upstream matters, with tens of
	// thousands almost any features do.
	ProbeSize int
}

// Result is one trained and graded network of either panel.
type Result struct {
	Key   string `json:"key"`
	Panel string `json:"panel"` // PanelPretrain or PanelFineTune
	// Policy is what chose the examples trained on: PolicyPrototypes or
	// PolicyEL2N (keep hard), PolicyRandom, or PolicyAll at f = 1.
	Policy      string  `json:"policy"`
	F           float64 `json:"f"`
	Seed        uint64  `json:"seed"`
	Examples    int     `json:"examples"` // upstream (pretrain) or downstream (fine-tune) examples trained on
	TestError   float64 `json:"test_error"`
	TestCorrect string  `json:"test_correct"` // sweep.PackCorrect over the downstream test split
	TestSize    int     `json:"test_size"`
	Backend     string  `json:"backend"`
	Seconds     float64 `json:"seconds"`
	CodeVersion string  `json:"code_version"`
}

// Panels and policies.
const (
	PanelPretrain    = "pretrain"  // Fig. 4B: pruned upstream pretraining, downstream linear probe
	PanelFineTune    = "fine-tune" // Fig. 4A: pruned downstream fine-tuning of the pretrained encoder
	PolicyPrototypes = "ssl-prototypes"
	PolicyEL2N       = "el2n"
	PolicyRandom     = "random"
	PolicyAll        = "all"
	// PolicyNone is the pretraining panel's reference: the encoder's
	// random initialisation, trained on nothing (f = 0), so that the
	// figure shows what pretraining adds.
	PolicyNone = "none"
)

// Runner runs the experiment. Its results are cached in WorkDir/transfer,
// one file per result keyed by everything that determines it, and its
// encoders are checkpointed (ssl.SimCLR.Encoder), so a re-run, or a
// notebook cell that only reads the results, trains nothing twice.
type Runner struct {
	Backend     compute.Backend
	BackendName string // recorded in the results
	WorkDir     string
	Logger      *slog.Logger
}

// tasks are the experiment's data: the upstream and downstream training
// sets and the downstream test set, each relabelled.
type tasks struct {
	up, down, downTest *data.Dataset
	aug                data.Augment // normalisation only (evaluation and SimCLR's base)
	sha, upSHA         string       // of the source dataset's training split, of the upstream set
}

func (r Runner) tasks(cfg Config) (tasks, error) {
	base, err := data.Load(cfg.Dataset, "train")
	if err != nil {
		return tasks{}, err
	}
	test, err := data.Load(cfg.Dataset, "test")
	if err != nil {
		return tasks{}, err
	}
	full, err := experiment.FullSet(base)
	if err != nil {
		return tasks{}, err
	}
	var t tasks
	if t.up, err = data.ClassSplit(full, cfg.Upstream); err != nil {
		return t, err
	}
	if t.down, err = data.ClassSplit(full, cfg.Downstream); err != nil {
		return t, err
	}
	if t.downTest, err = data.ClassSplit(data.All(test), cfg.Downstream); err != nil {
		return t, err
	}
	shrink := func(ds *data.Dataset, n int) (*data.Dataset, error) {
		if n <= 0 || n >= ds.Len() {
			return ds, nil
		}
		return data.ClassSplit(data.All(ds).Balanced(n, 0), allClasses(ds))
	}
	if t.up, err = shrink(t.up, cfg.UpstreamSize); err != nil {
		return t, err
	}
	if t.down, err = shrink(t.down, cfg.DownstreamSize); err != nil {
		return t, err
	}
	t.aug, err = train.AugmentFor(cfg.Dataset, cfg.FineTune.Augmentation, 0)
	if err != nil {
		return t, err
	}
	t.aug = t.aug.Eval()
	t.sha, t.upSHA = base.Checksum(), t.up.Checksum()
	return t, nil
}

func allClasses(ds *data.Dataset) []int32 {
	out := make([]int32, len(ds.Classes))
	for i := range out {
		out[i] = int32(i)
	}
	return out
}

// resultKey is what determines one result: the job, and the design less
// its lists of seeds and fractions (adding a seed or a fraction leaves the
// other results valid).
type resultKey struct {
	Version     int
	Panel       string
	Policy      string
	F           float64
	Seed        uint64
	Config      Config
	DatasetSHA  string
	UpstreamSHA string
}

func newResultKey(cfg Config, t tasks, panel string, j job, seed uint64) resultKey {
	cfg.Seeds, cfg.Fractions = nil, nil
	return resultKey{Version: 1, Panel: panel, Policy: j.policy, F: j.f, Seed: seed, Config: cfg, DatasetSHA: t.sha, UpstreamSHA: t.upSHA}
}

// Run runs (or reads back) every result of the design: for each seed, the
// pretraining panel (SimCLR on the upstream set kept by self-supervised
// prototypes or at random at each fraction, and on all of it; a linear
// probe on the encoder's features of the downstream training set, graded
// on the downstream test set) and the fine-tuning panel (the encoder
// pretrained on all the upstream data, fine-tuned on the downstream set
// kept by EL2N from fine-tuning probes or at random at each fraction, and
// on all of it). Progress goes to the logger.
func (r Runner) Run(ctx context.Context, cfg Config) ([]Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t, err := r.tasks(cfg)
	if err != nil {
		return nil, err
	}
	var out []Result
	total := len(cfg.Seeds) * (4*len(cfg.Fractions) + 3)
	var w io.Writer = io.Discard
	if lw := textlog.Writer(r.Logger, slog.LevelInfo); lw != nil {
		w = lw
	}
	bar := progress.New("transfer (Fig. 4)", total, "networks").WithWriter(w)
	defer bar.Done()
	var protoScores []float64
	for _, seed := range cfg.Seeds {
		for _, panel := range []string{PanelPretrain, PanelFineTune} {
			var el2n []float64
			for _, job := range jobs(cfg, panel) {
				key := newResultKey(cfg, t, panel, job, seed)
				path := filepath.Join(r.WorkDir, "transfer", cachekey.Hash(key)+".json")
				if res, ok := readResult(path); ok && r.WorkDir != "" {
					out = append(out, res)
					bar.Add(1)
					continue
				}
				start := time.Now()
				var res Result
				switch panel {
				case PanelPretrain:
					if job.policy == PolicyPrototypes && protoScores == nil {
						if protoScores, err = r.prototypeScores(ctx, cfg, t); err != nil {
							return nil, fmt.Errorf("transfer: self-supervised prototype scores of the upstream set: %w", err)
						}
					}
					res, err = r.pretrain(ctx, cfg, t, job, seed, protoScores)
				case PanelFineTune:
					if job.policy == PolicyEL2N && el2n == nil {
						if el2n, err = r.el2nScores(ctx, cfg, t, seed); err != nil {
							return nil, fmt.Errorf("transfer: EL2N scores of the downstream set, seed %d: %w", seed, err)
						}
					}
					res, err = r.fineTune(ctx, cfg, t, job, seed, el2n)
				}
				if err != nil {
					return nil, fmt.Errorf("transfer %s, %s f = %g, seed %d: %w", panel, job.policy, job.f, seed, err)
				}
				res.Key, res.Panel, res.Policy, res.F, res.Seed = cachekey.Hash(key), panel, job.policy, job.f, seed
				res.Backend, res.Seconds, res.CodeVersion = r.BackendName, time.Since(start).Seconds(), project.CodeVersion()
				if r.WorkDir != "" {
					b, _ := json.MarshalIndent(res, "", "  ")
					if err := atomicfile.WriteBytes(path, append(b, '\n')); err != nil {
						return nil, err
					}
				}
				out = append(out, res)
				bar.Add(1)
			}
		}
	}
	return out, nil
}

func (c Config) validate() error {
	switch {
	case len(c.Upstream) == 0 || len(c.Downstream) == 0:
		return fmt.Errorf("transfer: the upstream and downstream classes must both be given")
	case len(c.Seeds) == 0:
		return fmt.Errorf("transfer: no seeds")
	case c.SSL.SSLModel == "" || c.SSL.SSLEpochs < 1 || c.SSL.SSLBatch < 2 || c.SSL.Clusters < 1 || c.SSL.EL2NModels < 1 || c.SSL.EarlyEpoch < 1:
		return fmt.Errorf("transfer: the self-supervised settings %+v are incomplete (model, epochs, batch, clusters, EL2N networks and epoch)", c.SSL)
	}
	for _, up := range c.Upstream {
		for _, down := range c.Downstream {
			if up == down {
				return fmt.Errorf("transfer: class %d is both upstream and downstream: transfer needs disjoint tasks", up)
			}
		}
	}
	for _, f := range c.Fractions {
		if !(f > 0 && f < 1) {
			return fmt.Errorf("transfer: fraction kept %v must be in (0, 1) (f = 1 is always run)", f)
		}
	}
	return nil
}

type job struct {
	policy string
	f      float64
}

// jobs are one panel's networks for one seed: keep hard and random at
// each fraction, then all the data.
func jobs(cfg Config, panel string) []job {
	hard := PolicyPrototypes
	if panel == PanelFineTune {
		hard = PolicyEL2N
	}
	var out []job
	for _, f := range cfg.Fractions {
		out = append(out, job{hard, f}, job{PolicyRandom, f})
	}
	out = append(out, job{PolicyAll, 1})
	if panel == PanelPretrain {
		out = append(out, job{PolicyNone, 0})
	}
	return out
}

func readResult(path string) (Result, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Result{}, false
	}
	var res Result
	if json.Unmarshal(b, &res) != nil || res.TestCorrect == "" {
		return Result{}, false
	}
	return res, true
}

func (r Runner) simclr(cfg Config, t tasks, seed uint64) ssl.SimCLR {
	return ssl.SimCLR{Backend: r.Backend, Model: cfg.SSL.SSLModel, Epochs: cfg.SSL.SSLEpochs, Batch: cfg.SSL.SSLBatch,
		Augment: t.aug, WorkDir: r.dir("encoders"), Logger: r.Logger, Seed: seed}
}

func (r Runner) dir(name string) string {
	if r.WorkDir == "" {
		return ""
	}
	return filepath.Join(r.WorkDir, "transfer", name)
}

// prototypeScores are the self-supervised prototype scores of the upstream
// set: a SimCLR encoder on all of it (the metric's own, seed 0), spherical
// k-means on its features, each example's distance to its nearest
// centroid. One set of scores serves every seed, as in notebooks 05 and 06.
func (r Runner) prototypeScores(ctx context.Context, cfg Config, t tasks) ([]float64, error) {
	emb, err := r.simclr(cfg, t, 0).Embed(ctx, data.All(t.up))
	if err != nil {
		return nil, err
	}
	return metrics.SelfSupervisedPrototypes(emb.Values, len(emb.IDs), emb.Dim, cfg.SSL.Clusters, 0)
}

// keep returns the examples of set a policy keeps at fraction f.
func keep(set *data.Dataset, policy string, f float64, scores []float64, seed uint64) (data.Subset, error) {
	switch policy {
	case PolicyAll:
		return data.All(set), nil
	case PolicyNone:
		return data.Subset{DS: set}, nil
	}
	opt := prune.Options{Keep: prune.KeepHard, F: f, Seed: seed}
	if policy == PolicyRandom {
		opt.Keep = prune.KeepRandom
		scores = make([]float64, set.Len())
	}
	idx, err := prune.Select(scores, set.Labels, opt)
	if err != nil {
		return data.Subset{}, err
	}
	return data.Subset{DS: set, Idx: idx}, nil
}

// pretrain is one network of Fig. 4B: SimCLR on the kept upstream
// examples, then a linear probe on its frozen features downstream.
func (r Runner) pretrain(ctx context.Context, cfg Config, t tasks, j job, seed uint64, scores []float64) (Result, error) {
	set, err := keep(t.up, j.policy, j.f, scores, seed)
	if err != nil {
		return Result{}, err
	}
	var enc *train.Model
	if j.policy == PolicyNone {
		net, err := models.New(cfg.SSL.SSLModel, models.Options{Classes: 2, Channels: t.up.C})
		if err != nil {
			return Result{}, err
		}
		enc = train.NewModel(r.Backend, net, seed)
		// Batch-norm statistics of the upstream images, as a trained
		// encoder has them (networks without batch norm are unaffected).
		if err := enc.RecomputeBatchNorm(data.All(t.up), t.aug, min(cfg.SSL.SSLBatch, t.up.Len()), 50); err != nil {
			return Result{}, err
		}
	} else if enc, err = r.simclr(cfg, t, seed).Encoder(ctx, set); err != nil {
		return Result{}, err
	}
	probeSet := data.All(t.down)
	if cfg.ProbeSize > 0 && cfg.ProbeSize < t.down.Len() {
		probeSet = probeSet.Balanced(cfg.ProbeSize, 0)
	}
	labels := make([]int32, len(probeSet.Idx))
	for k, i := range probeSet.Idx {
		labels[k] = t.down.Labels[i]
	}
	trainOut, err := enc.Predict(t.down, probeSet.Idx, t.aug, 256, nil)
	if err != nil {
		return Result{}, err
	}
	testOut, err := enc.Predict(t.downTest, data.All(t.downTest).Idx, t.aug, 256, nil)
	if err != nil {
		return Result{}, err
	}
	l2 := cfg.ProbeL2
	if l2 == 0 {
		l2 = DefaultProbeL2
	}
	probe, err := FitLinearProbe(trainOut.Features, labels, trainOut.Dim, len(t.down.Classes), l2)
	if err != nil {
		return Result{}, err
	}
	pred, err := probe.Predict(testOut.Features)
	if err != nil {
		return Result{}, err
	}
	correct := make([]bool, len(pred))
	wrong := 0
	for i, p := range pred {
		correct[i] = p == t.downTest.Labels[i]
		if !correct[i] {
			wrong++
		}
	}
	return Result{Examples: len(set.Idx), TestError: float64(wrong) / float64(len(pred)), TestCorrect: sweep.PackCorrect(correct), TestSize: len(pred)}, nil
}

// fineTuner is a downstream network initialised from the encoder pretrained
// on all the upstream data with encoderSeed (same architecture, a new
// head), ready to train with trainSeed.
func (r Runner) fineTuner(ctx context.Context, cfg Config, t tasks, encoderSeed, trainSeed uint64, set data.Subset, stopEpoch int) (*train.Trainer, error) {
	enc, err := r.simclr(cfg, t, encoderSeed).Encoder(ctx, data.All(t.up))
	if err != nil {
		return nil, err
	}
	tc, err := train.FromRecipe(cfg.SSL.SSLModel, cfg.FineTune)
	if err != nil {
		return nil, err
	}
	tc.Seed, tc.StopEpoch = trainSeed, stopEpoch
	aug, err := train.AugmentFor(cfg.Dataset, cfg.FineTune.Augmentation, trainSeed)
	if err != nil {
		return nil, err
	}
	tr, err := train.New(r.Backend, tc, set, aug)
	if err != nil {
		return nil, err
	}
	// The encoder's parameters start the network; its classifier head
	// (the pretext's, of another size) and SimCLR's projection head do not.
	copied := 0
	for v := range enc.Store.IterVariables() {
		p := v.Path()
		if !strings.HasPrefix(p, "/model/") || strings.HasPrefix(p, "/model/head") || strings.HasPrefix(p, "/model/proj") {
			continue
		}
		if _, err := v.CloneToStore(tr.Model.Store); err != nil {
			return nil, err
		}
		copied++
	}
	if copied == 0 {
		return nil, fmt.Errorf("the encoder %s has no parameters under /model/ to start from", cfg.SSL.SSLModel)
	}
	return tr, nil
}

// el2nScores are EL2N scores of the downstream training set from the
// pretrained model's own fine-tuning: EL2NModels networks started from the
// seed's pretrained encoder, each trained with its own seed (drawn from the
// seed), snapshotted at EarlyEpoch.
func (r Runner) el2nScores(ctx context.Context, cfg Config, t tasks, seed uint64) ([]float64, error) {
	set := data.All(t.down)
	var logits [][]float32
	for p := 0; p < cfg.SSL.EL2NModels; p++ {
		tr, err := r.fineTuner(ctx, cfg, t, seed, seed*1000+uint64(p)+1, set, cfg.SSL.EarlyEpoch)
		if err != nil {
			return nil, err
		}
		if _, err := tr.Run(ctx, set); err != nil {
			return nil, err
		}
		if err := tr.Model.RecomputeBatchNorm(set, t.aug, cfg.FineTune.Batch, 50); err != nil {
			return nil, err
		}
		out, err := tr.Model.Predict(t.down, set.Idx, t.aug, 256, nil)
		if err != nil {
			return nil, err
		}
		logits = append(logits, out.Logits)
	}
	return metrics.EL2N(logits, t.down.Labels, len(t.down.Classes)), nil
}

// fineTune is one network of Fig. 4A: the pretrained encoder fine-tuned on
// the kept downstream examples, graded on the downstream test set.
func (r Runner) fineTune(ctx context.Context, cfg Config, t tasks, j job, seed uint64, scores []float64) (Result, error) {
	set, err := keep(t.down, j.policy, j.f, scores, seed)
	if err != nil {
		return Result{}, err
	}
	tr, err := r.fineTuner(ctx, cfg, t, seed, seed, set, 0)
	if err != nil {
		return Result{}, err
	}
	if _, err := tr.Run(ctx, set); err != nil {
		return Result{}, err
	}
	ev, err := tr.EvaluateExamples(set, t.downTest)
	if err != nil {
		return Result{}, err
	}
	return Result{Examples: len(set.Idx), TestError: 1 - ev.Top1, TestCorrect: sweep.PackCorrect(ev.Correct), TestSize: len(ev.Correct)}, nil
}

// String describes the design in a line.
func (c Config) String() string {
	up, down := "all", "all"
	if c.UpstreamSize > 0 {
		up = fmt.Sprint(c.UpstreamSize)
	}
	if c.DownstreamSize > 0 {
		down = fmt.Sprint(c.DownstreamSize)
	}
	probe := "every downstream training example"
	if c.ProbeSize > 0 {
		probe = fmt.Sprintf("%d labelled downstream examples", c.ProbeSize)
	}
	return fmt.Sprintf("%s: upstream classes %v (%s of their full-set examples), downstream classes %v (%s); fractions kept %v and 1; seeds %v; "+
		"encoder %s (SimCLR, %d epochs, batch %d; %d prototypes); linear probe on %s; fine-tuning %s, %d epochs; EL2N from %d fine-tuning networks at epoch %d",
		c.Dataset, c.Upstream, up, c.Downstream, down, c.Fractions, c.Seeds, c.SSL.SSLModel, c.SSL.SSLEpochs, c.SSL.SSLBatch, c.SSL.Clusters,
		probe, c.FineTune.Optimizer, c.FineTune.Epochs, c.SSL.EL2NModels, c.SSL.EarlyEpoch)
}
