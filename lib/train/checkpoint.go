package train

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gomlx/gomlx/ml/model/checkpoint"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/data"
)

// A checkpoint is a folder epoch-NNNN inside Config.CheckpointDir holding
// GoMLX's checkpoint files (parameters, optimizer velocities, learning
// rate, global step), state.json (what run it belongs to) and, when
// recording, dynamics.bin. It is written into a temporary folder and
// renamed into place, so a kill at any moment leaves only complete
// checkpoints. The two newest are kept.

type checkpointState struct {
	Epoch   int    `json:"epoch"`
	Model   string `json:"model"`
	Dataset string `json:"dataset"`
	Subset  string `json:"subset_sha256"` // of the training example IDs, in order
	Seed    uint64 `json:"seed"`
	// DynamicPrune is the run's dynamic pruning ratio (0: none), so that a
	// checkpoint is never resumed under another.
	DynamicPrune  float64 `json:"dynamic_prune,omitempty"`
	DynamicAnneal float64 `json:"dynamic_anneal,omitempty"`
}

func subsetHash(s data.Subset) string {
	h := sha256.New()
	for _, i := range s.Idx {
		h.Write([]byte(s.DS.IDs[i]))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (t *Trainer) save(epoch int, set data.Subset) error {
	dir := t.Cfg.CheckpointDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("checkpoint folder: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".saving-")
	if err != nil {
		return fmt.Errorf("checkpoint folder: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op after the rename
	h, err := checkpoint.Build(t.Model.Store).Dir(tmp).Done()
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := h.Save(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	st := checkpointState{Epoch: epoch, Model: t.Cfg.Model, Dataset: set.DS.Name, Subset: subsetHash(set), Seed: t.Cfg.Seed, DynamicPrune: t.Cfg.DynamicPrune, DynamicAnneal: t.Cfg.DynamicAnneal}
	js, _ := json.MarshalIndent(st, "", "  ")
	if err := atomicfile.WriteBytes(filepath.Join(tmp, "state.json"), append(js, '\n')); err != nil {
		return err
	}
	if t.Dynamics != nil {
		if err := t.Dynamics.Save(filepath.Join(tmp, "dynamics.bin")); err != nil {
			return err
		}
	}
	if t.infoBatch != nil {
		if err := t.infoBatch.save(filepath.Join(tmp, "infobatch.json"), t.savedSteps[0], t.savedSteps[1]); err != nil {
			return err
		}
	}
	final := filepath.Join(dir, fmt.Sprintf("epoch-%04d", epoch))
	os.RemoveAll(final)
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	all, _ := listCheckpoints(dir)
	for len(all) > 2 {
		os.RemoveAll(all[0])
		all = all[1:]
	}
	return nil
}

// listCheckpoints returns the complete checkpoint folders, oldest first.
func listCheckpoints(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "epoch-") {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), "state.json")); err == nil {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// LatestCheckpoint returns the newest complete checkpoint folder in dir, or "".
func LatestCheckpoint(dir string) (string, error) {
	all, err := listCheckpoints(dir)
	if err != nil || len(all) == 0 {
		return "", err
	}
	return all[len(all)-1], nil
}

// restore loads the latest checkpoint of this run, returning its epoch (0
// if there is none). A checkpoint of another model, dataset, subset or
// seed is an error rather than silently mixed in.
func (t *Trainer) restore(set data.Subset) (int, error) {
	dir := t.Cfg.CheckpointDir
	latest, err := LatestCheckpoint(dir)
	if err != nil || latest == "" {
		return 0, err
	}
	js, err := os.ReadFile(filepath.Join(latest, "state.json"))
	if err != nil {
		return 0, err
	}
	var st checkpointState
	if err := json.Unmarshal(js, &st); err != nil {
		return 0, fmt.Errorf("checkpoint %s: state.json: %w", latest, err)
	}
	want := checkpointState{Epoch: st.Epoch, Model: t.Cfg.Model, Dataset: set.DS.Name, Subset: subsetHash(set), Seed: t.Cfg.Seed, DynamicPrune: t.Cfg.DynamicPrune, DynamicAnneal: t.Cfg.DynamicAnneal}
	if st != want {
		what := "training subset"
		switch {
		case st.Model != want.Model:
			what = fmt.Sprintf("model (checkpoint %s, asked for %s)", st.Model, want.Model)
		case st.Dataset != want.Dataset:
			what = fmt.Sprintf("dataset (checkpoint %s, asked for %s)", st.Dataset, want.Dataset)
		case st.Seed != want.Seed:
			what = fmt.Sprintf("seed (checkpoint %d, asked for %d)", st.Seed, want.Seed)
		case st.DynamicPrune != want.DynamicPrune || st.DynamicAnneal != want.DynamicAnneal:
			what = fmt.Sprintf("dynamic pruning ratio or annealing share (checkpoint %g, %g; asked for %g, %g)", st.DynamicPrune, st.DynamicAnneal, want.DynamicPrune, want.DynamicAnneal)
		}
		return 0, fmt.Errorf("checkpoint folder %s belongs to a run with another %s: use another --checkpoint folder or delete it", dir, what)
	}
	if _, err := checkpoint.Load(t.Model.Store).Dir(latest).Immediate().Done(); err != nil {
		return 0, fmt.Errorf("checkpoint %s: %w", latest, err)
	}
	t.Model.markStateUntrainable()
	if t.Dynamics != nil {
		d, err := LoadDynamics(filepath.Join(latest, "dynamics.bin"))
		if err != nil {
			return 0, err
		}
		d.Truncate(st.Epoch)
		t.Dynamics = d
	}
	if t.infoBatch != nil {
		steps, presented, err := t.infoBatch.load(filepath.Join(latest, "infobatch.json"))
		if err != nil {
			return 0, err
		}
		t.resumedSteps = [2]int{steps, presented}
	}
	return st.Epoch, nil
}

// LoadModel restores a trained model from a checkpoint folder (or the
// newest checkpoint inside a run's checkpoint folder) for prediction.
func LoadModel(m *Model, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "state.json")); err != nil {
		latest, err := LatestCheckpoint(dir)
		if err != nil || latest == "" {
			return fmt.Errorf("no checkpoint in %s", dir)
		}
		dir = latest
	}
	if _, err := checkpoint.Load(m.Store).Dir(dir).Immediate().Done(); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	m.markStateUntrainable()
	return nil
}
