package experiment

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/data"
	"beyondscaling/lib/project"
	"beyondscaling/lib/settings"
	"beyondscaling/lib/train"
)

// trainingKey is everything that determines a trained network and its
// grades: the examples it trained on, in order (their digest), and how it
// trained. Runs that reach the same selection by different routes share
// one training: the first trains, the others read its result. (A
// class-balanced random selection of a class-balanced initial set is often
// that set's plain random selection, and a random run's key names probes
// it never uses.)
type trainingKey struct {
	Dataset, DatasetSHA, EvalSplit string
	TrainedIDs                     string
	Model                          string
	Recipe                         settings.Recipe
	Seed                           uint64
	EqualIterations                bool
	ReferenceSize                  int `json:",omitempty"`
	LabelSmoothing                 float64
	Augment                        data.Augment
	// DynamicPrune is the dynamic pruning ratio (train.Config); omitted at
	// 0, so that the keys of plain runs are unchanged.
	DynamicPrune  float64 `json:",omitempty"`
	DynamicAnneal float64 `json:",omitempty"`
}

func newTrainingKey(dataset, datasetSHA string, kept data.Subset, cfg train.Config, aug data.Augment) trainingKey {
	k := trainingKey{Dataset: dataset, DatasetSHA: datasetSHA, EvalSplit: evalSplit(dataset), TrainedIDs: cachekey.HashStrings(kept.IDs()),
		Model: cfg.Model, Recipe: cfg.Recipe, Seed: cfg.Seed, EqualIterations: cfg.EqualIterations, LabelSmoothing: cfg.LabelSmoothing,
		Augment: aug.Key(), DynamicPrune: cfg.DynamicPrune, DynamicAnneal: cfg.DynamicAnneal}
	if cfg.EqualIterations {
		k.ReferenceSize = cfg.ReferenceSize
	}
	return k
}

// trainedResult is what a training produced, as the store keeps it under
// trained/KEY.json.
type trainedResult struct {
	Key         trainingKey        `json:"key"`
	CodeVersion string             `json:"code_version"`
	TestError   float64            `json:"test_error"`
	TestTop5    float64            `json:"test_top5_accuracy"`
	TestCorrect string             `json:"test_correct"`
	Trained     int                `json:"trained_examples"`
	Seconds     float64            `json:"seconds"`
	Extra       map[string]float64 `json:"extra"`
	Training    settings.Applied   `json:"training"`
}

func (r *Runner) trainedPath(k trainingKey) string {
	return filepath.Join(r.Store.Dir, "trained", cachekey.Hash(k)+".json")
}

// readTrained returns the stored result of a training, or nil when there is
// none to reuse (none stored, another key, or another code version).
func (r *Runner) readTrained(k trainingKey) *trainedResult {
	path := r.trainedPath(k)
	b, err := os.ReadFile(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.log().Warn(fmt.Sprintf("training result %s cannot be read (%v): training again", path, err))
		}
		return nil
	}
	var res trainedResult
	if err := json.Unmarshal(b, &res); err != nil {
		r.log().Warn(fmt.Sprintf("training result %s is corrupt (%v): training again", path, err))
		return nil
	}
	if cachekey.Hash(res.Key) != cachekey.Hash(k) {
		r.log().Warn(fmt.Sprintf("training result %s holds another configuration: training again", path))
		return nil
	}
	if version := project.CodeVersion(); res.CodeVersion != version {
		// A record carries the code version of the process that writes it,
		// so a result of other code is not passed off as this code's.
		r.log().Info(fmt.Sprintf("training result %s was made by code version %s, this is %s: training again", path, res.CodeVersion, version))
		return nil
	}
	return &res
}

func (r *Runner) writeTrained(res trainedResult) error {
	path := r.trainedPath(res.Key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}
