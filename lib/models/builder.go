package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Mode says which statistics batch norm uses.
type Mode int

const (
	// Train normalises with the batch's statistics, gradients flowing
	// through them (PyTorch's training mode).
	Train Mode = iota
	// Collect normalises like Train and records each layer's batch mean and
	// variance, from which the trainer recomputes population statistics
	// before evaluation.
	Collect
	// Eval normalises with stored population statistics.
	Eval
)

// ParamSpec describes one parameter tensor.
type ParamSpec struct {
	Name  string
	Dims  []int
	Kind  string // "conv", "bn-scale", "bn-shift", "dense", "bias"
	Decay bool   // whether weight decay applies (not to batch norm or biases)
	FanIn int    // inputs per output, for initialising biases
}

// Size is the number of values of a parameter.
func (s ParamSpec) Size() int {
	n := 1
	for _, d := range s.Dims {
		n *= d
	}
	return n
}

// BNStat is one batch-norm layer's batch statistics, recorded in Collect mode.
type BNStat struct {
	Name           string
	Mean, Variance *Node
}

// Builder is the state of one forward pass while its graph is built: it
// hands out parameters by name (creating them on first use, through Param),
// and knows the batch-norm mode. The same network definition therefore
// serves a functional graph (parameters as inputs, used by tests and
// benchmarks) and a GoMLX model.Store (variables, used by training).
type Builder struct {
	Mode Mode
	Conv ConvImpl
	// BatchNormOp computes batch norm in Train mode as the backend's
	// BatchNormForTraining operation (and its gradient as
	// BatchNormGradient) instead of graph operations; BatchNormOpFor says
	// which backends have it. Eval and Collect modes always use graph
	// operations.
	BatchNormOp bool
	// Param returns the node holding a parameter.
	Param func(spec ParamSpec) *Node
	// Stats returns a layer's stored population mean and variance (Eval mode).
	Stats func(name string, channels int) (mean, variance *Node)
	// MACs, when set, is told each convolution's and dense layer's
	// multiply-adds per example, in the order the layers are built (Cost).
	MACs func(layer string, macs int64)

	collected []BNStat
}

// Collected lists the batch statistics recorded in Collect mode, in layer order.
func (b *Builder) Collected() []BNStat { return b.collected }

// Conv2D is a bias-free convolution with "same" padding.
func (b *Builder) Conv2D(name string, x *Node, k, out, stride int) *Node {
	in := x.Shape().Dimensions[3]
	w := b.Param(ParamSpec{Name: name + "/w", Dims: []int{k, k, in, out}, Kind: "conv", Decay: true})
	y := Conv2D(x, w, stride, b.Conv)
	if b.MACs != nil {
		d := y.Shape().Dimensions // [batch, h, w, out]
		b.MACs(name, int64(d[1])*int64(d[2])*int64(out)*int64(k*k*in))
	}
	return y
}

// BatchNorm normalises x over all axes but the last (channels).
func (b *Builder) BatchNorm(name string, x *Node) *Node {
	c := x.Shape().Dimensions[x.Rank()-1]
	scale := b.Param(ParamSpec{Name: name + "/bn/scale", Dims: []int{c}, Kind: "bn-scale"})
	shift := b.Param(ParamSpec{Name: name + "/bn/shift", Dims: []int{c}, Kind: "bn-shift"})
	axes := make([]int, x.Rank()-1)
	for i := range axes {
		axes[i] = i
	}
	bshape := make([]int, x.Rank())
	for i := range bshape {
		bshape[i] = 1
	}
	bshape[len(bshape)-1] = c
	if b.Mode == Train && b.BatchNormOp {
		y, _, _ := InternalBatchNormForTraining(x, scale, shift, bnEpsilon, -1)
		return y
	}
	var centred, std *Node
	if b.Mode == Eval {
		if b.Stats == nil {
			exceptions.Panicf("batch norm %q: Eval mode needs stored statistics (Builder.Stats)", name)
		}
		mean, variance := b.Stats(name, c)
		centred = Sub(x, Reshape(mean, bshape...))
		std = Sqrt(AddScalar(variance, bnEpsilon))
	} else {
		mean := ReduceMean(x, axes...)
		centred = Sub(x, Reshape(mean, bshape...))
		variance := ReduceMean(Mul(centred, centred), axes...)
		if b.Mode == Collect {
			b.collected = append(b.collected, BNStat{name, mean, variance})
		}
		// Div by Sqrt rather than Rsqrt: GoMLX defines no gradient for Rsqrt.
		std = Sqrt(AddScalar(variance, bnEpsilon))
	}
	y := Mul(Div(centred, Reshape(std, bshape...)), Reshape(scale, bshape...))
	return Add(y, Reshape(shift, bshape...))
}

const bnEpsilon = 1e-5

