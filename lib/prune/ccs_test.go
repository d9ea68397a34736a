package prune

import (
	"slices"
	"strings"
	"testing"
)

// Coverage-centric selection on hand-counted cases: which examples the hard
// cutoff drops, how the budget is shared among the strata (smallest first,
// each taking what it has or an equal share of what is left), and that each
// stratum's share is drawn from that stratum.
func TestCCSHandCounted(t *testing.T) {
	for _, c := range []struct {
		name   string
		scores []float64
		opt    Options
		// strata lists groups of example indices and how many of each
		// the selection must hold; examples in no group must not be kept.
		strata [][]int
		counts []int
	}{
		{
			// β = 0.2 drops examples 8 and 9 (scores 8, 9); 4 strata over
			// [0, 7] of width 1.75 hold {0, 1}, {2, 3}, {4, 5}, {6, 7}; a
			// budget of round(0.4 · 10) = 4 takes one from each.
			name:   "cutoff, even strata",
			scores: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
			opt:    Options{Keep: KeepCCS, F: 0.4, Offset: 0.2, Strata: 4},
			strata: [][]int{{0, 1}, {2, 3}, {4, 5}, {6, 7}},
			counts: []int{1, 1, 1, 1},
		},
		{
			// 2 strata over [0, 10]: six examples at 0, one at 10. Budget
			// 4: the small stratum first, min(1, 4/2) = 1; then the large
			// one takes the 3 left.
			name:   "a sparse stratum is kept whole",
			scores: []float64{0, 0, 0, 0, 0, 0, 10},
			opt:    Options{Keep: KeepCCS, F: 4.0 / 7, Strata: 2},
			strata: [][]int{{6}, {0, 1, 2, 3, 4, 5}},
			counts: []int{1, 3},
		},
		{
			// 3 strata over [0, 9] (width 3): {0, 1, 2} at 0-2, nothing at
			// 3-5, {6..9} at 6-9 (9 is the top edge, in the last stratum).
			// Budget 5: the empty stratum takes 0, then the 3-example one
			// min(3, 5/2) = 2, then the 4-example one the 3 left.
			name:   "an empty stratum takes nothing",
			scores: []float64{0, 1, 2, 6, 7, 8, 9},
			opt:    Options{Keep: KeepCCS, F: 5.0 / 7, Strata: 3},
			strata: [][]int{{0, 1, 2}, {3, 4, 5, 6}},
			counts: []int{2, 3},
		},
		{
			// All scores equal: one stratum, a uniform sample of 3.
			name:   "equal scores",
			scores: []float64{1, 1, 1, 1, 1, 1},
			opt:    Options{Keep: KeepCCS, F: 0.5},
			strata: [][]int{{0, 1, 2, 3, 4, 5}},
			counts: []int{3},
		},
		{
			// f = 1 without a cutoff keeps everything.
			name:   "everything",
			scores: []float64{3, 1, 2},
			opt:    Options{Keep: KeepCCS, F: 1},
			strata: [][]int{{0, 1, 2}},
			counts: []int{3},
		},
	} {
		for seed := range uint64(5) {
			o := c.opt
			o.Seed = seed
			idx, err := Select(c.scores, nil, o)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			in := map[int]bool{}
			for g, group := range c.strata {
				got := 0
				for _, i := range group {
					if slices.Contains(idx, i) {
						got++
						in[i] = true
					}
				}
				if got != c.counts[g] {
					t.Errorf("%s, seed %d: kept %v, %d of stratum %v, want %d", c.name, seed, idx, got, group, c.counts[g])
				}
			}
			for _, i := range idx {
				if !in[i] {
					t.Errorf("%s, seed %d: kept example %d, which the cutoff drops or no stratum holds", c.name, seed, i)
				}
			}
			if !slices.IsSorted(idx) {
				t.Errorf("%s: indices %v not sorted", c.name, idx)
			}
		}
	}
}

// The sample within a stratum depends on the seed (it is random), and the
// same seed gives the same selection.
func TestCCSSamplesBySeed(t *testing.T) {
	s := make([]float64, 1000)
	for i := range s {
		s[i] = float64(i % 37)
	}
	a, _ := Select(s, nil, Options{Keep: KeepCCS, F: 0.3, Offset: 0.1, Seed: 1})
	b, _ := Select(s, nil, Options{Keep: KeepCCS, F: 0.3, Offset: 0.1, Seed: 1})
	c, _ := Select(s, nil, Options{Keep: KeepCCS, F: 0.3, Offset: 0.1, Seed: 2})
	if !slices.Equal(a, b) || slices.Equal(a, c) || len(a) != 300 {
		t.Errorf("seed 1 twice equal: %v; seeds 1 and 2 differ: %v; kept %d, want 300", slices.Equal(a, b), !slices.Equal(a, c), len(a))
	}
}

func TestCCSBadInput(t *testing.T) {
	s, l := toy()
	if _, err := Select(s, l, Options{Keep: KeepCCS, F: 0.5, Balance: 0.5}); err == nil || !strings.Contains(err.Error(), "ccs") {
		t.Errorf("ccs with class balancing: %v", err)
	}
	if _, err := Select(s, nil, Options{Keep: KeepCCS, F: 0.5, Strata: -1}); err == nil {
		t.Error("negative strata accepted")
	}
	if p, err := ParsePolicy(" CCS "); err != nil || p != KeepCCS || p.String() != "ccs" {
		t.Errorf("ParsePolicy(ccs) = %v, %v", p, err)
	}
}
