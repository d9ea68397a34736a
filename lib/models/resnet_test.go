package models

import (
	"io"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// He et al. (2016), Table 6: ResNet-20 has 0.27M parameters, ResNet-56 0.85M
// (with parameter-free shortcuts; the 1×1 projections used here add 0.3%).
func TestResNetParameterCounts(t *testing.T) {
	for name, want := range map[string]float64{"resnet20": 0.27e6, "resnet56": 0.85e6} {
		m, _ := ResNet(name, ConvPatches)
		specs, err := m.Params()
		if err != nil {
			t.Fatal(err)
		}
		n := CountParams(specs)
		if math.Abs(float64(n)-want)/want > 0.03 {
			t.Errorf("%s: %d parameters, published %.2gM", name, n, want/1e6)
		}
	}
	// The PyTorch peer (bench/peer/resnet_cifar.py) builds the same network and
	// counts 272,474 parameters for ResNet-20 (PyTorch 1.13.1, Debian).
	m, _ := ResNet("resnet20", ConvPatches)
	specs, _ := m.Params()
	if n := CountParams(specs); n != 272474 {
		t.Errorf("resnet20: %d parameters, the PyTorch peer has 272,474", CountParams(specs))
	}
	if _, err := ResNet("resnet21", ConvPatches); err == nil {
		t.Error("unknown model accepted")
	}
}

// The batch-norm gradient (through the batch statistics) against central
// finite differences in float64.
func TestBatchNormGradient(t *testing.T) {
	b := goBackend(t)
	rng := rand.New(rand.NewPCG(3, 4))
	mk := func(dims ...int) *tensors.Tensor {
		n := 1
		for _, d := range dims {
			n *= d
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	x, r := mk(4, 3, 3, 2), mk(4, 3, 3, 2)
	scale, shift := mk(2), mk(2)
	lossFn := func(x, r, sc, sh *Node) *Node { return ReduceAllSum(Mul(batchNorm(x, sc, sh), r)) }
	gradExec, err := NewExec(b, func(x, r, sc, sh *Node) *Node { return Gradient(lossFn(x, r, sc, sh), x)[0] })
	if err != nil {
		t.Fatal(err)
	}
	out, err := gradExec.Exec(x, r, scale, shift)
	if err != nil {
		t.Fatal(err)
	}
	grad := tensors.MustCopyFlatData[float64](out[0])
	lossExec, _ := NewExec(b, lossFn)
	xs := tensors.MustCopyFlatData[float64](x)
	const h = 1e-6
	for _, i := range []int{0, 5, 17, 40, 71} {
		eval := func(d float64) float64 {
			v := append([]float64(nil), xs...)
			v[i] += d
			o, err := lossExec.Exec(tensors.FromFlatDataAndDimensions(v, 4, 3, 3, 2), r, scale, shift)
			if err != nil {
				t.Fatal(err)
			}
			return tensors.MustCopyFlatData[float64](o[0])[0]
		}
		fd := (eval(h) - eval(-h)) / (2 * h)
		if math.Abs(fd-grad[i]) > 1e-6*math.Max(1, math.Abs(fd)) {
			t.Errorf("∂L/∂x[%d]: graph %.10g, finite differences %.10g", i, grad[i], fd)
		}
	}
}

// A few SGD steps on one fixed batch of ResNet-8 must drive the loss down:
// the gradients, the optimizer and the parameter plumbing work together.
func TestTrainStepLowersTheLoss(t *testing.T) {
	b := goBackend(t)
	m, _ := ResNet("resnet8", ConvPatches)
	specs, _ := m.Params()
	params, vel := InitParams(specs, 1), ZeroMomenta(specs)
	rng := rand.New(rand.NewPCG(5, 6))
	x := randTensor(rng, 16, 32, 32, 3)
	labels := make([]int32, 16)
	for i := range labels {
		labels[i] = int32(i % 10)
	}
	y := tensors.FromFlatDataAndDimensions(labels, 16)
	exec, err := NewExec(b, TrainStep(m, specs, SGD{LR: 0.05, Momentum: 0.9, WeightDecay: 5e-4, Nesterov: true}))
	if err != nil {
		t.Fatal(err)
	}
	var first, last float32
	for step := 0; step < 25; step++ {
		args := []any{}
		for _, p := range params {
			args = append(args, p)
		}
		for _, v := range vel {
			args = append(args, v)
		}
		args = append(args, x, y)
		out, err := exec.Exec(args...)
		if err != nil {
			t.Fatal(err)
		}
		loss := tensors.MustCopyFlatData[float32](out[0])[0]
		if step == 0 {
			first = loss
		}
		last = loss
		p := len(specs)
		params, vel = out[1:1+p], out[1+p:]
	}
	t.Logf("loss %.3f -> %.3f", first, last)
	if !(first > 2 && last < 0.5*first) {
		t.Errorf("loss went from %.3f to %.3f: not learning", first, last)
	}
}

// BenchmarkResNet20Train reports ResNet-20 training and inference throughput
// at batch 128 on the pure-Go backend (goal: within 2x of PyTorch on the same
// CPU; see bench/peer/resnet_cifar.py).
func BenchmarkResNet20Train(b *testing.B) {
	be := goBackend(b)
	var r BenchResult
	for b.Loop() {
		var err error
		if r, err = Bench(be, "resnet20", ConvPatches, 128, 3, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(r.TrainImgPerSec, "train-img/s")
	b.ReportMetric(r.InferImgPerSec, "infer-img/s")
}
