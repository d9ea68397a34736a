package prune

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"beyondscaling/lib/atomicfile"
)

// Scores are per-example scores keyed by example ID (high = hard = keep).
type Scores struct {
	IDs    []string
	Values []float64
	Meta   Meta
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
}

// Write writes path (CSV "id,score") and path+".json" (the sidecar), each
// atomically.
func (s *Scores) Write(path string) error {
	if len(s.IDs) != len(s.Values) {
		return fmt.Errorf("%d IDs for %d scores", len(s.IDs), len(s.Values))
	}
	err := atomicfile.Write(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
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
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path+".json", append(b, '\n'))
}

var idColumns = []string{"id", "example_id", "example", "filename", "file_name", "file", "path", "image", "name"}

// ReadScores reads a score file: CSV (or whitespace-separated) rows of an
// example ID and a score, with or without a header. With a header, the ID
// column is the first named one of id, example_id, filename, file, path,
// image, name, and the score column is "score" or else the last numeric
// column; without one, the first column is the ID and the last the score.
// IDs that are paths or file names are reduced to their base name without
// extension, so ImageNet file names match the readers' IDs (an assumption
// about the official score release, whose exact layout could not be read
// here). A sidecar path+".json", if present, is read too.
func ReadScores(p string) (*Scores, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	text := string(b)
	r := csv.NewReader(strings.NewReader(text))
	if !strings.Contains(strings.SplitN(text, "\n", 2)[0], ",") {
		r.Comma = '\t'
		if !strings.Contains(strings.SplitN(text, "\n", 2)[0], "\t") {
			r.Comma = ' '
		}
	}
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty score file", p)
	}
	idCol, scoreCol := 0, len(rows[0])-1
	start := 0
	if _, err := strconv.ParseFloat(rows[0][len(rows[0])-1], 64); err != nil { // a header
		start = 1
		head := make(map[string]int)
		for i, h := range rows[0] {
			head[strings.ToLower(strings.TrimSpace(h))] = i
		}
		for _, c := range idColumns {
			if i, ok := head[c]; ok {
				idCol = i
				break
			}
		}
		if i, ok := head["score"]; ok {
			scoreCol = i
		}
	}
	s := &Scores{}
	seen := map[string]int{}
	for n, row := range rows[start:] {
		if len(row) <= max(idCol, scoreCol) {
			return nil, fmt.Errorf("%s: line %d has %d fields", p, n+start+1, len(row))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(row[scoreCol]), 64)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: score %q is not a number", p, n+start+1, row[scoreCol])
		}
		id := NormaliseID(row[idCol])
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("%s: ID %q appears on lines %d and %d", p, id, prev, n+start+1)
		}
		seen[id] = n + start + 1
		s.IDs = append(s.IDs, id)
		s.Values = append(s.Values, v)
	}
	if b, err := os.ReadFile(p + ".json"); err == nil {
		if err := json.Unmarshal(b, &s.Meta); err != nil {
			return nil, fmt.Errorf("%s.json: %w", p, err)
		}
	}
	return s, nil
}

// NormaliseID maps a file name or path to the readers' ID (its base name
// without an image extension); other IDs are returned unchanged.
func NormaliseID(id string) string {
	id = strings.TrimSpace(id)
	ext := strings.ToLower(path.Ext(id))
	switch ext {
	case ".jpeg", ".jpg", ".png":
		return strings.TrimSuffix(path.Base(id), path.Ext(id))
	}
	return id
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
