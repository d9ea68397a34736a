package models_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"beyondscaling/lib/backend/backendtest"
	"beyondscaling/lib/models"
	"beyondscaling/lib/ssl"
)

// The self-supervised score's SimCLR objective (ssl.NTXent on two views
// through the same encoder) builds on ONNX Runtime and gives the same loss
// (relative difference 1e-4) and gradients as on the pure-Go backend running
// the same graph. The gradients meet a looser 1e-2: two of the 29 (the first
// block's conv1 weight and batch-norm shift) differ by 3.9e-3 and 2.9e-3
// (measured, with ORT's graph optimisations on or off), while the Go
// backend's two convolution formulations agree to 1e-5 on every gradient,
// which this test checks too (1e-3). The cause is not found; the
// single-view networks (TestORTMatchesGoBackend) agree to 1e-5.
func TestORTSimCLRMatchesGoBackend(t *testing.T) {
	ort := backendtest.ORT(t)
	defer ort.Finalize()
	gob, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	const batch = 4
	net, err := models.New("resnet8", models.Options{Classes: 16, Channels: 3}) // the head as a 16-wide projection
	if err != nil {
		t.Fatal(err)
	}
	specs, err := models.Specs(gob, net, batch, 32, 32, 3)
	if err != nil {
		t.Fatal(err)
	}
	params := models.InitParams(specs, 4)
	rng := rand.New(rand.NewPCG(3, 4))
	views := make([]*tensors.Tensor, 2)
	for i := range views {
		v := make([]float32, batch*32*32*3)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		views[i] = tensors.FromFlatDataAndDimensions(v, batch, 32, 32, 3)
	}
	run := func(b compute.Backend, conv models.ConvImpl) [][]float32 {
		fn := models.Functional(net, specs, models.Train, conv)
		exec, err := NewExec(b, func(in []*Node) []*Node {
			ps := in[:len(in)-2]
			z1, _ := fn(ps, in[len(in)-2])
			z2, _ := fn(ps, in[len(in)-1])
			loss := ssl.NTXent(z1, z2, 0.5)
			return append([]*Node{loss}, Gradient(loss, ps...)...)
		})
		if err != nil {
			t.Fatal(err)
		}
		var args []any
		for _, p := range append(append([]*tensors.Tensor{}, params...), views...) {
			c, err := p.LocalClone()
			if err != nil {
				t.Fatal(err)
			}
			args = append(args, c)
		}
		out, err := exec.Exec(args...)
		if err != nil {
			t.Fatalf("%s: %v", b.Name(), err)
		}
		res := make([][]float32, len(out))
		for i, o := range out {
			res[i] = tensors.MustCopyFlatData[float32](o)
		}
		return res
	}
	want, got := run(gob, models.ConvFor(ort)), run(ort, models.ConvFor(ort))
	other := run(gob, models.ConvFor(gob))
	for i := range want {
		var d, m float64
		for j := range want[i] {
			d = math.Max(d, math.Abs(float64(other[i][j]-want[i][j])))
			m = math.Max(m, math.Abs(float64(want[i][j])))
		}
		if m > 0 && d/m > 1e-3 {
			t.Errorf("Go backend, patch against stride-1 convolution: output %d relative difference %.3g > 1e-3", i, d/m)
		}
	}
	worst := 0.0
	for i := range want {
		var d, m float64
		for j := range want[i] {
			d = math.Max(d, math.Abs(float64(got[i][j]-want[i][j])))
			m = math.Max(m, math.Abs(float64(want[i][j])))
		}
		if m > 0 {
			d /= m
		}
		tol := 1e-2
		if i == 0 {
			tol = 1e-4
			t.Logf("NT-Xent loss %g (Go) and %g (ONNX Runtime)", want[0][0], got[0][0])
		} else {
			worst = math.Max(worst, d)
		}
		if d > tol || math.IsNaN(d) {
			t.Errorf("output %d (0: loss, then the gradients of %d parameters): relative difference %.3g > %g", i, len(specs), d, tol)
		}
	}
	t.Logf("worst gradient relative difference %.2g", worst)
}
