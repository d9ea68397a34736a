package train

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"beyondscaling/lib/data"
)

// Hand-counted: seen scores 1, 2, 3, 4, 10 have mean 4; the well-fitted
// are 1, 2 and 3 (W = 3); ratio 0.5 keeps k = ⌊1.5⌋ = 1 of them with
// weight 3; the unseen example (NaN) and the others keep weight 1.
func TestInfoBatchSelectHandCounted(t *testing.T) {
	scores := []float64{1, 2, 3, 4, math.NaN(), 10}
	kept, w := InfoBatchSelect(scores, 0.5, rand.New(rand.NewPCG(1, 2)))
	if len(kept) != 4 || !slices.Equal(kept[1:], []int{3, 4, 5}) || kept[0] > 2 {
		t.Fatalf("kept %v, want one of 0-2 then 3, 4, 5", kept)
	}
	if !slices.Equal(w, []float32{3, 1, 1, 1}) {
		t.Errorf("weights %v, want [3 1 1 1]", w)
	}
	// Nothing seen yet (the first epoch), or ratio 0: everything, weight 1.
	for _, c := range []struct {
		scores []float64
		ratio  float64
	}{{[]float64{math.NaN(), math.NaN()}, 0.5}, {[]float64{1, 5}, 0}} {
		kept, w := InfoBatchSelect(c.scores, c.ratio, rand.New(rand.NewPCG(1, 2)))
		if !slices.Equal(kept, []int{0, 1}) || !slices.Equal(w, []float32{1, 1}) {
			t.Errorf("%v at ratio %v: kept %v, weights %v; want all, weight 1", c.scores, c.ratio, kept, w)
		}
	}
}

// The rescaled gradient is unbiased on a toy problem: logistic regression
// on 200 random examples, per-example gradients g_i = (σ(x_i·θ) − y_i)·x_i
// at a fixed θ, scores their losses. Over 20,000 epochs drawn at ratio
// 0.7, the mean of Σ_kept w_i·g_i equals the full Σ_i g_i within 4
// standard errors of the mean in every coordinate, while the number of
// examples kept is well below 200 (the saving is real).
func TestInfoBatchGradientIsUnbiased(t *testing.T) {
	const n, dim, draws = 200, 5, 20000
	rng := rand.New(rand.NewPCG(7, 7))
	theta := make([]float64, dim)
	for j := range theta {
		theta[j] = rng.NormFloat64()
	}
	grads := make([][]float64, n)
	scores := make([]float64, n)
	full := make([]float64, dim)
	for i := range grads {
		x := make([]float64, dim)
		var z float64
		for j := range x {
			x[j] = rng.NormFloat64()
			z += x[j] * theta[j]
		}
		y := 0.0
		if rng.Float64() < 0.5 {
			y = 1
		}
		p := 1 / (1 + math.Exp(-z))
		scores[i] = -(y*math.Log(p) + (1-y)*math.Log(1-p))
		grads[i] = make([]float64, dim)
		for j := range x {
			grads[i][j] = (p - y) * x[j]
			full[j] += grads[i][j]
		}
	}
	sum, sumSq := make([]float64, dim), make([]float64, dim)
	keptTotal := 0
	for d := 0; d < draws; d++ {
		kept, w := InfoBatchSelect(scores, 0.7, rng)
		keptTotal += len(kept)
		est := make([]float64, dim)
		for k, i := range kept {
			for j := range est {
				est[j] += float64(w[k]) * grads[i][j]
			}
		}
		for j := range est {
			sum[j] += est[j]
			sumSq[j] += est[j] * est[j]
		}
	}
	for j := range full {
		mean := sum[j] / draws
		se := math.Sqrt((sumSq[j]/draws - mean*mean) / draws)
		if math.Abs(mean-full[j]) > 4*se {
			t.Errorf("coordinate %d: mean rescaled gradient %.5f, full gradient %.5f (%.1f standard errors apart)", j, mean, full[j], math.Abs(mean-full[j])/se)
		}
	}
	if avg := float64(keptTotal) / draws; avg > 0.8*n {
		t.Errorf("%.1f of %d examples kept on average: ratio 0.7 should leave out a good share", avg, n)
	}
}

func dynamicConfig(dir string) Config {
	cfg := quickConfig(dir)
	cfg.RecordDynamics, cfg.RecordProbs = false, false
	cfg.Epochs = 8
	cfg.DynamicPrune = 0.5
	return cfg
}

