package prune

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// Policy is which examples are kept.
type Policy int

const (
	KeepHard   Policy = iota // the highest scores
	KeepEasy                 // the lowest scores
	KeepRandom               // a uniform random subset (scores ignored)
	// KeepCCS is coverage-centric selection (Zheng et al., "Coverage-centric
	// Coreset Selection for High Pruning Rates", ICLR 2023): the hardest
	// fraction Offset (β) is dropped first, and the budget is then spread
	// evenly over Strata equal-width strata of the remaining scores, each
	// sampled uniformly; see selectCCS.
	KeepCCS
)

// ParsePolicy parses "hard", "easy", "random" or "ccs".
func ParsePolicy(s string) (Policy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "hard":
		return KeepHard, nil
	case "easy":
		return KeepEasy, nil
	case "random":
		return KeepRandom, nil
	case "ccs":
		return KeepCCS, nil
	}
	return 0, fmt.Errorf("unknown keep policy %q: use hard, easy, random or ccs", s)
}

func (p Policy) String() string { return [...]string{"hard", "easy", "random", "ccs"}[p] }

// DefaultStrata is CCS's number of strata when Options.Strata is 0: the
// authors' 50.
const DefaultStrata = 50

// Options configure Select.
type Options struct {
	Keep Policy
	F    float64 // fraction kept, in (0, 1]
	// Balance is the class-balancing ratio r in [0, 1] (needs Labels).
	Balance float64
	// Offset drops the hardest fraction Offset of all examples before
	// selecting (offset selection; 0 = none). For KeepCCS it is the hard
	// cutoff β.
	Offset float64
	// Strata is KeepCCS's number of score strata (0: DefaultStrata).
	Strata int
	Seed   uint64 // for KeepRandom, KeepCCS's sampling and ties
}

// Select returns the indices (sorted) of the examples kept, from scores and,
// when balancing, the examples' labels (classes 0..C-1). It keeps exactly
// round(F·N) examples (fewer only if the offset leaves fewer).
func Select(scores []float64, labels []int32, opt Options) ([]int, error) {
	n := len(scores)
	switch {
	case !(opt.F > 0 && opt.F <= 1):
		return nil, fmt.Errorf("fraction kept f = %v must be in (0, 1]", opt.F)
	case !(opt.Balance >= 0 && opt.Balance <= 1):
		return nil, fmt.Errorf("class-balancing ratio %v must be in [0, 1]", opt.Balance)
	case !(opt.Offset >= 0 && opt.Offset < 1):
		return nil, fmt.Errorf("offset %v must be in [0, 1)", opt.Offset)
	case opt.Balance > 0 && len(labels) != n:
		return nil, fmt.Errorf("class balancing needs one label per example: %d labels for %d scores", len(labels), n)
	case n == 0:
		return nil, fmt.Errorf("no scores")
	case opt.Strata < 0:
		return nil, fmt.Errorf("number of strata %d must be positive (0: %d)", opt.Strata, DefaultStrata)
	case opt.Keep == KeepCCS && opt.Balance > 0:
		return nil, fmt.Errorf("class balancing is not part of coverage-centric selection (ccs): use balance 0, or keep hard, easy or random")
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("the score of example %d (counted from 0) is NaN: drop or fix it before selecting", i)
		}
	}
	// priority: most wanted first.
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5e1ec7))
	order := rng.Perm(n) // random tie-breaking, and the order for KeepRandom
	// (KeepCCS takes no order: it samples each stratum itself.)
	if opt.Keep == KeepHard || opt.Keep == KeepEasy {
		sort.SliceStable(order, func(a, b int) bool {
			if opt.Keep == KeepHard {
				return scores[order[a]] > scores[order[b]]
			}
			return scores[order[a]] < scores[order[b]]
		})
	}
	excluded := make([]bool, n)
	if drop := int(math.Floor(opt.Offset * float64(n))); drop > 0 {
		hardest := append([]int(nil), order...)
		sort.SliceStable(hardest, func(a, b int) bool { return scores[hardest[a]] > scores[hardest[b]] })
		for _, i := range hardest[:drop] {
			excluded[i] = true
		}
	}
	k := int(math.Round(opt.F * float64(n)))
	if k == 0 {
		k = 1
	}
	if opt.Keep == KeepCCS {
		return selectCCS(scores, excluded, k, cmp.Or(opt.Strata, DefaultStrata), rng), nil
	}
	kept := make([]bool, n)
	count := 0
	take := func(i int) {
		if !kept[i] && !excluded[i] && count < k {
			kept[i] = true
			count++
		}
	}
	if opt.Balance > 0 {
		quotas := Quotas(ClassSizes(labels), opt.F, opt.Balance, k)
		taken := make([]int, len(quotas))
		for _, i := range order {
			if c := labels[i]; taken[c] < quotas[c] && !excluded[i] {
				take(i)
				taken[c]++
			}
		}
	}
	for _, i := range order {
		take(i)
	}
	out := make([]int, 0, count)
	for i, ok := range kept {
		if ok {
			out = append(out, i)
		}
	}
	return out, nil
}

