package datatest

import (
	"fmt"
	"math/rand/v2"

	"beyondscaling/lib/data"
)

// Blobs is a small, easily learnable image dataset for tests and
// examples: n images of 8×8×3 pixels in four classes, image i of class
// i mod 4, where class c is a bright square in quadrant c (in channel c mod 3)
// over uniform noise in [40, 120). IDs are "blobs/SPLIT/NNNNN".
func Blobs(n int, seed uint64, split string) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 3))
	ds := &data.Dataset{Name: "blobs", Split: split, H: 8, W: 8, C: 3, Images: make([]uint8, n*192),
		Labels: make([]int32, n), IDs: make([]string, n), Classes: []string{"a", "b", "c", "d"}}
	for i := 0; i < n; i++ {
		c := i % 4
		ds.Labels[i] = int32(c)
		ds.IDs[i] = fmt.Sprintf("blobs/%s/%05d", split, i)
		img := ds.Images[i*192 : (i+1)*192]
		for p := range img {
			img[p] = uint8(40 + rng.IntN(80))
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
