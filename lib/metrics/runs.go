package metrics

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/buildinfo"
	"beyondscaling/lib/data"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/train"
)

// runOutputs is what one probe network leaves behind: its outputs on every
// scored example (and on the validation split where influence needs it),
// which examples it trained on, and its training dynamics. It is saved once
// the network is done, with the key of its configuration and the code
// version, so a later Compute reuses it only for the same configuration.
type runOutputs struct {
	Key, CodeVersion string
	Steps            int
	Classes, Dim     int
	Member           []bool    // over the scored examples
	TrainLogits      []float32 // N×Classes, evaluation mode
	TrainFeatures    []float32 // N×Dim, if asked for
	TestLogits       []float32 // V×Classes on the validation split, if asked for
	Correct          [][]int8  // dynamics: [epoch][example] (full runs)
	Margin           [][]float32
}

// runSpec describes one probe network.
type runSpec struct {
	kind      string // "early-eE", "full", "subset"
	index     int
	features  bool
	test      bool
	dynamics  bool
	fraction  float64 // of the scored examples trained on (1 = all)
	stopEpoch int     // snapshot epoch of an Epochs-long schedule (0 = train fully)
}

// seed is the probe network's seed: a hash of its family and index.
// Pairing, on purpose: the early snapshots at different epochs (early-e1,
// early-e3) of network i share its seed, so the weak-probe comparison
// differs only in the snapshot epoch; different families (early, full,
// subset) are independent; network i gets the same seed for every scored
// set and preset.
func (s runSpec) seed() uint64 {
	family, _, _ := strings.Cut(s.kind, "-e")
	h := sha256.Sum256([]byte(fmt.Sprintf("probe/%s/%d", family, s.index)))
	return binary.LittleEndian.Uint64(h[:8])
}

// probeKey is everything that determines a probe network's outputs.
type probeKey struct {
	Kind       string          `json:"kind"`
	Index      int             `json:"index"`
	Seed       uint64          `json:"seed"`
	Features   bool            `json:"features"`
	Test       bool            `json:"test"`
	Dynamics   bool            `json:"dynamics"`
	Fraction   float64         `json:"fraction"`
	StopEpoch  int             `json:"stop_epoch"`
	Model      string          `json:"model"`
	Recipe     settings.Recipe `json:"recipe"`
	Augment    data.Augment    `json:"augment"`
	Dataset    string          `json:"dataset"`
	DatasetSHA string          `json:"dataset_sha256"`
	IDs        string          `json:"ids"`
	Validation string          `json:"validation_ids,omitempty"`
}

func (s runSpec) keyFields(env *Env) probeKey {
	k := probeKey{Kind: s.kind, Index: s.index, Seed: s.seed(), Features: s.features, Test: s.test, Dynamics: s.dynamics,
		Fraction: s.fraction, StopEpoch: s.stopEpoch, Model: env.Preset.Model, Recipe: env.Recipe.Recipe, Augment: env.Augment,
		Dataset: env.Train.DS.Name + "/" + env.Train.DS.Split, DatasetSHA: env.datasetSHA, IDs: settings.HashStrings(env.ids())}
	if s.test {
		k.Validation = settings.HashStrings(env.Validation.IDs())
	}
	return k
}

// key is a digest of everything that determines the probe's outputs.
func (s runSpec) key(env *Env) string { return settings.Hash(s.keyFields(env)) }

// whyNew says why no cached network fits: the fields in which the closest
// cached network of the same kind and index (another configuration)
// differs.
func (s runSpec) whyNew(env *Env) string {
	others, _ := filepath.Glob(filepath.Join(env.WorkDir, fmt.Sprintf("%s-%02d-*", s.kind, s.index), "key.json"))
	want := s.keyFields(env)
	var closest []string
	for _, o := range others {
		var k probeKey
		if b, err := os.ReadFile(o); err == nil && json.Unmarshal(b, &k) == nil {
			if d := settings.Diff(k, want); closest == nil || len(d) < len(closest) {
				closest = d
			}
		}
	}
	if len(closest) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d cached for other configurations; the closest differs in %s)", len(others), strings.Join(closest, ", "))
}

func (s runSpec) dir(env *Env) string {
	return filepath.Join(env.WorkDir, fmt.Sprintf("%s-%02d-%s", s.kind, s.index, s.key(env)))
}

