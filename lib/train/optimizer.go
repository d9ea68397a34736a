package train

import (
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/support/exceptions"
)

// SGD is stochastic gradient descent with momentum μ, optional Nesterov
// momentum and L2 weight decay λ, with PyTorch's update rule
//
//	g = ∇ + λw;  v = μv + g;  w -= lr·(g + μv) (Nesterov) or lr·v.
//
// It implements GoMLX's optimizer.Interface. The learning rate is the
// store's learning-rate variable (optimizer.LearningRateVar), which the
// trainer sets before each step so that schedules need no recompilation;
// velocities live under /optimizers/sgd and are saved with checkpoints.
type SGD struct {
	Momentum    float64
	Nesterov    bool
	WeightDecay float64
	// Decay says whether weight decay applies to a variable (Model.Decays
	// follows the network's ParamSpecs). Nil falls back to the naming rule
	// of NoDecay, for stores not built through a Model.
	Decay func(v *model.Variable) bool
}

// NoDecay reports the variables that conventionally get no weight decay:
// batch-norm scales and shifts and biases (named .../bn/scale, .../bn/shift,
// .../b by lib/models).
func NoDecay(v *model.Variable) bool {
	p := v.Path()
	return strings.Contains(p, "/bn/") || strings.HasSuffix(p, "/b")
}

const velocityScope = "/" + optimizer.Scope + "/sgd"

// trainedVariables are the trainable variables the loss's graph uses and
// their gradients, in the same order. They are collected before an
// optimizer creates its own state (velocities, moments), which adds
// variables to the store.
func trainedVariables(scope *model.Scope, g *Graph, loss *Node, optimizerName string) ([]*model.Variable, []*Node) {
	var vars []*model.Variable
	for v := range scope.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) {
			vars = append(vars, v)
		}
	}
	grads := scope.BuildTrainableVariablesGradientsGraph(loss)
	if len(grads) != len(vars) {
		exceptions.Panicf("%s: %d gradients for %d variables", optimizerName, len(grads), len(vars))
	}
	return vars, grads
}

// UpdateGraph implements optimizer.Interface.
func (o SGD) UpdateGraph(scope *model.Scope, g *Graph, loss *Node) {
	if !loss.Shape().IsScalar() {
		exceptions.Panicf("SGD needs a scalar loss, got %s", loss.Shape())
	}
	vars, grads := trainedVariables(scope, g, loss, "SGD")
	lr := optimizer.LearningRateVar(scope, loss.DType(), 0.1).NodeValue(g)
	optimizer.IncrementGlobalStep(g, dtypes.Int64)
	store := scope.Store()
	for i, v := range vars {
		grad := grads[i]
		w := v.NodeValue(g)
		decays := !NoDecay(v)
		if o.Decay != nil {
			decays = o.Decay(v)
		}
		if decays && o.WeightDecay != 0 {
			grad = Add(grad, MulScalar(w, o.WeightDecay))
		}
		step := grad
		if o.Momentum != 0 {
			vel := store.VariableWithShape(velocityScope+v.Path(), v.Shape(), Zeros).SetTrainable(false)
			newVel := Add(MulScalar(vel.NodeValue(g), o.Momentum), grad)
			vel.SetNodeValue(newVel)
			step = newVel
			if o.Nesterov {
				step = Add(grad, MulScalar(newVel, o.Momentum))
			}
		}
		v.SetNodeValue(Sub(w, Mul(step, lr)))
	}
}

// Clear implements optimizer.Interface: it deletes the velocities.
func (o SGD) Clear(scope *model.Scope) error {
	return scope.Store().DeleteVariablesInScope(velocityScope)
}

var _ optimizer.Interface = SGD{}
