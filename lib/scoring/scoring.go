package scoring

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"

	"github.com/gomlx/compute"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/data"
	"beyondscaling/lib/embeddings"
	"beyondscaling/lib/metrics"
	"beyondscaling/lib/probes"
	"beyondscaling/lib/project"
	"beyondscaling/lib/prune"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/ssl"
)

// Preset fixes the probe networks' sizes and budgets: the probe presets
// live in lib/settings' table (settings.ProbesFor).
type Preset = settings.Probes

// PresetFor returns the probe preset of a profile on a dataset.
func PresetFor(p project.Profile, dataset string) Preset { return settings.ProbesFor(p, dataset) }

// Env is what scoring needs: the examples to score, the held-out
// validation examples (for influence), the backend, the preset, and a work
// folder that keeps each finished probe network's outputs (lib/probes) and
// the self-supervised embeddings (lib/ssl), each keyed by what determines
// it, so a work folder is never served another configuration's networks.
type Env struct {
	Backend compute.Backend
	Train   data.Subset
	// Validation is where influence is measured: a held-out split of the
	// training data (never the test set the pruned networks are graded on).
	Validation data.Subset
	Augment    data.Augment
	Preset     Preset
	// Recipe trains the probe networks (Epochs from the preset); when its
	// batch is 0 it is settings.ProbeRecipe of the dataset and preset.
	Recipe  settings.Resolved
	WorkDir string
	// Logger receives which probe networks are trained or reused (Info),
	// cache warnings (Warn) and training progress (Debug); nil discards.
	Logger     *slog.Logger
	Embeddings *embeddings.Set // for ssl-prototypes: given, or trained when nil
	// Recompute retrains cached probe networks made by another code
	// version (otherwise they are reused with a warning naming both).
	Recompute bool
	// ProbeDraw re-draws the probe networks (probes.Trainer.Draw; 0: the
	// shared ones).
	ProbeDraw uint64

	probes *probes.Trainer // Compute's, for the metric it computes
}

func (env *Env) labels() []int32 {
	out := make([]int32, len(env.Train.Idx))
	for k, i := range env.Train.Idx {
		out[k] = env.Train.DS.Labels[i]
	}
	return out
}

func (env *Env) validationLabels() []int32 {
	out := make([]int32, len(env.Validation.Idx))
	for k, i := range env.Validation.Idx {
		out[k] = env.Validation.DS.Labels[i]
	}
	return out
}

// Metric describes one scorer.
type Metric struct {
	Name        string
	Definition  string
	NeedsLabels bool
	Cost        string
	score       func(ctx context.Context, env *Env, seed uint64) ([]float64, error)
	// apply sets the preset field that a name's @ parameter overrides.
	apply func(p *Preset)
}

// Metrics lists every scorer, the paper's ten first.
func Metrics() []Metric {
	return []Metric{
		{"ssl-prototypes", "cosine distance to the nearest of k k-means centroids of self-supervised embeddings", false,
			"one self-supervised encoder (or given embeddings) and k-means", sslPrototypes, nil},
		{"supervised-prototypes", "cosine distance to the mean embedding of the example's own class", true,
			"one fully trained network", supervisedPrototypes, nil},
		{"memorization", "P[correct | trained on it] - P[correct | not trained on it], over random 70% subsets", true,
			"K fully trained networks (shared with influence, DDD, ensemble-al)", memorization, nil},
		{"influence-max", "max over held-out validation examples of P[correct | in S] - P[correct | not in S]", true,
			"the memorization runs plus test predictions", influence(false), nil},
		{"influence-sum-abs", "sum over held-out validation examples of |influence|", true, "as influence-max", influence(true), nil},
		{"forgetting", "correct->incorrect transitions during training; never learned = maximum", true,
			"one fully trained network with recorded dynamics", forgetting, nil},
		{"el2n-1", "||softmax - onehot||_2 of 1 network early in training", true, "1 network, a few epochs", el2n(1), nil},
		{"el2n-20", "mean ||softmax - onehot||_2 of 20 networks early in training (fewer in reduced presets)", true,
			"EL2NModels networks, a few epochs each", el2n(0), nil},
		{"ddd", "1 - fraction of held-out networks classifying the example correctly", true, "the memorization runs", ddd, nil},
		{"ensemble-al", "entropy of the mean softmax of the subset networks held out of the example (as DDD; they never saw its label)", true, "the memorization runs", ensembleAL, nil},
		{"random", "uniform random scores", false, "none", func(_ context.Context, env *Env, seed uint64) ([]float64, error) {
			return metrics.Random(len(env.Train.Idx), seed), nil
		}, nil},
		{"grand-last-layer", "GraNd of the last layer only: its gradient norm ||p - y||·sqrt(||h||²+1) early in training, mean over networks (alias grand)", true,
			"as el2n-20", grand, nil},
		{"aum", "minus the area under the margin (mean training margin)", true, "as forgetting", aum, nil},
	}
}

