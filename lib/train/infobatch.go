package train

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/data"
)

// Dynamic pruning (InfoBatch; Qin et al., "InfoBatch: Lossless training
// speed up by unbiased dynamic data pruning", ICLR 2024) prunes compute, not
// the dataset: every epoch but the last few leaves out a random share of the
// examples the network already fits (loss below the mean), and scales up the
// loss of the well-fitted examples it keeps so that the epoch's expected
// gradient is unchanged.

// DefaultDynamicAnneal is InfoBatch's annealing share: pruning runs in the
// first ⌊0.875·epochs⌋ epochs (the paper's δ = 0.875; the published code
// prunes epoch e, counted from 0, while e + 1 ≤ δ·epochs) and the rest,
// at least one epoch, train on every example with weight 1: 2 of 10
// epochs, 1 of 8.
const DefaultDynamicAnneal = 0.125

// InfoBatchSelect decides one epoch of dynamic pruning. scores are the
// examples' most recent training losses (NaN: not seen yet, always kept);
// the well-fitted examples are those with a score below the mean of the
// seen scores. Of the W well-fitted, k = max(1, ⌊(1−ratio)·W⌋) are kept,
// drawn without replacement, each with loss weight W/k; every other example
// is kept with weight 1. Each well-fitted example is kept with probability
// k/W, so its expected weight is exactly 1 and the epoch's summed gradient
// is unbiased. (The published code weights by 1/(1−ratio), which differs
// from W/k only by the rounding of k, and may keep none of a handful of
// well-fitted examples, where k ≥ 1 here.) kept is in the order of scores.
func InfoBatchSelect(scores []float64, ratio float64, rng *rand.Rand) (kept []int, weights []float32) {
	var sum float64
	var seen int
	for _, s := range scores {
		if !math.IsNaN(s) {
			sum += s
			seen++
		}
	}
	keep := make([]bool, len(scores))
	weight := make([]float32, len(scores))
	for i := range keep {
		keep[i], weight[i] = true, 1
	}
	if seen > 0 && ratio > 0 {
		mean := sum / float64(seen)
		var well []int
		for i, s := range scores {
			if s < mean { // false for NaN
				well = append(well, i)
			}
		}
		k := max(1, int(math.Floor((1-ratio)*float64(len(well)))))
		if k < len(well) {
			rng.Shuffle(len(well), func(a, b int) { well[a], well[b] = well[b], well[a] })
			for _, i := range well[k:] {
				keep[i] = false
			}
			w := float32(float64(len(well)) / float64(k))
			for _, i := range well[:k] {
				weight[i] = w
			}
		}
	}
	for i, ok := range keep {
		if ok {
			kept = append(kept, i)
			weights = append(weights, weight[i])
		}
	}
	return kept, weights
}

// infoBatch is a run's dynamic-pruning state: the examples' latest losses,
// by position in the training subset.
type infoBatch struct {
	ratio, anneal float64
	scores        []float64
	pos           map[int]int // dataset index → position in the subset
	seed          uint64
}

func newInfoBatch(set data.Subset, cfg Config) *infoBatch {
	ib := &infoBatch{ratio: cfg.DynamicPrune, anneal: cfg.DynamicAnneal, scores: make([]float64, len(set.Idx)), pos: make(map[int]int, len(set.Idx)), seed: cfg.Seed}
	if ib.anneal == 0 {
		ib.anneal = DefaultDynamicAnneal
	}
	for k, i := range set.Idx {
		ib.pos[i] = k
		ib.scores[k] = math.NaN()
	}
	return ib
}

// prunes reports whether epoch (of the budget's epochs) prunes: before the
// annealing epochs, which train on everything.
func (ib *infoBatch) prunes(epoch, epochs int) bool {
	return epoch < int(math.Floor((1-ib.anneal)*float64(epochs)))
}

// epoch returns the subset epoch trains on and each kept example's loss
// weight by dataset index (nil: all 1). The draw depends only on the seed,
// the epoch and the scores, so a resumed run draws as an uninterrupted one.
func (ib *infoBatch) epoch(set data.Subset, epoch, epochs int) (data.Subset, map[int]float32) {
	if !ib.prunes(epoch, epochs) {
		return set, nil
	}
	rng := rand.New(rand.NewPCG(ib.seed^0x1b0fba7c, uint64(epoch)))
	kept, weights := InfoBatchSelect(ib.scores, ib.ratio, rng)
	out := data.Subset{DS: set.DS, Idx: make([]int, len(kept))}
	w := make(map[int]float32, len(kept))
	for k, p := range kept {
		out.Idx[k] = set.Idx[p]
		w[set.Idx[p]] = weights[k]
	}
	return out, w
}

// record stores the losses of a batch's examples (dataset indices idx).
func (ib *infoBatch) record(idx []int, loss []float32) {
	for k, i := range idx {
		ib.scores[ib.pos[i]] = float64(loss[k])
	}
}

// infoBatchState is what a checkpoint keeps of a dynamic run: the scores
// (null for unseen) and the work done so far.
type infoBatchState struct {
	Ratio     float64    `json:"ratio"`
	Scores    []*float64 `json:"scores"`
	Steps     int        `json:"steps"`
	Presented int        `json:"presented"`
}

func (ib *infoBatch) save(path string, steps, presented int) error {
	st := infoBatchState{Ratio: ib.ratio, Scores: make([]*float64, len(ib.scores)), Steps: steps, Presented: presented}
	for i, s := range ib.scores {
		if !math.IsNaN(s) {
			v := s
			st.Scores[i] = &v
		}
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, b)
}

func (ib *infoBatch) load(path string) (steps, presented int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("dynamic pruning state: %w", err)
	}
	var st infoBatchState
	if err := json.Unmarshal(b, &st); err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	if len(st.Scores) != len(ib.scores) || st.Ratio != ib.ratio {
		return 0, 0, fmt.Errorf("%s: dynamic pruning state of another run (%d scores at ratio %g; this run has %d at %g)", path, len(st.Scores), st.Ratio, len(ib.scores), ib.ratio)
	}
	for i, s := range st.Scores {
		ib.scores[i] = math.NaN()
		if s != nil {
			ib.scores[i] = *s
		}
	}
	return st.Steps, st.Presented, nil
}
