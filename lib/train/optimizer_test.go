package train

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// SGD against PyTorch's update rule computed by hand for a quadratic loss
// L = ½ Σ a_i w_i² + Σ c_j s_j, where w gets weight decay and s (a
// batch-norm scale) does not.
func TestSGDMatchesPyTorchRule(t *testing.T) {
	b := goBackend(t)
	a := []float64{1, 2, 0.5}
	c := []float64{0.3, -0.7}
	for _, nesterov := range []bool{false, true} {
		const lr, mu, wd = 0.1, 0.9, 0.01
		store := model.NewStore()
		w0, s0 := []float32{1, -2, 3}, []float32{1, 1}
		store.CreateVariable("/model/layer/w", tensors.FromFlatDataAndDimensions(append([]float32(nil), w0...), 3))
		store.CreateVariable("/model/layer/bn/scale", tensors.FromFlatDataAndDimensions(append([]float32(nil), s0...), 2))
		optimizer.LearningRateVarWithValue(store.RootScope(), dtypes.Float32, lr)
		opt := SGD{Momentum: mu, Nesterov: nesterov, WeightDecay: wd}
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
		// Reference in float64.
		w, s := []float64{1, -2, 3}, []float64{1, 1}
		vw, vs := make([]float64, 3), make([]float64, 2)
		update := func(p, v []float64, grad func(i int) float64, decay bool) {
			for i := range p {
				g := grad(i)
				if decay {
					g += wd * p[i]
				}
				v[i] = mu*v[i] + g
				step := v[i]
				if nesterov {
					step = g + mu*v[i]
				}
				p[i] -= lr * step
			}
		}
		for step := 0; step < 4; step++ {
			if _, err := exec.Call(); err != nil {
				t.Fatal(err)
			}
			update(w, vw, func(i int) float64 { return a[i] * w[i] }, true)
			update(s, vs, func(i int) float64 { return c[i] }, false)
		}
		gotW := tensors.MustCopyFlatData[float32](store.GetVariable("/model/layer/w").MustValue())
		gotS := tensors.MustCopyFlatData[float32](store.GetVariable("/model/layer/bn/scale").MustValue())
		for i := range w {
			if math.Abs(float64(gotW[i])-w[i]) > 1e-5 {
				t.Errorf("nesterov=%v w[%d] = %g, PyTorch rule gives %g", nesterov, i, gotW[i], w[i])
			}
		}
		for i := range s {
			if math.Abs(float64(gotS[i])-s[i]) > 1e-5 {
				t.Errorf("nesterov=%v bn scale[%d] = %g, PyTorch rule (no decay) gives %g", nesterov, i, gotS[i], s[i])
			}
		}
		if gs := optimizer.GetGlobalStep(store); gs != 4 {
			t.Errorf("global step %d after 4 steps", gs)
		}
	}
}

func TestScheduleFactors(t *testing.T) {
	cosine := Schedule{Kind: "cosine"}
	for _, c := range []struct {
		s           Schedule
		step, total int
		want        float64
	}{
		{CIFARSchedule, 0, 200, 1},
		{CIFARSchedule, 59, 200, 1},
		{CIFARSchedule, 60, 200, 0.2},
		{CIFARSchedule, 120, 200, 0.04},
		{CIFARSchedule, 199, 200, 0.008},
		{ImageNetSchedule, 104, 105, 1e-4},
		{cosine, 0, 100, 1},
		{cosine, 50, 100, 0.5},
		{cosine, 100, 100, 0},
		{Schedule{Kind: "step", Every: 0.25, Gamma: 0.1}, 50, 100, 0.01},
		{Schedule{Kind: "constant", Warmup: 0.1}, 4, 100, 0.5},
		{Schedule{Kind: "constant", Warmup: 0.1}, 10, 100, 1},
	} {
		if got := c.s.Factor(c.step, c.total); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%+v at %d/%d: %g, want %g", c.s, c.step, c.total, got, c.want)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	s, err := ParseSchedule("multistep:0.5,0.75:0.1+warmup:0.05")
	if err != nil || s.Kind != "multistep" || len(s.Milestones) != 2 || s.Gamma != 0.1 || s.Warmup != 0.05 {
		t.Errorf("got %+v, %v", s, err)
	}
	// The empty text, as a recipe without a schedule has it, is the zero
	// Schedule: the constant rate.
	if s, err := ParseSchedule(""); err != nil || s.Factor(7, 10) != 1 {
		t.Errorf("empty schedule: %+v, %v; want the constant rate", s, err)
	}
	for _, bad := range []string{"linear", "multistep:0.5", "multistep:1.5:0.1", "step:x:0.1", "cosine+warmup:2"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
