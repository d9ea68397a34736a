package prune

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"beyondscaling/lib/atomicfile"
)

// Scores are per-example scores keyed by example ID (high = hard = keep).
type Scores struct {
	IDs    []string
	Values []float64
	Meta   Meta
	// Layout is how ReadScores read the file (zero for scores made here).
	Layout Layout
}

// Meta is the JSON sidecar of a score file: how the scores were made.
type Meta struct {
	Metric         string            `json:"metric"`
	Params         map[string]string `json:"params,omitempty"`
	Seeds          []uint64          `json:"seeds,omitempty"`
	Dataset        string            `json:"dataset"`
	DatasetSHA256  string            `json:"dataset_sha256,omitempty"`
	CodeVersion    string            `json:"code_version,omitempty"`
	Created        time.Time         `json:"created"`
	HighMeansKeep  bool              `json:"high_means_keep"`
	ShardsMerged   int               `json:"shards_merged,omitempty"`
	ExamplesScored int               `json:"examples_scored"`
	// CSVSHA256 is the SHA-256 of the score file as written. The file and
	// its sidecar are renamed into place one after the other, so a run
	// stopped between the two renames could pair a new file with an old
	// sidecar; ReadScores refuses a file whose hash differs, so that a cache
	// never serves scores under another configuration's key. Empty in
	// sidecars written before it was recorded (then nothing is checked).
	CSVSHA256 string `json:"csv_sha256,omitempty"`
}

// Write writes path (CSV "id,score") and then path+".json" (the sidecar,
// with the file's SHA-256), each atomically.
func (s *Scores) Write(path string) error {
	if len(s.IDs) != len(s.Values) {
		return fmt.Errorf("%d IDs for %d scores", len(s.IDs), len(s.Values))
	}
	sum := sha256.New()
	err := atomicfile.Write(path, func(w io.Writer) error {
		cw := csv.NewWriter(io.MultiWriter(w, sum))
		cw.Write([]string{"id", "score"})
		for i, id := range s.IDs {
			cw.Write([]string{id, strconv.FormatFloat(s.Values[i], 'g', -1, 64)})
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	m := s.Meta
	m.HighMeansKeep = true
	m.ExamplesScored = len(s.IDs)
	m.CSVSHA256 = hex.EncodeToString(sum.Sum(nil))
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path+".json", append(b, '\n'))
}

// Merge joins shards of one metric (e.g. from several workers): every ID
// once; an ID in two shards must carry the same score.
func Merge(shards ...*Scores) (*Scores, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("nothing to merge")
	}
	byID := map[string]float64{}
	for k, s := range shards {
		if s.Meta.Metric != shards[0].Meta.Metric {
			return nil, fmt.Errorf("shard %d has metric %q, shard 0 %q", k, s.Meta.Metric, shards[0].Meta.Metric)
		}
		for i, id := range s.IDs {
			if v, ok := byID[id]; ok && v != s.Values[i] {
				return nil, fmt.Errorf("ID %q has score %v in one shard and %v in another", id, v, s.Values[i])
			}
			byID[id] = s.Values[i]
		}
	}
	out := &Scores{Meta: shards[0].Meta}
	out.Meta.ShardsMerged = len(shards)
	for id := range byID {
		out.IDs = append(out.IDs, id)
	}
	sort.Strings(out.IDs)
	for _, id := range out.IDs {
		out.Values = append(out.Values, byID[id])
	}
	return out, nil
}

// Align returns the scores in the order of ids (a dataset's IDs); IDs
// missing from the file, or extra IDs in it, are an error naming some.
func (s *Scores) Align(ids []string) ([]float64, error) {
	pos := make(map[string]int, len(s.IDs))
	for i, id := range s.IDs {
		pos[id] = i
	}
	if s.Layout.Positional { // row k of the file is example k of the dataset
		ids = positions(len(ids))
	}
	out := make([]float64, len(ids))
	var missing []string
	for k, id := range ids {
		i, ok := pos[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		out[k] = s.Values[i]
		delete(pos, id)
	}
	if len(missing) > 0 || len(pos) > 0 {
		var extra []string
		for id := range pos {
			extra = append(extra, id)
		}
		sort.Strings(extra)
		return nil, fmt.Errorf("scores and dataset disagree: %d dataset IDs have no score (e.g. %v), %d scored IDs are not in the dataset (e.g. %v): are the scores for this dataset and split?",
			len(missing), head(missing), len(extra), head(extra))
	}
	return out, nil
}

func head(xs []string) []string {
	if len(xs) > 3 {
		return xs[:3]
	}
	return xs
}
