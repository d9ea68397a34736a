package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Tolerances of the backend agreement: the same initial weights
// must give logits within 1e-4 and every gradient within 1e-3, as max
// relative differences (max |a−b| over max |b|). The patch convolution
// against the native one measured 8e-5 on the logits.
const (
	LogitTolerance    = 1e-4
	GradientTolerance = 1e-3
)

// AgreementCase is one network on one input shape for CompareBackends.
type AgreementCase struct {
	Net                   string
	Batch, Size, Channels int
	// SameFormulation runs the reference backend with the other backend's
	// convolution formulation too: ResNet50 at this small size amplifies
	// float32 rounding between formulations (see TestORTMatchesGoBackend).
	SameFormulation bool
}

// AgreementCases cover every op the models use: dense layers, strided 3×3
// and 1×1 convolutions, batch norm, the basic blocks of the CIFAR ResNets
// and ResNet18, and the 7×7 stride-2 stem, max pooling and bottlenecks of
// ResNet50. Small batches and widths keep them to seconds on one core.
var AgreementCases = []AgreementCase{
	{"mlp", 4, 28, 1, false}, {"cnn", 3, 32, 3, false}, {"resnet8", 3, 32, 3, false}, {"resnet20", 2, 32, 3, false},
	{"resnet18-w8", 2, 32, 3, false}, {"resnet50-w4", 2, 64, 3, true},
}

// Agreement is how closely two backends agree on one network.
type Agreement struct {
	Case               AgreementCase
	RefConv, OtherConv ConvImpl // the formulations each backend ran
	Logits             float64  // max relative difference of the logits
	WorstGradient      float64  // the largest max relative difference over the gradients
	WorstName          string   // the parameter (or "input") with that difference
	Gradients          int      // parameters plus the input
}

// OK reports whether the agreement is within LogitTolerance and
// GradientTolerance (NaN fails).
func (a Agreement) OK() bool {
	return a.Logits <= LogitTolerance && a.WorstGradient <= GradientTolerance
}

func (a Agreement) String() string {
	verdict := "within"
	if !a.OK() {
		verdict = "OUTSIDE"
	}
	name := a.WorstName
	if name == "" {
		name = "all equal"
	}
	return fmt.Sprintf("%s (batch %d, %d×%d×%d; %s vs %s): logits %.2g, worst of %d gradients %.2g (%s): %s tolerance (%g, %g)",
		a.Case.Net, a.Case.Batch, a.Case.Size, a.Case.Size, a.Case.Channels, a.RefConv, a.OtherConv, a.Logits, a.Gradients, a.WorstGradient, name,
		verdict, LogitTolerance, GradientTolerance)
}

// CompareBackends runs c's network in training mode (batch statistics) from
// the same initial weights (seed) and random input on two backends, the
// reference ref with its own convolution formulation (ConvFor) and other
// with its own, and returns the max relative differences of the logits and
// of the gradients of Σ r·logits (r random) with respect to every parameter
// and the input.
func CompareBackends(ref, other compute.Backend, c AgreementCase, seed uint64) (Agreement, error) {
	a := Agreement{Case: c}
	net, err := New(c.Net, Options{Classes: 10, Channels: c.Channels})
	if err != nil {
		return a, err
	}
	specs, err := Specs(ref, net, c.Batch, c.Size, c.Size, c.Channels)
	if err != nil {
		return a, err
	}
	params := InitParams(specs, seed)
	rng := rand.New(rand.NewPCG(seed, 6))
	x := normalTensor(rng, c.Batch, c.Size, c.Size, c.Channels)
	r := normalTensor(rng, c.Batch, 10)
	a.RefConv, a.OtherConv = ConvFor(ref), ConvFor(other)
	if c.SameFormulation {
		a.RefConv = a.OtherConv
	}
	want, err := ForwardAndGradients(ref, a.RefConv, net, specs, params, x, r)
	if err != nil {
		return a, err
	}
	got, err := ForwardAndGradients(other, a.OtherConv, net, specs, params, x, r)
	if err != nil {
		return a, err
	}
	if len(got) != len(want) {
		return a, fmt.Errorf("%s: %d outputs on %s, %d on %s", c.Net, len(got), other.Name(), len(want), ref.Name())
	}
	a.Gradients = len(want) - 1
	for i := range want {
		if len(got[i]) != len(want[i]) {
			return a, fmt.Errorf("%s: output %d has %d values on %s, %d on %s", c.Net, i, len(got[i]), other.Name(), len(want[i]), ref.Name())
		}
		d := RelativeDifference(got[i], want[i])
		if i == 0 {
			a.Logits = d
			continue
		}
		name := "input"
		if i <= len(specs) {
			name = specs[i-1].Name
		}
		// NaN must win the comparison, so that OK fails.
		if d > a.WorstGradient || math.IsNaN(d) && !math.IsNaN(a.WorstGradient) {
			a.WorstGradient, a.WorstName = d, name
		}
	}
	return a, nil
}

// CompareAllCases is CompareBackends over every network of AgreementCases.
func CompareAllCases(ref, other compute.Backend, seed uint64) ([]Agreement, error) {
	var out []Agreement
	for _, c := range AgreementCases {
		a, err := CompareBackends(ref, other, c, seed)
		if err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, nil
}

// ForwardAndGradients runs net in training mode with convolution conv on b
// and returns the logits followed by the gradients of Σ r·logits with
// respect to every parameter and the input x, all flattened.
func ForwardAndGradients(b compute.Backend, conv ConvImpl, net Net, specs []ParamSpec, params []*tensors.Tensor, x, r *tensors.Tensor) ([][]float32, error) {
	fn := Functional(net, specs, Train, conv)
	exec, err := NewExec(b, func(in []*Node) []*Node {
		ps, xn, rn := in[:len(in)-2], in[len(in)-2], in[len(in)-1]
		logits, _ := fn(ps, xn)
		loss := ReduceAllSum(Mul(logits, rn))
		return append([]*Node{logits}, Gradient(loss, append(ps, xn)...)...)
	})
	if err != nil {
		return nil, err
	}
	args := []any{}
	for _, p := range append(append([]*tensors.Tensor{}, params...), x, r) {
		c, err := p.LocalClone() // a tensor serves one backend
		if err != nil {
			return nil, err
		}
		args = append(args, c)
	}
	out, err := exec.Exec(args...)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", net.Name(), b.Name(), err)
	}
	res := make([][]float32, len(out))
	for i, o := range out {
		res[i] = tensors.MustCopyFlatData[float32](o)
	}
	return res, nil
}

// RelativeDifference is max |a−b| over max |b| (the plain max |a−b| when b
// is all zeros); NaN anywhere gives NaN, and so do slices of different
// lengths.
func RelativeDifference(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.NaN()
	}
	var d, m float64
	for i := range b {
		diff := math.Abs(float64(a[i] - b[i]))
		if math.IsNaN(diff) {
			return math.NaN()
		}
		d = math.Max(d, diff)
		m = math.Max(m, math.Abs(float64(b[i])))
	}
	if m == 0 {
		return d
	}
	return d / m
}

func normalTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}
