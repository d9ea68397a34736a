package metrics

import (
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/data"
	"beyondscaling/lib/train"
)

// runOutputs is what one probe network leaves behind: its outputs on every
// scored example (and on the test set where influence needs it), which
// examples it trained on, and its training dynamics. It is saved once the
// network is done, so a later Compute reuses it.
type runOutputs struct {
	Classes, Dim  int
	Member        []bool    // over the scored examples
	TrainLogits   []float32 // N×Classes, evaluation mode
	TrainFeatures []float32 // N×Dim, if asked for
	TestLogits    []float32 // T×Classes, if asked for
	Correct       [][]int8  // dynamics: [epoch][example] (full runs)
	Margin        [][]float32
}

// runSpec describes one probe network.
type runSpec struct {
	kind      string // "early", "full", "subset"
	index     int
	features  bool
	test      bool
	dynamics  bool
	fraction  float64 // of the scored examples trained on (1 = all)
	stopEpoch int     // snapshot epoch of an Epochs-long schedule (0 = train fully)
}

func (s runSpec) seed() uint64 { return uint64(1000*len(s.kind) + s.index + 1) }

func (s runSpec) dir(env *Env) string {
	return filepath.Join(env.WorkDir, fmt.Sprintf("%s-%02d", s.kind, s.index))
}

// run returns a probe network's outputs, from its saved file if an earlier
// call finished it, otherwise by training it (resuming from its checkpoint
// if an earlier call was interrupted).
func (env *Env) run(ctx context.Context, s runSpec) (*runOutputs, error) {
	var file string
	if env.WorkDir != "" {
		file = filepath.Join(s.dir(env), "outputs.gob")
		if o, err := loadOutputs(file); err == nil && (!s.test || o.TestLogits != nil) && (!s.features || o.TrainFeatures != nil) {
			fmt.Fprintf(env.logw(), "probe %s-%02d: reusing %s\n", s.kind, s.index, file)
			return o, nil
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
	cfg := train.Recipe(p.Model, p.Epochs)
	cfg.Batch, cfg.LR, cfg.Seed = p.Batch, p.LR, s.seed()
	cfg.StopEpoch = s.stopEpoch
	cfg.RecordDynamics = s.dynamics
	cfg.Log = env.Log
	if env.WorkDir != "" {
		cfg.CheckpointDir = filepath.Join(s.dir(env), "checkpoints")
	}
	aug := env.Augment
	aug.Seed = s.seed()
	tr, err := train.New(env.Backend, cfg, trainSet, aug)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(env.logw(), "probe %s-%02d: %s on %d examples\n", s.kind, s.index, p.Model, len(trainSet.Idx))
	if _, err := tr.Run(ctx, trainSet); err != nil {
		return nil, err
	}
	if err := tr.Model.RecomputeBatchNorm(trainSet, aug, cfg.Batch, cfg.BNBatches); err != nil {
		return nil, err
	}
	pred, err := tr.Model.Predict(set.DS, set.Idx, aug, 256, env.Log)
	if err != nil {
		return nil, err
	}
	o := &runOutputs{Classes: pred.Classes, Dim: pred.Dim, Member: member, TrainLogits: pred.Logits}
	if s.features {
		o.TrainFeatures = pred.Features
	}
	if s.test {
		if env.Test == nil {
			return nil, fmt.Errorf("influence needs a test set")
		}
		tp, err := tr.Model.Predict(env.Test, data.All(env.Test).Idx, aug, 256, env.Log)
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
