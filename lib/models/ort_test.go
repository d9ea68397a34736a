package models

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"beyondscaling/lib/backend/backendtest"
)

// The same initial weights give the same outputs and gradients on ONNX
// Runtime (with its stride-1 convolution, ConvFor) as on the pure-Go backend
// (with its patch convolution): max relative difference LogitTolerance
// (1e-4) on the logits and GradientTolerance (1e-3) on each gradient, over
// AgreementCases, which cover every op the models use on ONNX Runtime.
//
// ResNet50 at its small size (batch 2, 64×64: its last stage's batch norm
// sees 8 values per channel) amplifies float32 rounding: on the Go backend
// alone its two formulations differ by 0.13 in the worst gradient (0.04 at
// batch 8) while the logits agree to 2e-5. So it runs the same formulation
// (ConvStride1, which ONNX Runtime needs) on both backends; that formulation
// is checked against the native ops by TestMaxPool2DStride1MatchesNative,
// TestSubsampleIsStridedSlice and TestConvPatchesMatchesNative.
func TestORTMatchesGoBackend(t *testing.T) {
	ort := backendtest.ORT(t)
	defer ort.Finalize()
	checkAgreement(t, goBackend(t), ort)
}

// checkAgreement fails unless every network of AgreementCases agrees on
// the two backends within the tolerances.
func checkAgreement(t *testing.T, ref, other compute.Backend) {
	agreements, err := CompareAllCases(ref, other, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range agreements {
		t.Log(a)
		if !a.OK() {
			t.Errorf("%v", a)
		}
	}
}

// Subsample equals the strided Slice it replaces, and so does its gradient.
func TestSubsampleIsStridedSlice(t *testing.T) {
	b := goBackend(t)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct{ h, w, stride int }{{8, 8, 2}, {7, 9, 2}, {9, 6, 3}, {5, 5, 1}} {
		x := normalTensor(rng, 2, c.h, c.w, 3)
		r := normalTensor(rng, 2, OutputSize(c.h, c.stride), OutputSize(c.w, c.stride), 3)
		exec, err := NewExec(b, func(x, r *Node) []*Node {
			a := Subsample(x, c.stride)
			s := Slice(x, AxisRange(), AxisRange().Stride(c.stride), AxisRange().Stride(c.stride), AxisRange())
			ga := Gradient(ReduceAllSum(Mul(a, r)), x)[0]
			gs := Gradient(ReduceAllSum(Mul(s, r)), x)[0]
			return []*Node{a, s, ga, gs}
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Exec(x, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2]int{{0, 1}, {2, 3}} {
			a, s := tensors.MustCopyFlatData[float32](out[pair[0]]), tensors.MustCopyFlatData[float32](out[pair[1]])
			if len(a) != len(s) {
				t.Fatalf("%+v: %d values, want %d", c, len(a), len(s))
			}
			for i := range a {
				if a[i] != s[i] {
					t.Fatalf("%+v: output %d value %d: %g, want %g", c, pair[0], i, a[i], s[i])
				}
			}
		}
	}
}

// MaxPool2D's stride-1 formulation equals the backend's own max pooling, and
// so does its gradient (inputs without ties: the windows overlap, so an
// input that is the maximum of two windows gets the sum of their gradients).
func TestMaxPool2DStride1MatchesNative(t *testing.T) {
	b := goBackend(t)
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct{ h, w, window, stride int }{{6, 6, 3, 2}, {7, 5, 3, 2}, {8, 8, 5, 2}, {5, 5, 3, 1}} {
		x := normalTensor(rng, 2, c.h, c.w, 3)
		r := normalTensor(rng, 2, OutputSize(c.h, c.stride), OutputSize(c.w, c.stride), 3)
		exec, err := NewExec(b, func(x, r *Node) []*Node {
			a := MaxPool2D(x, c.window, c.stride, ConvStride1)
			n := MaxPool2D(x, c.window, c.stride, ConvNative)
			return []*Node{a, n, Gradient(ReduceAllSum(Mul(a, r)), x)[0], Gradient(ReduceAllSum(Mul(n, r)), x)[0]}
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Exec(x, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2]int{{0, 1}, {2, 3}} {
			a, n := tensors.MustCopyFlatData[float32](out[pair[0]]), tensors.MustCopyFlatData[float32](out[pair[1]])
			if len(a) != len(n) {
				t.Fatalf("%+v: %d values, want %d", c, len(a), len(n))
			}
			if d := RelativeDifference(a, n); d > 1e-6 {
				t.Errorf("%+v: output %d differs from the native pooling's by %.2g (relative)", c, pair[0], d)
			}
		}
	}
}
