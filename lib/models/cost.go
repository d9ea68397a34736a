package models

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/support/exceptions"
)

// LayerMACs is one layer's multiply-adds per example in the forward pass.
type LayerMACs struct {
	Name string
	MACs int64
}

// Cost is the arithmetic of one example through a network: the
// multiply-adds of its convolutions and dense layers, layer by layer, in the
// order the forward pass runs them. Batch norm, activations, pooling and the
// optimizer's update are not counted: they are a few operations per value,
// against hundreds per value in the layers.
type Cost struct {
	Layers []LayerMACs
}

// CostOf counts a network's layers on one h×w×c example by building its
// graph once (with the shapes the layers really see; nothing runs).
func CostOf(backend compute.Backend, net Net, h, w, c int) (cost Cost, err error) {
	err = exceptions.TryCatch[error](func() {
		g := NewGraph(backend, "cost")
		defer g.Finalize()
		b := &Builder{Mode: Train, Conv: ConvPatches,
			Param: func(s ParamSpec) *Node { return Zeros(g, shapes.Make(dtypes.Float32, s.Dims...)) },
			MACs:  func(layer string, macs int64) { cost.Layers = append(cost.Layers, LayerMACs{layer, macs}) },
		}
		net.Forward(b, Parameter(g, "x", shapes.Make(dtypes.Float32, 1, h, w, c)))
	})
	return cost, err
}

// ForwardMACs is the forward pass's multiply-adds per example.
func (c Cost) ForwardMACs() int64 {
	var s int64
	for _, l := range c.Layers {
		s += l.MACs
	}
	return s
}

// InferenceFLOPs is 2 FLOP per forward multiply-add.
func (c Cost) InferenceFLOPs() float64 { return 2 * float64(c.ForwardMACs()) }

// TrainingFLOPs counts 2 FLOP per multiply-add for the forward pass, for the
// weight gradient of every layer, and for the input gradient of every layer
// but the first (nothing needs the gradient of the images): per example,
// 2·(3·forward − first layer).
func (c Cost) TrainingFLOPs() float64 {
	if len(c.Layers) == 0 {
		return 0
	}
	return 2 * float64(3*c.ForwardMACs()-c.Layers[0].MACs)
}