// Names lists the metric names.
func Names() []string {
	var out []string
	for _, m := range Metrics() {
		out = append(out, m.Name)
	}
	return out
}

// Lookup finds a metric by name. A name may carry one parameter after "@":
// the snapshot epoch of el2n-1, el2n-20 and grand (el2n-20@1 is EL2N from
// probes trained for one epoch, a weaker probe), or the number of clusters
// of ssl-prototypes (ssl-prototypes@50).
func Lookup(name string) (Metric, error) {
	base, param, hasParam := strings.Cut(name, "@")
	if base == "grand" {
		base = "grand-last-layer" // the old name, accepted
	}
	for _, m := range Metrics() {
		if m.Name != base {
			continue
		}
		if hasParam {
			v, err := strconv.Atoi(param)
			if err != nil || v < 1 {
				return Metric{}, fmt.Errorf("metric %q: the parameter after @ must be a positive integer", name)
			}
			switch base {
			case "el2n-1", "el2n-20", "grand-last-layer":
				m.apply = func(p *Preset) { p.EarlyEpoch = v }
			case "ssl-prototypes":
				m.apply = func(p *Preset) { p.Clusters = v }
			default:
				return Metric{}, fmt.Errorf("metric %q: %s takes no @ parameter (el2n-1, el2n-20 and grand-last-layer take a snapshot epoch, ssl-prototypes a number of clusters)", name, base)
			}
			m.Name = base + "@" + param
		}
		return m, nil
	}
	return Metric{}, fmt.Errorf("unknown metric %q: use one of %s", name, strings.Join(Names(), ", "))
}