// run returns a probe network's outputs, from its saved file if an earlier
// call finished it for the same configuration, otherwise by training it
// (resuming from its checkpoint if an earlier call was interrupted).
func (env *Env) run(ctx context.Context, s runSpec) (*runOutputs, error) {
	var file string
	key := s.key(env)
	version := buildinfo.CodeVersion()
	if env.WorkDir != "" {
		file = filepath.Join(s.dir(env), "outputs.gob")
		if o, err := loadOutputs(file); err == nil {
			switch {
			case o.Key != key:
				env.logger().Info(fmt.Sprintf("probe %s-%02d: %s was computed for another configuration (key %s, want %s): retraining", s.kind, s.index, file, o.Key, key))
			case o.CodeVersion != version && env.Recompute:
				env.logger().Info(fmt.Sprintf("probe %s-%02d: %s was made by code version %s, this is %s: retraining (recompute asked for)", s.kind, s.index, file, o.CodeVersion, version))
			default:
				if o.CodeVersion != version {
					env.logger().Warn(fmt.Sprintf("probe %s-%02d: %s was made by code version %s, this is %s: reusing it (to retrain, pass --recompute)", s.kind, s.index, file, o.CodeVersion, version))
				}
				env.logger().Info(fmt.Sprintf("probe %s-%02d: reusing %s", s.kind, s.index, file))
				env.steps[s.kind] = o.Steps
				return o, nil
			}
		}
	}
	set := env.Train
	member := make([]bool, len(set.Idx))
	trainSet := set
	if s.fraction < 1 {
		// Subset networks share one design that holds every example out
		// of at least one of them (see HeldOutDesign).
		member = HeldOutDesign(len(set.Idx), env.Preset.Subsets, s.fraction, 0x70)[s.index]
		var idx []int
		for k, i := range set.Idx {
			if member[k] {
				idx = append(idx, i)
			}
		}
		trainSet = data.Subset{DS: set.DS, Idx: idx}
	} else {
		for k := range member {
			member[k] = true
		}
	}
	p := env.Preset
	cfg, err := train.FromRecipe(p.Model, env.Recipe.Recipe)
	if err != nil {
		return nil, err
	}
	if err := env.Recipe.CheckSize(len(trainSet.Idx)); err != nil {
		return nil, fmt.Errorf("probe %s-%02d: %w", s.kind, s.index, err)
	}
	cfg.Seed = s.seed()
	cfg.StopEpoch = s.stopEpoch
	cfg.RecordDynamics = s.dynamics
	cfg.Log = env.progress()
	if env.WorkDir != "" {
		cfg.CheckpointDir = filepath.Join(s.dir(env), "checkpoints")
	}
	aug := env.Augment
	aug.Seed = s.seed()
	tr, err := train.New(env.Backend, cfg, trainSet, aug)
	if err != nil {
		return nil, err
	}
	why := ""
	if env.WorkDir != "" {
		why = s.whyNew(env)
	}
	env.logger().Info(fmt.Sprintf("probe %s-%02d: %s on %d examples%s", s.kind, s.index, p.Model, len(trainSet.Idx), why))
	res, err := tr.Run(ctx, trainSet)
	if err != nil {
		return nil, err
	}
	env.steps[s.kind] = res.Steps
	if err := tr.Model.RecomputeBatchNorm(trainSet, aug, cfg.Batch, cfg.BNBatches); err != nil {
		return nil, err
	}
	pred, err := tr.Model.Predict(set.DS, set.Idx, aug, 256, env.progress())
	if err != nil {
		return nil, err
	}
	o := &runOutputs{Key: key, CodeVersion: version, Steps: res.Steps, Classes: pred.Classes, Dim: pred.Dim, Member: member, TrainLogits: pred.Logits}
	if s.features {
		o.TrainFeatures = pred.Features
	}
	if s.test {
		if len(env.Validation.Idx) == 0 {
			return nil, fmt.Errorf("influence needs a validation split (Env.Validation)")
		}
		tp, err := tr.Model.Predict(env.Validation.DS, env.Validation.Idx, aug, 256, env.progress())
		if err != nil {
			return nil, err
		}
		o.TestLogits = tp.Logits
	}
	if s.dynamics {
		// The recorder follows the order of the training subset, which here
		// is the scored set itself.
		o.Correct, o.Margin = tr.Dynamics.Correct, tr.Dynamics.Margin
	}
	if file != "" {
		if err := atomicfile.Write(file, func(w io.Writer) error { return gob.NewEncoder(w).Encode(o) }); err != nil {
			return nil, err
		}
		b, err := json.MarshalIndent(s.keyFields(env), "", "  ")
		if err != nil {
			return nil, err
		}
		if err := atomicfile.WriteBytes(filepath.Join(s.dir(env), "key.json"), append(b, '\n')); err != nil {
			return nil, err
		}
		os.RemoveAll(cfg.CheckpointDir)
	}
	return o, nil
}

func loadOutputs(path string) (*runOutputs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var o runOutputs
	if err := gob.NewDecoder(f).Decode(&o); err != nil {
		return nil, err
	}
	return &o, nil
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
