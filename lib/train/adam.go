package train

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Adam is Kingma and Ba's optimizer with PyTorch's update rule. With
// weight decay λ as L2 (PyTorch's torch.optim.Adam, Decoupled false):
//
//	g = ∇ + λw;  m = β₁m + (1-β₁)g;  v = β₂v + (1-β₂)g²
//	w -= lr · (m/(1-β₁ᵗ)) / (√(v/(1-β₂ᵗ)) + ε)
//
// and with Decoupled true (torch.optim.AdamW) the decay is taken out of
// the moments: w -= lr·λ·w first, then the step above with g = ∇.
//
// Unlike GoMLX's own Adam (optimizer.Adam), whose decay is decoupled and
// applies to every variable, the decay here follows the network's
// ParamSpecs (Decay) as SGD's does: none on batch norm or biases. The
// learning rate is the store's learning-rate variable, set by the trainer
// before each step; the moments and the step count t live under
// /optimizers/adam and are saved with checkpoints, so that a resumed run
// continues exactly (TestInterruptedRunResumes).
type Adam struct {
	Beta1, Beta2 float64 // 0 means PyTorch's defaults 0.9 and 0.999
	Epsilon      float64 // 0 means PyTorch's default 1e-8
	WeightDecay  float64
	Decoupled    bool
	// Decay says whether weight decay applies to a variable; nil falls
	// back to NoDecay's naming rule.
	Decay func(v *model.Variable) bool
}

const adamScope = "/" + optimizer.Scope + "/adam"

// The PyTorch defaults.
const (
	AdamBeta1   = 0.9
	AdamBeta2   = 0.999
	AdamEpsilon = 1e-8
)

func (o Adam) withDefaults() Adam {
	if o.Beta1 == 0 {
		o.Beta1 = AdamBeta1
	}
	if o.Beta2 == 0 {
		o.Beta2 = AdamBeta2
	}
	if o.Epsilon == 0 {
		o.Epsilon = AdamEpsilon
	}
	return o
}

// UpdateGraph implements optimizer.Interface.
func (o Adam) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	if !loss.Shape().IsScalar() {
		exceptions.Panicf("Adam needs a scalar loss, got %s", loss.Shape())
	}
	o = o.withDefaults()
	vars, grads := trainedVariables(scope, g, loss, "Adam")
	dtype := loss.DType()
	lr := optimizer.LearningRateVar(scope, dtype, 1e-3).NodeValue(g)
	optimizer.IncrementGlobalStep(g, dtypes.Int64)
	store := scope.Store()
	// The step count t of the bias corrections: its own counter (the
	// global step also counts steps of other optimizers), in float64 so
	// that 1-β₂ᵗ keeps its precision.
	stepVar := store.VariableWithValue(adamScope+"/step", int64(0)).SetTrainable(false)
	t := AddScalar(stepVar.NodeValue(g), 1)
	stepVar.SetNodeValue(t)
	tf := ConvertDType(t, dtypes.Float64)
	correction := func(beta float64) *Node { // 1 - βᵗ
		return OneMinus(Pow(Scalar(g, dtypes.Float64, beta), tf))
	}
	// lr·√(1-β₂ᵗ)/(1-β₁ᵗ) and ε·√(1-β₂ᵗ) give m̂/(√v̂+ε) without dividing
	// the moments: the same number, fewer operations per weight.
	c1, c2 := correction(o.Beta1), correction(o.Beta2)
	stepSize := Mul(ConvertDType(lr, dtypes.Float64), Div(Sqrt(c2), c1))
	epsHat := MulScalar(Sqrt(c2), o.Epsilon)
	stepSize, epsHat = ConvertDType(stepSize, dtype), ConvertDType(epsHat, dtype)
	for i, v := range vars {
		grad := grads[i]
		w := v.NodeValue(g)
		decays := !NoDecay(v)
		if o.Decay != nil {
			decays = o.Decay(v)
		}
		decays = decays && o.WeightDecay != 0
		if decays && o.Decoupled {
			w = Sub(w, Mul(MulScalar(w, o.WeightDecay), lr))
		} else if decays {
			grad = Add(grad, MulScalar(v.NodeValue(g), o.WeightDecay))
		}
		m := store.VariableWithShape(adamScope+"/m"+v.Path(), v.Shape(), Zeros).SetTrainable(false)
		s := store.VariableWithShape(adamScope+"/v"+v.Path(), v.Shape(), Zeros).SetTrainable(false)
		newM := Add(MulScalar(m.NodeValue(g), o.Beta1), MulScalar(grad, 1-o.Beta1))
		newS := Add(MulScalar(s.NodeValue(g), o.Beta2), MulScalar(Square(grad), 1-o.Beta2))
		m.SetNodeValue(newM)
		s.SetNodeValue(newS)
		v.SetNodeValue(Sub(w, Div(Mul(newM, stepSize), Add(Sqrt(newS), epsHat))))
	}
}

// Clear implements optimizer.Interface: it deletes the moments and the
// step count.
func (o Adam) Clear(scope *model.Scope) error {
	return scope.Store().DeleteVariablesInScope(adamScope)
}

var _ optimizer.Interface = Adam{}
