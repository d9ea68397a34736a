package train

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"beyondscaling/lib/data"
	"beyondscaling/lib/models"
)

// BenchResult is the throughput of one model on one backend.
type BenchResult struct {
	Model            string
	Conv             models.ConvImpl
	Batch            int
	Params           int     // trainable values (compare with the peer's)
	TrainImgPerSec   float64 // forward + backward + SGD update, median step
	InferImgPerSec   float64 // evaluation-mode forward, median call
	TrainCompile     time.Duration
	InferenceCompile time.Duration
}

func (r BenchResult) String() string {
	return fmt.Sprintf("%s (%s convolution, %d parameters), batch %d: train %.1f img/s, inference %.1f img/s (first calls %v and %v)",
		r.Model, r.Conv, r.Params, r.Batch, r.TrainImgPerSec, r.InferImgPerSec, r.TrainCompile.Round(time.Millisecond), r.InferenceCompile.Round(time.Millisecond))
}

// SyntheticCIFAR is a CIFAR-shaped dataset of random pixels and labels, for
// throughput measurements (which do not depend on the values).
func SyntheticCIFAR(n int, seed uint64) *data.Dataset { return SyntheticImages(n, 32, 32, 3, seed) }

// SyntheticImages is a dataset of n random h×w×c images with random labels of
// 10 classes: CIFAR-shaped (32, 32, 3) or Fashion-MNIST-shaped (28, 28, 1).
func SyntheticImages(n, h, w, c int, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	ds := &data.Dataset{Name: "synthetic", Split: "train", H: h, W: w, C: c,
		Images: make([]uint8, n*h*w*c), Labels: make([]int32, n), IDs: make([]string, n)}
	for i := range ds.Images {
		ds.Images[i] = uint8(rng.IntN(256))
	}
	for i := range ds.Labels {
		ds.Labels[i] = int32(rng.IntN(10))
		ds.IDs[i] = fmt.Sprintf("synthetic/train/%05d", i)
	}
	for c := 0; c < 10; c++ {
		ds.Classes = append(ds.Classes, fmt.Sprintf("class%d", c))
	}
	return ds
}

// Bench times training steps (the trainer's own step: model.Exec with the
// SGD optimizer) and evaluation-mode inference of a model on CIFAR-shaped
// data, logging each step to log.
func Bench(b compute.Backend, modelName string, conv models.ConvImpl, batch, steps int, log io.Writer) (BenchResult, error) {
	return BenchOn(b, SyntheticCIFAR(batch, 7), modelName, conv, steps, log)
}

// BenchOn is Bench on the images of ds (one batch of len(ds.Labels)), e.g.
// SyntheticImages(128, 28, 28, 1, 7) for the Fashion-MNIST-shaped MLP.
func BenchOn(b compute.Backend, ds *data.Dataset, modelName string, conv models.ConvImpl, steps int, log io.Writer) (BenchResult, error) {
	batch := len(ds.Labels)
	set := data.All(ds)
	cfg := Recipe(modelName, 1)
	cfg.Batch = batch
	t, err := New(b, cfg, set, data.Augment{})
	if err != nil {
		return BenchResult{}, err
	}
	t.Model.Conv = conv
	res := BenchResult{Model: modelName, Conv: conv, Batch: batch}
	optimizer.LearningRateVarWithValue(t.Model.Store.RootScope(), dtypes.Float32, 0.01)
	x := make([]float32, batch*ds.ImageSize())
	if err := (data.Augment{}).Batch(ds, set.Idx, 0, x); err != nil {
		return res, err
	}
	yt := tensors.FromFlatDataAndDimensions(slices.Clone(ds.Labels), batch)
	var times []time.Duration
	for step := 0; step <= steps; step++ {
		t0 := time.Now()
		// A fresh batch tensor handed to the step, as Trainer.Run feeds it.
		xt, err := donatedBatch(b, x, batch, ds.H, ds.W, ds.C)
		if err != nil {
			return res, err
		}
		out, err := t.step.Call(xt, yt)
		if err != nil {
			return res, err
		}
		loss := tensors.MustCopyFlatData[float32](out[0])[0] // waits for the step
		dt := time.Since(t0)
		if step == 0 {
			res.TrainCompile = dt
		} else {
			times = append(times, dt)
		}
		fmt.Fprintf(log, "train step %d/%d: %v (%.1f img/s), loss %.3f\n", step, steps, dt.Round(time.Millisecond), float64(batch)/dt.Seconds(), loss)
	}
	res.TrainImgPerSec = float64(batch) / median(times).Seconds()
	res.Params = t.Model.NumParams()

	if err := t.Model.RecomputeBatchNorm(set, data.Augment{}, batch, 1); err != nil {
		return res, err
	}
	times = times[:0]
	for call := 0; call <= steps; call++ {
		t0 := time.Now()
		if _, err := t.Model.Predict(ds, set.Idx, data.Augment{}, batch, nil); err != nil {
			return res, err
		}
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
