package probes

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/data"
	"beyondscaling/lib/metrics"
	"beyondscaling/lib/project"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/textlog"
	"beyondscaling/lib/train"
)

// Trainer trains the probe networks of one scored set, or reuses the
// ones its work folder keeps: each finished network's outputs (and the
// checkpoints of the one in progress, so that an interrupted ensemble
// resumes), keyed by what determines them (probe recipe and preset values,
// example IDs, dataset checksum), so a work folder never serves another
// configuration's networks.
type Trainer struct {
	Backend compute.Backend
	Train   data.Subset // the scored examples
	// Validation is where influence is measured (Spec.Test): a held-out
	// split of the training data.
	Validation data.Subset
	Augment    data.Augment
	Preset     settings.Probes
	Recipe     settings.Resolved // Epochs set to the preset's
	WorkDir    string            // "" keeps nothing
	// Logger receives which probe networks are trained or reused (Info),
	// cache warnings (Warn) and training progress (Debug); nil discards.
	Logger *slog.Logger
	// Recompute retrains cached probe networks made by another code
	// version (otherwise they are reused with a warning naming both).
	Recompute  bool
	DatasetSHA string // Train.DS.Checksum(); Run computes it when empty
	// Draw re-draws the probe networks: 0 keeps Spec.Seed's seeds, shared
	// by every scored set; any other value mixes it into every network's
	// seed, so that an experiment seed can draw its own probes of a set
	// that every seed shares (the full training set).
	Draw uint64

	// Steps are the training steps per probe kind (trained or reused),
	// for the score file's sidecar; Run fills it.
	Steps map[string]int
}

func (t *Trainer) logger() *slog.Logger { return textlog.OrDiscard(t.Logger) }

// progress is where lib/train writes per-epoch and progress lines: the
// logger at Debug, or nil when Debug is not shown.
func (t *Trainer) progress() io.Writer { return textlog.Writer(t.Logger, slog.LevelDebug) }