// Compute scores the environment's examples with a metric. The random
// metric uses seed; the others are deterministic in the preset.
func Compute(ctx context.Context, env *Env, name string, seed uint64) (*prune.Scores, error) {
	m, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if len(env.Train.Idx) == 0 {
		return nil, fmt.Errorf("no examples to score")
	}
	// The @ parameter overrides the preset for this metric only.
	local := *env
	env = &local
	if m.apply != nil {
		m.apply(&env.Preset)
	}
	name = m.Name // the canonical name (grand is grand-last-layer)
	if env.Recipe.Batch == 0 {
		if env.Recipe, err = settings.ProbeRecipe(env.Train.DS.Name, env.Preset); err != nil {
			return nil, err
		}
	}
	env.Recipe.Epochs = env.Preset.Epochs
	env.probes = &probes.Trainer{Backend: env.Backend, Train: env.Train, Validation: env.Validation, Augment: env.Augment,
		Preset: env.Preset, Recipe: env.Recipe, WorkDir: env.WorkDir, Logger: env.Logger, Recompute: env.Recompute,
		DatasetSHA: env.Train.DS.Checksum(), Steps: map[string]int{}, Draw: env.ProbeDraw}
	values, err := m.score(ctx, env, seed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	imputed, err := imputeUndefined(name, values, env.Preset)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := env.Preset
	params := map[string]string{"preset": p.Name, "model": p.Model, "epochs": strconv.Itoa(p.Epochs),
		"early_epoch": strconv.Itoa(p.EarlyEpoch), "el2n_models": strconv.Itoa(p.EL2NModels), "subsets": strconv.Itoa(p.Subsets),
		"subset_fraction": strconv.FormatFloat(p.Fraction, 'g', -1, 64), "definition_version": strconv.Itoa(settings.MetricVersion(name))}
	if len(env.probes.Steps) > 0 {
		// The probes' training configuration as applied.
		r := env.Recipe
		params["probe_optimizer"], params["probe_schedule"], params["probe_recipe_row"] = r.Optimizer, r.Schedule, r.Row
		params["probe_lr"], params["probe_batch"] = strconv.FormatFloat(r.LR, 'g', -1, 64), strconv.Itoa(r.Batch)
		params["probe_momentum"], params["probe_nesterov"] = strconv.FormatFloat(r.Momentum, 'g', -1, 64), strconv.FormatBool(r.Nesterov)
		params["probe_weight_decay"], params["probe_epochs"] = strconv.FormatFloat(r.WeightDecay, 'g', -1, 64), strconv.Itoa(r.Epochs)
		params["probe_augmentation"] = augmentString(env.Augment)
		if env.Backend != nil {
			params["probe_backend"] = backend.Name(env.Backend)
		}
		for kind, n := range env.probes.Steps {
			params["probe_steps_"+kind] = strconv.Itoa(n)
		}
		if env.Recipe.Fallback {
			params["fallback"] = "no recipe row names probe model " + p.Model + ": row " + r.Row
		}
	}
	if len(env.Validation.Idx) > 0 && strings.HasPrefix(name, "influence") {
		params["influence_on"] = fmt.Sprintf("validation split of %d examples (%s)", len(env.Validation.Idx), cachekey.HashStrings(env.Validation.IDs()))
	}
	if _, ok := heldOutMetrics[name]; ok {
		maps.Copy(params, imputed.Params())
	}
	if strings.HasPrefix(name, "ssl-prototypes") {
		params["clusters"] = strconv.Itoa(min(p.Clusters, len(env.Train.Idx)))
		if p.Clusters > len(env.Train.Idx) {
			params["fallback"] = fmt.Sprintf("k = %d clusters capped at the %d examples", p.Clusters, len(env.Train.Idx))
		}
		params["ssl_model"], params["ssl_epochs"] = p.SSLModel, strconv.Itoa(p.SSLEpochs)
		// SimCLR's batch is its set of negatives: it is capped at the set
		// size (ssl.SimCLR), and the sidecar says so.
		params["ssl_batch"] = strconv.Itoa(min(p.SSLBatch, len(env.Train.Idx)))
		if p.SSLBatch > len(env.Train.Idx) && env.Embeddings == nil {
			params["fallback"] = strings.TrimPrefix(params["fallback"]+"; ", "; ") + fmt.Sprintf("SimCLR batch %d capped at the %d examples", p.SSLBatch, len(env.Train.Idx))
		}
		if env.Embeddings != nil {
			params["embeddings"] = env.Embeddings.Source
		}
	}
	ds := env.Train.DS
	return &prune.Scores{IDs: env.Train.IDs(), Values: values, Meta: prune.Meta{
		Metric: name, Params: params, Seeds: []uint64{seed}, Dataset: ds.Name + "/" + ds.Split,
		DatasetSHA256: env.probes.DatasetSHA, CodeVersion: project.CodeVersion(),
	}}, nil
}

// augmentString describes a data augmentation for a sidecar.
func augmentString(a data.Augment) string {
	return settings.Augmentation{Normalise: a.Mean != nil, Pad: a.Pad, Flip: a.Flip, ResizedCrop: a.ResizedCrop, ColorJitter: a.ColorJitter}.String()
}

func el2n(k int) func(context.Context, *Env, uint64) ([]float64, error) {
	return func(ctx context.Context, env *Env, _ uint64) ([]float64, error) {
		n := k
		if n == 0 {
			n = env.Preset.EL2NModels
		}
		rs, err := env.probes.Early(ctx, n)
		if err != nil {
			return nil, err
		}
		var logits [][]float32
		for _, r := range rs {
			logits = append(logits, r.TrainLogits)
		}
		return metrics.EL2N(logits, env.labels(), rs[0].Classes), nil
	}
}

func grand(ctx context.Context, env *Env, _ uint64) ([]float64, error) {
	rs, err := env.probes.Early(ctx, env.Preset.EL2NModels)
	if err != nil {
		return nil, err
	}
	var logits, feats [][]float32
	for _, r := range rs {
		logits, feats = append(logits, r.TrainLogits), append(feats, r.TrainFeatures)
	}
	return metrics.GraNd(logits, feats, env.labels(), rs[0].Classes, rs[0].Dim), nil
}

func forgetting(ctx context.Context, env *Env, _ uint64) ([]float64, error) {
	r, err := env.probes.Full(ctx)
	if err != nil {
		return nil, err
	}
	return metrics.Forgetting(r.Correct), nil
}

func aum(ctx context.Context, env *Env, _ uint64) ([]float64, error) {
	r, err := env.probes.Full(ctx)
	if err != nil {
		return nil, err
	}
	return metrics.AUM(r.Margin), nil
}

func supervisedPrototypes(ctx context.Context, env *Env, _ uint64) ([]float64, error) {
	r, err := env.probes.Full(ctx)
	if err != nil {
		return nil, err
	}
	return metrics.SupervisedPrototypes(r.TrainFeatures, r.Dim, env.labels(), r.Classes), nil
}

func membership(ctx context.Context, env *Env) (metrics.Membership, [][]bool, [][]bool, []*probes.Outputs, error) {
	rs, err := env.probes.Subsets(ctx)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	labels := env.labels()
	var member metrics.Membership
	var correct, testCorrect [][]bool
	for _, r := range rs {
		member = append(member, r.Member)
		correct = append(correct, correctness(r.TrainLogits, labels, r.Classes))
		if r.TestLogits != nil {
			testCorrect = append(testCorrect, correctness(r.TestLogits, env.validationLabels(), r.Classes))
		}
	}
	return member, correct, testCorrect, rs, nil
}

func memorization(ctx context.Context, env *Env, _ uint64) ([]float64, error) {
	member, correct, _, _, err := membership(ctx, env)
	if err != nil {
		return nil, err
	}
	return metrics.Memorization(member, correct)
}

// influence is influence-max (sumAbs false) or influence-sum-abs, from
// one computation of metrics.Influence over the subset networks.
func influence(sumAbs bool) func(context.Context, *Env, uint64) ([]float64, error) {
	return func(ctx context.Context, env *Env, _ uint64) ([]float64, error) {
		member, _, testCorrect, _, err := membership(ctx, env)
		if err != nil {
			return nil, err
		}
		mx, s, err := metrics.Influence(member, testCorrect)
		if sumAbs {
			return s, err
		}
		return mx, err
	}
}

func ddd(ctx context.Context, env *Env, _ uint64) ([]float64, error) {
	member, correct, _, _, err := membership(ctx, env)
	if err != nil {
		return nil, err
	}
	return metrics.DDD(member, correct), nil
}

func ensembleAL(ctx context.Context, env *Env, _ uint64) ([]float64, error) {
	member, _, _, rs, err := membership(ctx, env)
	if err != nil {
		return nil, err
	}
	var logits [][]float32
	for _, r := range rs {
		logits = append(logits, r.TrainLogits)
	}
	return metrics.EnsembleEntropy(logits, member, len(env.Train.Idx), rs[0].Classes), nil
}

// correctness says, for each example, whether the argmax of its logits is its label.
func correctness(logits []float32, labels []int32, classes int) []bool {
	out := make([]bool, len(labels))
	for i, y := range labels {
		row := logits[i*classes : (i+1)*classes]
		best := 0
		for c := range row {
			if row[c] > row[best] {
				best = c
			}
		}
		out[i] = best == int(y)
	}
	return out
}

func sslPrototypes(ctx context.Context, env *Env, seed uint64) ([]float64, error) {
	emb := env.Embeddings
	if emb == nil {
		p := env.Preset
		var err error
		simclr := ssl.SimCLR{Backend: env.Backend, Model: p.SSLModel, Epochs: p.SSLEpochs, Batch: p.SSLBatch, Augment: env.Augment, WorkDir: env.WorkDir, Logger: env.Logger}
		if emb, err = simclr.Embed(ctx, env.Train); err != nil {
			return nil, err
		}
	}
	vals, err := emb.Align(env.Train.IDs())
	if err != nil {
		return nil, err
	}
	k := min(env.Preset.Clusters, len(env.Train.Idx))
	return metrics.SelfSupervisedPrototypes(vals, len(env.Train.Idx), emb.Dim, k, seed)
}
