package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
)

// CIFARResNet is the CIFAR ResNet of He et al. (2016, sec. 4.2): a 3×3 stem
// convolution to Widths[0] channels, three stages of n basic blocks (two 3×3
// convolutions, each followed by batch norm, ReLU after the sum) at
// Widths[0], Widths[1], Widths[2] channels, stride 2 and a 1×1 projection
// shortcut (with batch norm) where a stage starts, global average pooling and
// a linear classifier. Depth = 6n + 2: ResNet-8, 20, 56.
type CIFARResNet struct {
	Depth      int
	Widths     [3]int
	Classes    int
	InChannels int
	Conv       ConvImpl
}

// ResNet returns the CIFAR ResNet of a name (resnet8, resnet20, resnet56)
// for 3-channel inputs and 10 classes, widths 16/32/64.
func ResNet(name string, conv ConvImpl) (CIFARResNet, error) {
	depth := map[string]int{"resnet8": 8, "resnet20": 20, "resnet56": 56}[name]
	if depth == 0 {
		return CIFARResNet{}, fmt.Errorf("unknown model %q: use resnet8, resnet20 or resnet56", name)
	}
	return CIFARResNet{Depth: depth, Widths: [3]int{16, 32, 64}, Classes: 10, InChannels: 3, Conv: conv}, nil
}

// ParamSpec describes one parameter tensor.
type ParamSpec struct {
	Name  string
	Dims  []int
	Kind  string // "conv", "bn-scale", "bn-shift", "dense", "bias"
	Decay bool   // whether weight decay applies (not to batch norm or biases)
}

func (m CIFARResNet) blocks() int { return (m.Depth - 2) / 6 }

// Params lists the parameters in the order Forward consumes them.
func (m CIFARResNet) Params() ([]ParamSpec, error) {
	if m.Depth < 8 || (m.Depth-2)%6 != 0 {
		return nil, fmt.Errorf("CIFAR ResNet depth %d is not 6n+2", m.Depth)
	}
	var ps []ParamSpec
	conv := func(name string, k, in, out int) {
		ps = append(ps, ParamSpec{name + "/w", []int{k, k, in, out}, "conv", true},
			ParamSpec{name + "/bn/scale", []int{out}, "bn-scale", false},
			ParamSpec{name + "/bn/shift", []int{out}, "bn-shift", false})
	}
	conv("stem", 3, m.InChannels, m.Widths[0])
	in := m.Widths[0]
	for s, w := range m.Widths {
		for b := 0; b < m.blocks(); b++ {
			name := fmt.Sprintf("stage%d/block%d", s+1, b)
			conv(name+"/conv1", 3, in, w)
			conv(name+"/conv2", 3, w, w)
			if in != w {
				conv(name+"/shortcut", 1, in, w)
			}
			in = w
		}
	}
	ps = append(ps, ParamSpec{"head/w", []int{in, m.Classes}, "dense", true}, ParamSpec{"head/b", []int{m.Classes}, "bias", false})
	return ps, nil
}