// Several runs n networks of one spec, indices 0 to n-1.
func (t *Trainer) Several(ctx context.Context, spec Spec, n int) ([]*Outputs, error) {
	var out []*Outputs
	for i := 0; i < n; i++ {
		spec.Index = i
		o, err := t.Run(ctx, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Early are n networks snapshotted at the preset's early epoch, with their
// features (EL2N, GraNd).
func (t *Trainer) Early(ctx context.Context, n int) ([]*Outputs, error) {
	return t.Several(ctx, Spec{Kind: fmt.Sprintf("early-e%d", t.Preset.EarlyEpoch), Features: true, Fraction: 1, StopEpoch: t.Preset.EarlyEpoch}, n)
}

// Subsets are the preset's subset networks, each trained on a fraction of
// the examples (metrics.HeldOutDesign), with their validation logits
// (memorization, influence, DDD, ensemble-al).
func (t *Trainer) Subsets(ctx context.Context) ([]*Outputs, error) {
	return t.Several(ctx, Spec{Kind: "subset", Test: true, Fraction: t.Preset.Fraction}, t.Preset.Subsets)
}

// Full is one fully trained network with its features and training
// dynamics (forgetting, AUM, supervised prototypes).
func (t *Trainer) Full(ctx context.Context) (*Outputs, error) {
	rs, err := t.Several(ctx, Spec{Kind: "full", Features: true, Dynamics: true, Fraction: 1}, 1)
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// Outputs are what one probe network leaves behind: its outputs on every
// scored example (and on the validation split where influence needs it),
// which examples it trained on, and its training dynamics. It is saved once
// the network is done, with the key of its configuration and the code
// version, so a later Run reuses it only for the same configuration.
type Outputs struct {
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

// Spec describes one probe network.
type Spec struct {
	Kind      string // "early-eE", "full", "subset"
	Index     int
	Features  bool    // keep the penultimate features of the scored examples
	Test      bool    // keep the logits of the validation split
	Dynamics  bool    // record per-epoch correctness and margins
	Fraction  float64 // of the scored examples trained on (1 = all)
	StopEpoch int     // snapshot epoch of an Epochs-long schedule (0 = train fully)
}

// Seed is the probe network's seed: a hash of its family and index.
// Pairing, on purpose: the early snapshots at different epochs (early-e1,
// early-e3) of network i share its seed, so the weak-probe comparison
// differs only in the snapshot epoch; different families (early, full,
// subset) are independent; network i gets the same seed for every scored
// set and preset.
func (s Spec) Seed() uint64 {
	family, _, _ := strings.Cut(s.Kind, "-e")
	h := sha256.Sum256([]byte(fmt.Sprintf("probe/%s/%d", family, s.Index)))
	return binary.LittleEndian.Uint64(h[:8])
}

// seed is the probe network's seed under the trainer's Draw.
func (t *Trainer) seed(s Spec) uint64 {
	if t.Draw == 0 {
		return s.Seed()
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("probe/%d/draw/%d", s.Seed(), t.Draw)))
	return binary.LittleEndian.Uint64(h[:8])
}

// probeKey is everything that determines a probe network's outputs.
type probeKey struct {
	Kind     string  `json:"kind"`
	Index    int     `json:"index"`
	Seed     uint64  `json:"seed"`
	Features bool    `json:"features"`
	Test     bool    `json:"test"`
	Dynamics bool    `json:"dynamics"`
	Fraction float64 `json:"fraction"`
	// Subsets is the number of subset networks: it fixes each one's
	// held-out design (HeldOutDesign deals the examples into that many
	// blocks), so a network of another count must not be reused.
	Subsets    int             `json:"subsets,omitempty"`
	StopEpoch  int             `json:"stop_epoch"`
	Model      string          `json:"model"`
	Recipe     settings.Recipe `json:"recipe"`
	Augment    data.Augment    `json:"augment"`
	Dataset    string          `json:"dataset"`
	DatasetSHA string          `json:"dataset_sha256"`
	IDs        string          `json:"ids"`
	Validation string          `json:"validation_ids,omitempty"`
}

func (s Spec) keyFields(t *Trainer) probeKey {
	k := probeKey{Kind: s.Kind, Index: s.Index, Seed: t.seed(s), Features: s.Features, Test: s.Test, Dynamics: s.Dynamics,
		Fraction: s.Fraction, StopEpoch: s.StopEpoch, Model: t.Preset.Model, Recipe: t.Recipe.Recipe, Augment: t.Augment.Key(),
		Dataset: t.Train.DS.Name + "/" + t.Train.DS.Split, DatasetSHA: t.DatasetSHA, IDs: cachekey.HashStrings(t.Train.IDs())}
	if s.Test {
		k.Validation = cachekey.HashStrings(t.Validation.IDs())
	}
	if s.Kind == "subset" {
		k.Subsets = t.Preset.Subsets
	}
	return k
}

// key is a digest of everything that determines the probe's outputs.
func (s Spec) key(t *Trainer) string { return cachekey.Hash(s.keyFields(t)) }

// whyNew says why no cached network fits: the fields in which the closest
// cached network of the same kind and index (another configuration)
// differs.
func (s Spec) whyNew(t *Trainer) string {
	n, closest := cachekey.ClosestKey(filepath.Join(t.WorkDir, fmt.Sprintf("%s-%02d-*", s.Kind, s.Index), "key.json"), s.keyFields(t))
	if len(closest) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d cached for other configurations; the closest differs in %s)", n, strings.Join(closest, ", "))
}

func (s Spec) dir(t *Trainer) string {
	return filepath.Join(t.WorkDir, fmt.Sprintf("%s-%02d-%s", s.Kind, s.Index, s.key(t)))
}

// Run returns a probe network's outputs, from its saved file if an earlier
// call finished it for the same configuration, otherwise by training it
// (resuming from its checkpoint if an earlier call was interrupted).
func (t *Trainer) Run(ctx context.Context, s Spec) (*Outputs, error) {
	if t.Steps == nil {
		t.Steps = map[string]int{}
	}
	if t.DatasetSHA == "" {
		t.DatasetSHA = t.Train.DS.Checksum()
	}
	var file string
	key := s.key(t)
	version := project.CodeVersion()
	if t.WorkDir != "" {
		// One trainer at a time per network: runs of other seeds or
		// policies that need the same probe (its key) wait and reuse it.
		defer atomicfile.Lock(s.dir(t))()
		file = filepath.Join(s.dir(t), "outputs.gob")
		if o, err := loadOutputs(file); err == nil {
			switch {
			case o.Key != key:
				t.logger().Info(fmt.Sprintf("probe %s-%02d: %s was computed for another configuration (key %s, want %s): retraining", s.Kind, s.Index, file, o.Key, key))
			case o.CodeVersion != version && t.Recompute:
				t.logger().Info(fmt.Sprintf("probe %s-%02d: %s was made by code version %s, this is %s: retraining (recompute asked for)", s.Kind, s.Index, file, o.CodeVersion, version))
			default:
				if o.CodeVersion != version {
					t.logger().Warn(fmt.Sprintf("probe %s-%02d: %s was made by code version %s, this is %s: reusing it (to retrain, pass --recompute)", s.Kind, s.Index, file, o.CodeVersion, version))
				}
				t.logger().Info(fmt.Sprintf("probe %s-%02d: reusing %s", s.Kind, s.Index, file))
				t.Steps[s.Kind] = o.Steps
				return o, nil
			}
		}
	}
	set := t.Train
	member := make([]bool, len(set.Idx))
	trainSet := set
	if s.Fraction < 1 {
		// Subset networks share one design that holds every example out
		// of at least one of them (see metrics.HeldOutDesign).
		member = metrics.HeldOutDesign(len(set.Idx), t.Preset.Subsets, s.Fraction, 0x70)[s.Index]
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
	p := t.Preset
	cfg, err := train.FromRecipe(p.Model, t.Recipe.Recipe)
	if err != nil {
		return nil, err
	}
	if err := t.Recipe.CheckSize(len(trainSet.Idx)); err != nil {
		return nil, fmt.Errorf("probe %s-%02d: %w", s.Kind, s.Index, err)
	}
	cfg.Seed = t.seed(s)
	cfg.StopEpoch = s.StopEpoch
	cfg.RecordDynamics = s.Dynamics
	cfg.Log = t.progress()
	if t.WorkDir != "" {
		cfg.CheckpointDir = filepath.Join(s.dir(t), "checkpoints")
	}
	aug := t.Augment
	aug.Seed = t.seed(s)
	tr, err := train.New(t.Backend, cfg, trainSet, aug)
	if err != nil {
		return nil, err
	}
	why := ""
	if t.WorkDir != "" {
		why = s.whyNew(t)
	}
	t.logger().Info(fmt.Sprintf("probe %s-%02d: %s on %d examples%s", s.Kind, s.Index, p.Model, len(trainSet.Idx), why))
	res, err := tr.Run(ctx, trainSet)
	if err != nil {
		return nil, err
	}
	t.Steps[s.Kind] = res.Steps
	if err := tr.Model.RecomputeBatchNorm(trainSet, aug, cfg.Batch, cfg.BNBatches); err != nil {
		return nil, err
	}
	pred, err := tr.Model.Predict(set.DS, set.Idx, aug, 256, t.progress())
	if err != nil {
		return nil, err
	}
	o := &Outputs{Key: key, CodeVersion: version, Steps: res.Steps, Classes: pred.Classes, Dim: pred.Dim, Member: member, TrainLogits: pred.Logits}
	if s.Features {
		o.TrainFeatures = pred.Features
	}
	if s.Test {
		if len(t.Validation.Idx) == 0 {
			return nil, fmt.Errorf("influence needs a validation split (Trainer.Validation)")
		}
		tp, err := tr.Model.Predict(t.Validation.DS, t.Validation.Idx, aug, 256, t.progress())
		if err != nil {
			return nil, err
		}
		o.TestLogits = tp.Logits
	}
	if s.Dynamics {
		// The recorder follows the order of the training subset, which here
		// is the scored set itself.
		o.Correct, o.Margin = tr.Dynamics.Correct, tr.Dynamics.Margin
	}
	if file != "" {
		if err := atomicfile.Write(file, func(w io.Writer) error { return gob.NewEncoder(w).Encode(o) }); err != nil {
			return nil, err
		}
		b, err := json.MarshalIndent(s.keyFields(t), "", "  ")
		if err != nil {
			return nil, err
		}
		if err := atomicfile.WriteBytes(filepath.Join(s.dir(t), "key.json"), append(b, '\n')); err != nil {
			return nil, err
		}
		os.RemoveAll(cfg.CheckpointDir)
	}
	return o, nil
}

func loadOutputs(path string) (*Outputs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var o Outputs
	if err := gob.NewDecoder(f).Decode(&o); err != nil {
		return nil, err
	}
	return &o, nil
}
