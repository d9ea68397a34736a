package train

import (
	"context"
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"beyondscaling/lib/data"
	"beyondscaling/lib/settings"
)

// Adam and AdamW against PyTorch's update rules (torch.optim.Adam with L2
// weight decay, torch.optim.AdamW with decoupled decay) written out by hand
// in float64, on the loss L = ½ Σ a_i w_i² + Σ c_j s_j where w gets weight
// decay and s (a batch-norm scale) does not. The learning rate changes
// between steps as a schedule would change it. Tolerance 1e-5 absolute on
// weights of order 1: the graph computes in float32 (relative precision
// ~1e-7 per operation); a wrong bias correction, a decay on s or an ε
// inside the square root would show as errors of 1e-3 or more.
func TestAdamMatchesPyTorchRule(t *testing.T) {
	b := goBackend(t)
	a := []float64{1, 2, 0.5}
	c := []float64{0.3, -0.7}
	lrs := []float64{0.1, 0.1, 0.05, 0.05, 0.02, 0.02}
	for _, decoupled := range []bool{false, true} {
		const beta1, beta2, eps, wd = 0.9, 0.999, 1e-8, 0.05
		store := model.NewStore()
		store.CreateVariable("/model/layer/w", tensors.FromFlatDataAndDimensions([]float32{1, -2, 3}, 3))
		store.CreateVariable("/model/layer/bn/scale", tensors.FromFlatDataAndDimensions([]float32{1, 1}, 2))
		lrVar := optimizer.LearningRateVarWithValue(store.RootScope(), dtypes.Float32, lrs[0])
		opt := Adam{WeightDecay: wd, Decoupled: decoupled}
		exec, err := model.NewExec(b, store, func(scope *model.Scope, g *Graph) *Node {
			store.SetTraining(g, true)
			w := store.GetVariable("/model/layer/w").NodeValue(g)
			s := store.GetVariable("/model/layer/bn/scale").NodeValue(g)
			loss := Add(MulScalar(ReduceAllSum(Mul(Const(g, []float32{1, 2, 0.5}), Mul(w, w))), 0.5),
				ReduceAllSum(Mul(Const(g, []float32{0.3, -0.7}), s)))
			opt.UpdateGraph(scope, g, loss)
			return loss
		})
		if err != nil {
			t.Fatal(err)
		}
		w, s := []float64{1, -2, 3}, []float64{1, 1}
		mw, vw, ms, vs := make([]float64, 3), make([]float64, 3), make([]float64, 2), make([]float64, 2)
		update := func(p, m, v []float64, grad func(i int) float64, decay bool, lr float64, step int) {
			for i := range p {
				g := grad(i)
				if decay && decoupled {
					p[i] -= lr * wd * p[i]
				} else if decay {
					g += wd * p[i]
				}
				m[i] = beta1*m[i] + (1-beta1)*g
				v[i] = beta2*v[i] + (1-beta2)*g*g
				mHat := m[i] / (1 - math.Pow(beta1, float64(step)))
				vHat := v[i] / (1 - math.Pow(beta2, float64(step)))
				p[i] -= lr * mHat / (math.Sqrt(vHat) + eps)
			}
		}
		for step, lr := range lrs {
			lrVar.MustSetValue(tensors.FromScalar(float32(lr)))
			if _, err := exec.Call(); err != nil {
				t.Fatal(err)
			}
			gw := make([]float64, 3) // gradients at the weights before the step
			for i := range w {
				gw[i] = a[i] * w[i]
			}
			update(w, mw, vw, func(i int) float64 { return gw[i] }, true, lr, step+1)
			update(s, ms, vs, func(i int) float64 { return c[i] }, false, lr, step+1)
		}
		gotW := tensors.MustCopyFlatData[float32](store.GetVariable("/model/layer/w").MustValue())
		gotS := tensors.MustCopyFlatData[float32](store.GetVariable("/model/layer/bn/scale").MustValue())
		for i := range w {
			if math.Abs(float64(gotW[i])-w[i]) > 1e-5 {
				t.Errorf("decoupled=%v w[%d] = %.7g, PyTorch rule gives %.7g", decoupled, i, gotW[i], w[i])
			}
		}
		for i := range s {
			if math.Abs(float64(gotS[i])-s[i]) > 1e-5 {
				t.Errorf("decoupled=%v bn scale[%d] = %.7g, PyTorch rule (no decay) gives %.7g", decoupled, i, gotS[i], s[i])
			}
		}
		if gs := optimizer.GetGlobalStep(store); gs != int64(len(lrs)) {
			t.Errorf("global step %d after %d steps", gs, len(lrs))
		}
	}
}

// A run with Adam killed after epoch 2 and resumed from its checkpoint ends
// with the parameters of an uninterrupted run: the moments and Adam's step
// count (its bias corrections) are saved with the checkpoint.
func TestAdamRunResumes(t *testing.T) {
	b := goBackend(t)
	set := data.All(blobs(96, 1, "train"))
	cfg := func(dir string) Config {
		c := Config{Model: "mlp", Recipe: settings.Recipe{Optimizer: "adam", LR: 1e-3, WeightDecay: 1e-4, Batch: 32, Epochs: 4}, CheckpointDir: dir}
		return c
	}
	straight, err := New(b, cfg(t.TempDir()), set, data.Augment{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := straight.Run(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	first := cfg(dir)
	first.Log = cancelAt{"epoch 2/4", cancel}
	tr, err := New(b, first, set, data.Augment{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Run(ctx, set); err == nil {
		t.Fatal("the cancelled run did not stop")
	}
	second, err := New(b, cfg(dir), set, data.Augment{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	res, err := second.Run(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != 2 {
		t.Fatalf("resumed from epoch %d, want 2", res.Resumed)
	}
	sameParams(t, straight, second, 1e-6)
}

// MinSteps raises a small set's budget to whole epochs covering it, and
// the trainer takes exactly the steps the recipe table's rule says.
func TestMinStepsBudget(t *testing.T) {
	b := goBackend(t)
	set := data.All(blobs(80, 3, "train")) // 3 steps an epoch at batch 32
	for _, c := range []struct{ epochs, minSteps, steps, epochsRun int }{
		{2, 0, 6, 2},
		{2, 5, 6, 2},   // the epochs already give more
		{2, 10, 10, 4}, // 10 steps: 3 full epochs and one of 1 step
	} {
		cfg := Config{Model: "mlp", Recipe: settings.Recipe{Optimizer: "adam", LR: 1e-3, Batch: 32, Epochs: c.epochs, MinSteps: c.minSteps}}
		_, res := trainedOn(t, b, cfg, set)
		if res.Steps != c.steps || res.Epochs != c.epochsRun {
			t.Errorf("epochs %d, min steps %d: %d steps in %d epochs, want %d in %d", c.epochs, c.minSteps, res.Steps, res.Epochs, c.steps, c.epochsRun)
		}
	}
}

func TestUnknownOptimizer(t *testing.T) {
	cfg := Config{Model: "mlp", Recipe: settings.Recipe{Optimizer: "lion", LR: 1e-3, Batch: 32, Epochs: 1}}
	if err := cfg.Validate(); err == nil {
		t.Error("optimizer lion accepted")
	}
}