// A dynamically pruned run presents fewer examples than epochs × n, trains
// the annealing epoch (the last of 8) on everything, still learns, gives
// the same parameters when run twice, and, killed after epoch 3 and
// resumed from its checkpoint, ends where an uninterrupted run ends.
func TestDynamicPruningRun(t *testing.T) {
	b := goBackend(t)
	set := data.All(blobs(320, 1, "train"))
	test := blobs(200, 2, "test")
	aug := data.Augment{Seed: 3}
	cfg := dynamicConfig("")
	cfg.RecordDynamics = true // which examples each epoch presented
	straight, err := New(b, cfg, set, aug)
	if err != nil {
		t.Fatal(err)
	}
	res, err := straight.Run(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	if full := cfg.Epochs * len(set.Idx); res.Presented >= full || res.Presented < full/2 {
		t.Errorf("presented %d examples; want fewer than %d (8 epochs × 320) and more than half", res.Presented, full)
	}
	if res.Epochs != 8 {
		t.Errorf("%d epochs, want 8", res.Epochs)
	}
	// Epoch 0 has no losses yet and epoch 7 anneals (7 ≥ 0.875 × 8): both
	// present every example; epochs 1-6 leave some out.
	for e := 0; e < 8; e++ {
		presented := 0
		for _, l := range straight.Dynamics.Loss[e] {
			if !math.IsNaN(float64(l)) {
				presented++
			}
		}
		if all := presented == len(set.Idx); all != (e == 0 || e == 7) {
			t.Errorf("epoch %d presented %d of %d examples", e, presented, len(set.Idx))
		}
	}
	top1, _, err := straight.Evaluate(set, test)
	if err != nil {
		t.Fatal(err)
	}
	if top1 < 0.7 {
		t.Errorf("test accuracy %.3f after dynamic pruning: the blobs are learnable to above 0.7", top1)
	}

	cfg = dynamicConfig("")
	cfg.RecordDynamics = true
	again, err := New(b, cfg, set, aug)
	if err != nil {
		t.Fatal(err)
	}
	res2, err := again.Run(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Presented != res.Presented || res2.Steps != res.Steps {
		t.Errorf("second run: %d presented in %d steps, first %d in %d", res2.Presented, res2.Steps, res.Presented, res.Steps)
	}
	sameParams(t, straight, again, 0)

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cfg = dynamicConfig(dir)
	cfg.Log = cancelAt{"epoch 3/8", cancel}
	first, err := New(b, cfg, set, aug)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Run(ctx, set); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("cancelled run returned %v", err)
	}
	second, err := New(b, dynamicConfig(dir), set, aug)
	if err != nil {
		t.Fatal(err)
	}
	res3, err := second.Run(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	if res3.Resumed != 3 || res3.Presented != res.Presented || res3.Steps != res.Steps {
		t.Errorf("resumed run: from epoch %d, %d presented in %d steps; uninterrupted %d in %d", res3.Resumed, res3.Presented, res3.Steps, res.Presented, res.Steps)
	}
	sameParams(t, straight, second, 1e-5)

	// A checkpoint of a dynamically pruned run is not resumed as a plain one.
	plain := dynamicConfig(dir)
	plain.DynamicPrune = 0
	tr, err := New(b, plain, set, aug)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Run(context.Background(), set); err == nil || !strings.Contains(err.Error(), "dynamic pruning ratio") {
		t.Errorf("plain run on a dynamic run's checkpoint: %v", err)
	}
}

// The annealing epochs: ⌊0.875·epochs⌋ epochs may prune, the rest (at
// least one) train on everything, as the published code counts them.
func TestDynamicPruningAnnealingEpochs(t *testing.T) {
	ib := &infoBatch{anneal: DefaultDynamicAnneal}
	for _, c := range []struct{ epochs, pruning int }{{10, 8}, {8, 7}, {5, 4}, {2, 1}, {1, 0}} {
		n := 0
		for e := 0; e < c.epochs; e++ {
			if ib.prunes(e, c.epochs) {
				n++
			}
		}
		if n != c.pruning {
			t.Errorf("%d epochs: %d may prune, want %d", c.epochs, n, c.pruning)
		}
	}
}

func TestDynamicPruningRejectsBadRatios(t *testing.T) {
	for _, r := range []float64{-0.1, 1, math.NaN()} {
		cfg := dynamicConfig("")
		cfg.DynamicPrune = r
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "dynamic pruning ratio") {
			t.Errorf("ratio %v: %v", r, err)
		}
	}
}

// The loss weights reach the gradient: one SGD step (no momentum, no weight
// decay) with every weight 2 at learning rate lr moves the parameters as a
// step with every weight 1 at 2·lr does; and a weight of 0 on half the
// batch gives the step of the other half alone with weights 2 (the mean is
// over the whole batch). Tolerance 1e-6 (float32 rounding).
func TestDynamicPruningWeightsScaleTheGradient(t *testing.T) {
	b := goBackend(t)
	ds := blobs(64, 1, "train")
	set := data.All(ds)
	step := func(lr float64, weights []float32, idx []int) map[string][]float32 {
		cfg := Recipe("mlp", 1)
		cfg.Batch, cfg.Momentum, cfg.Nesterov, cfg.WeightDecay, cfg.DynamicPrune = len(idx), 0, false, 0, 0.5
		tr, err := New(b, cfg, set, data.Augment{})
		if err != nil {
			t.Fatal(err)
		}
		optimizer.LearningRateVarWithValue(tr.Model.Store.RootScope(), dtypes.Float32, lr)
		in, err := tr.inputs(ds, idx, 0, make([]float32, len(idx)*ds.ImageSize()))
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, tensors.FromFlatDataAndDimensions(weights, len(idx)))
		if _, err := tr.step.Call(in...); err != nil {
			t.Fatal(err)
		}
		return params(t, tr)
	}
	all := set.Idx[:32]
	fill := func(n int, v float32) []float32 {
		w := make([]float32, n)
		for i := range w {
			w[i] = v
		}
		return w
	}
	same := func(name string, a, b map[string][]float32) {
		for k, va := range a {
			for i := range va {
				if d := math.Abs(float64(va[i] - b[k][i])); d > 1e-6*math.Max(1, math.Abs(float64(va[i]))) {
					t.Fatalf("%s: %s[%d] = %g and %g", name, k, i, va[i], b[k][i])
				}
			}
		}
	}
	same("weights 2 at lr against weights 1 at 2·lr", step(0.05, fill(32, 2), all), step(0.1, fill(32, 1), all))
	half := append(fill(16, 0), fill(16, 2)...)
	// The second half alone, weights 2, in a batch of 32: its summed
	// gradient over 32, which is the mean over its 16 at weight 1.
	same("weight 0 on half the batch against that half alone", step(0.05, half, all), step(0.05, fill(16, 1), all[16:]))
}
