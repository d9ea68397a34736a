package data

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Subset is a view of some examples of a dataset (indices, no copy).
type Subset struct {
	DS  *Dataset
	Idx []int
}

// All is the whole dataset as a subset.
func All(ds *Dataset) Subset {
	idx := make([]int, ds.Len())
	for i := range idx {
		idx[i] = i
	}
	return Subset{ds, idx}
}

// SubsetByIDs selects examples by their IDs; unknown IDs are an error that
// names some of them.
func SubsetByIDs(ds *Dataset, ids []string) (Subset, error) {
	index := ds.Index()
	s := Subset{DS: ds, Idx: make([]int, 0, len(ids))}
	var unknown []string
	for _, id := range ids {
		i, ok := index[id]
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		s.Idx = append(s.Idx, i)
	}
	if len(unknown) > 0 {
		show := unknown
		if len(show) > 5 {
			show = show[:5]
		}
		return Subset{}, fmt.Errorf("%d of %d IDs are not in %s/%s (e.g. %s): is the ID file for this dataset and split?",
			len(unknown), len(ids), ds.Name, ds.Split, strings.Join(show, ", "))
	}
	return s, nil
}

// IDs returns the IDs of the subset.
func (s Subset) IDs() []string {
	out := make([]string, len(s.Idx))
	for k, i := range s.Idx {
		out[k] = s.DS.IDs[i]
	}
	return out
}

// RandomSubset draws n examples uniformly without replacement.
func RandomSubset(ds *Dataset, n int, seed uint64) (Subset, error) {
	if n < 0 || n > ds.Len() {
		return Subset{}, fmt.Errorf("cannot draw %d of %d examples", n, ds.Len())
	}
	rng := rand.New(rand.NewPCG(seed, 0xda7a))
	perm := rng.Perm(ds.Len())[:n]
	sort.Ints(perm)
	return Subset{ds, perm}, nil
}

// BalancedSubset draws n examples with every class as equal as possible
// (classes differ by at most one example when they all have enough).
func BalancedSubset(ds *Dataset, n int, seed uint64) (Subset, error) {
	if n < 0 || n > ds.Len() {
		return Subset{}, fmt.Errorf("cannot draw %d of %d examples", n, ds.Len())
	}
	return All(ds).Balanced(n, seed), nil
}

// Balanced draws n of the subset's examples with every class as equal as
// possible: round-robin over the classes in a random order, each class's
// examples shuffled, until n are taken (fewer when the subset has fewer).
func (s Subset) Balanced(n int, seed uint64) Subset {
	rng := rand.New(rand.NewPCG(seed, 0xba1a))
	byClass := make([][]int, len(s.DS.Classes))
	for _, i := range s.Idx {
		l := s.DS.Labels[i]
		byClass[l] = append(byClass[l], i)
	}
	for _, c := range byClass {
		rng.Shuffle(len(c), func(a, b int) { c[a], c[b] = c[b], c[a] })
	}
	var out []int
	order := rng.Perm(len(byClass))
	taken := make([]int, len(byClass))
	for len(out) < n {
		progressed := false
		for _, c := range order {
			if len(out) < n && taken[c] < len(byClass[c]) {
				out = append(out, byClass[c][taken[c]])
				taken[c]++
				progressed = true
			}
		}
		if !progressed {
			break
		}
	}
	sort.Ints(out)
	return Subset{s.DS, out}
}

// Batches returns the subset's indices shuffled for an epoch (deterministic
// in seed and epoch) and cut into batches of size batch (the last may be
// smaller).
func (s Subset) Batches(batch int, seed uint64, epoch int) [][]int {
	idx := append([]int(nil), s.Idx...)
	rng := rand.New(rand.NewPCG(seed, uint64(epoch)))
	rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
	var out [][]int
	for i := 0; i < len(idx); i += batch {
		out = append(out, idx[i:min(i+batch, len(idx))])
	}
	return out
}
