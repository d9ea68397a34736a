package models

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// BenchResult is the throughput of one model on one backend.
type BenchResult struct {
	Model            string
	Conv             ConvImpl
	Batch            int
	TrainImgPerSec   float64 // forward + backward + SGD update, median step
	InferImgPerSec   float64 // forward, median call
	TrainCompile     time.Duration
	InferenceCompile time.Duration
}

func (r BenchResult) String() string {
	return fmt.Sprintf("%s (%s convolution), batch %d: train %.1f img/s, inference %.1f img/s (compilation %v and %v)",
		r.Model, r.Conv, r.Batch, r.TrainImgPerSec, r.InferImgPerSec, r.TrainCompile.Round(time.Millisecond), r.InferenceCompile.Round(time.Millisecond))
}

// Bench times training steps and inference of a CIFAR ResNet on random
// CIFAR-shaped data (the numbers do not depend on the values), logging each
// step to log.
func Bench(b compute.Backend, model string, conv ConvImpl, batch, steps int, log io.Writer) (BenchResult, error) {
	m, err := ResNet(model, conv)
	if err != nil {
		return BenchResult{}, err
	}
	specs, err := m.Params()
	if err != nil {
		return BenchResult{}, err
	}
	params, vel := InitParams(specs, 1), ZeroMomenta(specs)
	rng := rand.New(rand.NewPCG(7, 8))
	img := make([]float32, batch*32*32*3)
	for i := range img {
		img[i] = float32(rng.NormFloat64())
	}
	labels := make([]int32, batch)
	for i := range labels {
		labels[i] = int32(rng.IntN(10))
	}
	x := tensors.FromFlatDataAndDimensions(img, batch, 32, 32, 3)
	y := tensors.FromFlatDataAndDimensions(labels, batch)
	res := BenchResult{Model: model, Conv: conv, Batch: batch}

	train, err := NewExec(b, TrainStep(m, specs, SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 5e-4, Nesterov: true}))
	if err != nil {
		return res, err
	}
	var times []time.Duration
	for step := 0; step <= steps; step++ {
		args := make([]any, 0, 2*len(specs)+2)
		for _, p := range params {
			args = append(args, p)
		}
		for _, v := range vel {
			args = append(args, v)
		}
		t0 := time.Now()
		out, err := train.Exec(append(args, x, y)...)
		if err != nil {
			return res, err
		}
		loss := tensors.MustCopyFlatData[float32](out[0])[0] // waits for the step
		dt := time.Since(t0)
		params, vel = out[1:1+len(specs)], out[1+len(specs):]
		if step == 0 {
			res.TrainCompile = dt
		} else {
			times = append(times, dt)
		}
		fmt.Fprintf(log, "train step %d/%d: %v (%.1f img/s), loss %.3f\n", step, steps, dt.Round(time.Millisecond), float64(batch)/dt.Seconds(), loss)
	}
	res.TrainImgPerSec = float64(batch) / median(times).Seconds()

	infer, err := NewExec(b, func(in []*Node) *Node { return m.Forward(in[:len(in)-1], in[len(in)-1]) })
	if err != nil {
		return res, err
	}
	times = times[:0]
	for call := 0; call <= steps; call++ {
		args := make([]any, 0, len(specs)+1)
		for _, p := range params {
			args = append(args, p)
		}
		t0 := time.Now()
		out, err := infer.Exec(append(args, x)...)
		if err != nil {
			return res, err
		}
		tensors.MustCopyFlatData[float32](out[0])
		if call == 0 {
			res.InferenceCompile = time.Since(t0)
		} else {
			times = append(times, time.Since(t0))
		}
	}
	res.InferImgPerSec = float64(batch) / median(times).Seconds()
	return res, nil
}

func median(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	return s[len(s)/2]
}