// Size is the number of values of a parameter.
func (s ParamSpec) Size() int {
	n := 1
	for _, d := range s.Dims {
		n *= d
	}
	return n
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

// InitParams draws initial values: He-normal convolutions, unit batch-norm
// scales, zero shifts and biases, and a uniform ±1/√fan-in classifier.
func InitParams(specs []ParamSpec, seed uint64) []*tensors.Tensor {
	rng := rand.New(rand.NewPCG(seed, 0x1417))
	out := make([]*tensors.Tensor, len(specs))
	for i, s := range specs {
		v := make([]float32, s.Size())
		switch s.Kind {
		case "conv":
			fanIn := s.Dims[0] * s.Dims[1] * s.Dims[2]
			std := math.Sqrt(2 / float64(fanIn))
			for j := range v {
				v[j] = float32(rng.NormFloat64() * std)
			}
		case "bn-scale":
			for j := range v {
				v[j] = 1
			}
		case "dense":
			bound := 1 / math.Sqrt(float64(s.Dims[0]))
			for j := range v {
				v[j] = float32((2*rng.Float64() - 1) * bound)
			}
		}
		out[i] = tensors.FromFlatDataAndDimensions(v, s.Dims...)
	}
	return out
}

// batchNorm normalises over batch and space with the batch's statistics
// (training mode), gradients flowing through them as in PyTorch.
func batchNorm(x, scale, shift *Node) *Node {
	mean := ReduceMean(x, 0, 1, 2)
	centred := Sub(x, Reshape(mean, 1, 1, 1, -1))
	variance := ReduceMean(Mul(centred, centred), 0, 1, 2)
	// Div by Sqrt rather than Rsqrt: GoMLX defines no gradient for Rsqrt.
	std := Sqrt(AddScalar(variance, 1e-5))
	y := Mul(Div(centred, Reshape(std, 1, 1, 1, -1)), Reshape(scale, 1, 1, 1, -1))
	return Add(y, Reshape(shift, 1, 1, 1, -1))
}

// Forward returns the logits for x [batch, 32, 32, InChannels].
func (m CIFARResNet) Forward(params []*Node, x *Node) *Node {
	next := 0
	take := func() *Node { p := params[next]; next++; return p }
	convBN := func(x *Node, stride int) *Node {
		w, sc, sh := take(), take(), take()
		return batchNorm(Conv2D(x, w, stride, m.Conv), sc, sh)
	}
	h := activation.Relu(convBN(x, 1))
	in := m.Widths[0]
	for s, w := range m.Widths {
		for b := 0; b < m.blocks(); b++ {
			stride := 1
			if s > 0 && b == 0 {
				stride = 2
			}
			y := activation.Relu(convBN(h, stride))
			y = convBN(y, 1)
			short := h
			if in != w {
				short = convBN(h, stride)
			}
			h = activation.Relu(Add(y, short))
			in = w
		}
	}
	pooled := ReduceMean(h, 1, 2)
	wd, bias := take(), take()
	return Add(MatMul(pooled, wd), Reshape(bias, 1, -1))
}

// CrossEntropy is the mean softmax cross-entropy of logits against int32 labels.
func CrossEntropy(logits, labels *Node) *Node {
	classes := logits.Shape().Dimensions[1]
	onehot := OneHot(labels, classes, dtypes.Float32)
	return Neg(ReduceAllMean(ReduceSum(Mul(onehot, LogSoftmax(logits, 1)), 1)))
}

// SGD is stochastic gradient descent with (Nesterov) momentum and weight
// decay on the parameters whose spec says so, with PyTorch's update rule:
// g = ∇ + λp; v = μv + g; p -= lr·(g + μv) (Nesterov) or lr·v.
type SGD struct {
	LR, Momentum, WeightDecay float64
	Nesterov                  bool
}

// TrainStep returns a graph function for one SGD step. Its inputs are the
// parameters, their velocities, the images and the int32 labels; its
// outputs are the loss, the new parameters and the new velocities.
func TrainStep(m CIFARResNet, specs []ParamSpec, opt SGD) func([]*Node) []*Node {
	p := len(specs)
	return func(in []*Node) []*Node {
		params, vel, x, labels := in[:p], in[p:2*p], in[2*p], in[2*p+1]
		loss := CrossEntropy(m.Forward(params, x), labels)
		grads := Gradient(loss, params...)
		out := []*Node{loss}
		newVel := make([]*Node, p)
		for i, w := range params {
			g := grads[i]
			if specs[i].Decay && opt.WeightDecay != 0 {
				g = Add(g, MulScalar(w, opt.WeightDecay))
			}
			v := Add(MulScalar(vel[i], opt.Momentum), g)
			step := v
			if opt.Nesterov {
				step = Add(g, MulScalar(v, opt.Momentum))
			}
			out = append(out, Sub(w, MulScalar(step, opt.LR)))
			newVel[i] = v
		}
		return append(out, newVel...)
	}
}