// ClassSizes counts the examples of each class.
func ClassSizes(labels []int32) []int {
	var sizes []int
	for _, l := range labels {
		for int(l) >= len(sizes) {
			sizes = append(sizes, 0)
		}
		sizes[l]++
	}
	return sizes
}

// Quotas returns the minimum number kept from each class: at least
// r·f·n_c (rounded up, capped at n_c), scaled down by largest remainders if
// those would exceed the k examples kept in all.
func Quotas(sizes []int, f, r float64, k int) []int {
	q := make([]int, len(sizes))
	want := make([]float64, len(sizes))
	total := 0
	for c, n := range sizes {
		want[c] = r * f * float64(n)
		q[c] = min(n, int(math.Ceil(want[c]-1e-9)))
		total += q[c]
	}
	if total <= k {
		return q
	}
	// Apportion k by largest remainders of want, scaled to sum to k.
	sum := 0.0
	for _, w := range want {
		sum += w
	}
	rem := make([]int, len(sizes))
	got := 0
	for c := range q {
		exact := want[c] * float64(k) / sum
		q[c] = int(math.Floor(exact))
		got += q[c]
		rem[c] = c
		want[c] = exact - float64(q[c])
	}
	sort.SliceStable(rem, func(a, b int) bool { return want[rem[a]] > want[rem[b]] })
	for i := 0; got < k && i < len(rem); i++ {
		q[rem[i]]++
		got++
	}
	return q
}

// selectCCS is coverage-centric selection of k examples among those not
// excluded (the hard cutoff): the range of their scores, [min, max], is cut
// into strata equal-width strata; the budget is allocated to the strata in
// order of size, smallest first, each taking what it has or an equal share
// of what is left, whichever is less (so small strata are kept whole and
// the rest is shared evenly); each stratum's share is a uniform random
// sample of it. Dense score ranges so lose examples to sparse ones: the
// selection covers the whole range of difficulty rather than its bulk.
func selectCCS(scores []float64, excluded []bool, k, strata int, rng *rand.Rand) []int {
	var pool []int
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range scores {
		if !excluded[i] {
			pool = append(pool, i)
			lo, hi = math.Min(lo, s), math.Max(hi, s)
		}
	}
	members := make([][]int, strata)
	for _, i := range pool {
		b := 0
		if hi > lo {
			b = min(strata-1, int(float64(strata)*(scores[i]-lo)/(hi-lo)))
		}
		members[b] = append(members[b], i)
	}
	bySize := make([]int, strata)
	for b := range bySize {
		bySize[b] = b
	}
	sort.SliceStable(bySize, func(a, b int) bool { return len(members[bySize[a]]) < len(members[bySize[b]]) })
	left := min(k, len(pool))
	var out []int
	for j, b := range bySize {
		take := min(len(members[b]), left/(strata-j))
		left -= take
		m := members[b]
		for _, t := range rng.Perm(len(m))[:take] {
			out = append(out, m[t])
		}
	}
	sort.Ints(out)
	return out
}