// ConvBN is Conv2D followed by BatchNorm, the unit of every ResNet here.
func (b *Builder) ConvBN(name string, x *Node, k, out, stride int) *Node {
	return b.BatchNorm(name, b.Conv2D(name, x, k, out, stride))
}

// Dense is an affine layer on the last axis of a [batch, in] input.
func (b *Builder) Dense(name string, x *Node, out int) *Node {
	in := x.Shape().Dimensions[1]
	w := b.Param(ParamSpec{Name: name + "/w", Dims: []int{in, out}, Kind: "dense", Decay: true})
	bias := b.Param(ParamSpec{Name: name + "/b", Dims: []int{out}, Kind: "bias", FanIn: in})
	if b.MACs != nil {
		b.MACs(name, int64(in)*int64(out))
	}
	return Add(MatMul(x, w), Reshape(bias, 1, out))
}

// Specs lists a network's parameters, in the order it first uses them, for
// inputs of the given dimensions (batch first). It builds the graph once
// without running it.
func Specs(backend compute.Backend, net Net, inputDims ...int) (specs []ParamSpec, err error) {
	err = exceptions.TryCatch[error](func() {
		g := NewGraph(backend, "specs")
		defer g.Finalize()
		seen := map[string]bool{}
		b := &Builder{Mode: Train, Conv: ConvPatches, Param: func(s ParamSpec) *Node {
			if seen[s.Name] {
				exceptions.Panicf("parameter %q used twice", s.Name)
			}
			seen[s.Name] = true
			specs = append(specs, s)
			return Zeros(g, shapes.Make(dtypes.Float32, s.Dims...))
		}}
		net.Forward(b, Parameter(g, "x", shapes.Make(dtypes.Float32, inputDims...)))
	})
	return specs, err
}

// Functional returns the network as a function of its parameters (in the
// order of specs) and the input, for graphs whose parameters are inputs.
func Functional(net Net, specs []ParamSpec, mode Mode, conv ConvImpl) func(params []*Node, x *Node) (logits, features *Node) {
	index := make(map[string]int, len(specs))
	for i, s := range specs {
		index[s.Name] = i
	}
	return func(params []*Node, x *Node) (*Node, *Node) {
		b := &Builder{Mode: mode, Conv: conv, Param: func(s ParamSpec) *Node {
			i, ok := index[s.Name]
			if !ok {
				exceptions.Panicf("parameter %q not in the specs", s.Name)
			}
			return params[i]
		}}
		return net.Forward(b, x)
	}
}

// CountParams is the total number of trainable values.
func CountParams(specs []ParamSpec) int {
	n := 0
	for _, s := range specs {
		n += s.Size()
	}
	return n
}

// ZeroMomenta returns zero tensors shaped like the parameters (initial momenta).
func ZeroMomenta(specs []ParamSpec) []*tensors.Tensor {
	out := make([]*tensors.Tensor, len(specs))
	for i, s := range specs {
		out[i] = tensors.FromFlatDataAndDimensions(make([]float32, s.Size()), s.Dims...)
	}
	return out
}

// InitParams draws initial values for all parameters from one seed.
func InitParams(specs []ParamSpec, seed uint64) []*tensors.Tensor {
	out := make([]*tensors.Tensor, len(specs))
	for i, s := range specs {
		out[i] = InitParam(s, seed)
	}
	return out
}

// InitParam draws a parameter's initial value as PyTorch's defaults do
// (the initialisation of the CIFAR ResNet code the paper's recipe comes
// from, and of the PyTorch peer in bench/peer): convolution and dense
// weights and biases uniform in ±1/√fan-in (kaiming_uniform with a = √5),
// unit batch-norm scales and zero shifts. The values depend only on the
// seed and the parameter's name, so adding a layer does not change the
// others.
func InitParam(s ParamSpec, seed uint64) *tensors.Tensor {
	h := uint64(1469598103934665603)
	for _, c := range []byte(s.Name) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	rng := rand.New(rand.NewPCG(seed, h))
	v := make([]float32, s.Size())
	uniform := func(fanIn int) {
		bound := 1 / math.Sqrt(float64(fanIn))
		for j := range v {
			v[j] = float32((2*rng.Float64() - 1) * bound)
		}
	}
	switch s.Kind {
	case "conv":
		uniform(s.Dims[0] * s.Dims[1] * s.Dims[2])
	case "bn-scale":
		for j := range v {
			v[j] = 1
		}
	case "dense":
		uniform(s.Dims[0])
	case "bias":
		if s.FanIn > 0 {
			uniform(s.FanIn)
		}
	case "bn-shift":
	default:
		panic(fmt.Sprintf("parameter %q of unknown kind %q", s.Name, s.Kind))
	}
	return tensors.FromFlatDataAndDimensions(v, s.Dims...)
}
