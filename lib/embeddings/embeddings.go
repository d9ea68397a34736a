package embeddings

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"beyondscaling/lib/data"
)

// Set is one vector per example, keyed by example ID.
type Set struct {
	IDs    []string
	Dim    int
	Values []float32 // len(IDs)×Dim
	Source string    // where they came from
}

// Read reads embeddings brought from elsewhere (e.g. SwAV
// features): either a .npy float matrix (N × D) with its example IDs in
// PATH.ids (one per line, the row order), or a CSV whose rows are an ID
// followed by D numbers (a header line is skipped if its second field is
// not a number).
func Read(path string) (*Set, error) {
	if strings.HasSuffix(path, ".npy") {
		rows, cols, vals, err := data.ReadMatrixNPY(path)
		if err != nil {
			return nil, err
		}
		ids, err := data.ReadIDs(path + ".ids")
		if err != nil {
			return nil, fmt.Errorf("embeddings %s need their example IDs in %s.ids: %w", path, path, err)
		}
		if len(ids) != rows {
			return nil, fmt.Errorf("embeddings %s have %d rows but %s.ids lists %d IDs", path, rows, path, len(ids))
		}
		return &Set{IDs: ids, Dim: cols, Values: vals, Source: path}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	e := &Set{Source: path}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(fields) < 2 {
			continue
		}
		if line == 1 {
			if _, err := strconv.ParseFloat(fields[1], 64); err != nil {
				continue // header
			}
		}
		if e.Dim == 0 {
			e.Dim = len(fields) - 1
		} else if len(fields)-1 != e.Dim {
			return nil, fmt.Errorf("%s line %d: %d values, earlier rows have %d", path, line, len(fields)-1, e.Dim)
		}
		e.IDs = append(e.IDs, fields[0])
		for _, s := range fields[1:] {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %q is not a number", path, line, s)
			}
			e.Values = append(e.Values, float32(v))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(e.IDs) == 0 {
		return nil, fmt.Errorf("%s holds no embeddings", path)
	}
	return e, nil
}

// Align returns the embeddings in the order of ids; a missing ID is an error.
func (e *Set) Align(ids []string) ([]float32, error) {
	pos := make(map[string]int, len(e.IDs))
	for i, id := range e.IDs {
		pos[id] = i
	}
	out := make([]float32, 0, len(ids)*e.Dim)
	for _, id := range ids {
		i, ok := pos[id]
		if !ok {
			return nil, fmt.Errorf("embeddings %s have no row for example %s: they belong to other data", e.Source, id)
		}
		out = append(out, e.Values[i*e.Dim:(i+1)*e.Dim]...)
	}
	return out, nil
}
