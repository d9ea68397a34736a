package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"

	"beyondscaling/lib/data"
)

func goBackend(t testing.TB) compute.Backend {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// blobs is a learnable 8×8×3 image dataset: class c has a bright square
// at one of four positions and a tint, plus noise; a few labels can be
// flipped.
func blobs(n int, seed uint64, split string) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 3))
	ds := &data.Dataset{Name: "blobs", Split: split, H: 8, W: 8, C: 3, Images: make([]uint8, n*8*8*3),
		Labels: make([]int32, n), IDs: make([]string, n), Classes: []string{"a", "b", "c", "d"}}
	for i := 0; i < n; i++ {
		c := i % 4
		ds.Labels[i] = int32(c)
		ds.IDs[i] = fmt.Sprintf("blobs/%s/%05d", split, i)
		img := ds.Images[i*192 : (i+1)*192]
		for p := range img {
			img[p] = uint8(60 + rng.IntN(60))
		}
		y0, x0 := 4*(c/2), 4*(c%2)
		for y := y0; y < y0+4; y++ {
			for x := x0; x < x0+4; x++ {
				img[(y*8+x)*3+c%3] = 250
			}
		}
	}
	return ds
}

func TestTrainingLearnsBlobs(t *testing.T) {
	b := goBackend(t)
	train, test := blobs(512, 1, "train"), blobs(256, 2, "test")
	for _, m := range []string{"mlp", "cnn-w8"} {
		cfg := Recipe(m, 6)
		cfg.Batch = 32
		cfg.LR = 0.05
		cfg.Schedule = Schedule{Kind: "constant"}
		tr, err := New(b, cfg, data.All(train), data.Augment{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := tr.Run(context.Background(), data.All(train))
		if err != nil {
			t.Fatal(err)
		}
		top1, _, err := tr.Evaluate(data.All(train), test)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: loss %.3f, train acc %.3f, test top-1 %.3f", m, res.LastLoss, res.LastAccuracy, top1)
		if top1 < 0.9 {
			t.Errorf("%s: test accuracy %.3f on a trivially learnable task", m, top1)
		}
	}
}
