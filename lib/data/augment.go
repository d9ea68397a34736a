package data

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Normalisation statistics (per channel, on [0, 1] pixels) of each dataset's
// training split: CIFAR-10's are checked against the data in the tests.
var normalisation = map[string][2][]float32{
	"cifar10":       {{0.4914, 0.4822, 0.4465}, {0.2470, 0.2435, 0.2616}},
	"cifar100":      {{0.5071, 0.4865, 0.4409}, {0.2673, 0.2564, 0.2762}},
	"svhn":          {{0.4377, 0.4438, 0.4728}, {0.1980, 0.2010, 0.1970}},
	"mnist":         {{0.1307}, {0.3081}},
	"fashion-mnist": {{0.2860}, {0.3530}},
	"imagenet":      {{0.485, 0.456, 0.406}, {0.229, 0.224, 0.225}},
}

// Augment turns uint8 images into normalised float32 batches (N×H×W×C) with
// random crops (zero padding of Pad pixels, then a crop at a random offset)
// and horizontal flips. The randomness of an example depends only on (Seed,
// epoch, example index), so a run is reproducible whatever the batching or
// the number of threads.
type Augment struct {
	Mean, Std []float32 // per channel; nil means no normalisation (x/255)
	Pad       int
	Flip      bool
	Seed      uint64
	// ResizedCrop draws, per example, a random crop covering 8-100% of the
	// stored image's area with aspect ratio in [3/4, 4/3] and resamples it
	// bilinearly to the full size (torchvision's RandomResizedCrop), instead
	// of padding and shifting. Used for ImageNet.
	ResizedCrop bool
	// ColorJitter s > 0 scales brightness, contrast and saturation by
	// factors drawn from [1-s, 1+s] (each example, with probability 0.8),
	// and Grayscale is the probability of dropping colour: SimCLR's
	// augmentations for self-supervised training.
	ColorJitter float64
	Grayscale   float64
}

// AugmentFor returns the standard training augmentation of a dataset:
// CIFAR: pad 4, crop, flip; SVHN: pad 4, crop, no flip (digits are not
// mirror-symmetric); MNIST-style: none; ImageNet: flip (crops come from
// random resized crops). Evaluation uses the same normalisation, Pad 0,
// Flip false (see Eval).
func AugmentFor(name string, seed uint64) (Augment, error) {
	st, ok := normalisation[baseName(name)]
	if !ok {
		return Augment{}, fmt.Errorf("no augmentation preset for dataset %q", name)
	}
	a := Augment{Mean: st[0], Std: st[1], Seed: seed}
	switch baseName(name) {
	case "cifar10", "cifar100":
		a.Pad, a.Flip = 4, true
	case "svhn":
		a.Pad = 4
	case "imagenet":
		a.Flip, a.ResizedCrop = true, true
	}
	return a, nil
}

func baseName(name string) string {
	if len(name) > 8 && name[:8] == "imagenet" {
		return "imagenet"
	}
	return name
}

// Random reports whether the augmentation draws anything per example
// (shifts, flips, resized crops, colour changes); when it does not, its Seed
// has no effect.
func (a Augment) Random() bool {
	return a.Pad > 0 || a.Flip || a.ResizedCrop || a.ColorJitter > 0 || a.Grayscale > 0
}

// Key is the augmentation as a cache key: its Seed is cleared when nothing
// is drawn, so that augmentations that transform every image alike have
// equal keys (a network trained on unaugmented images is the same whatever
// seed its augmentation was given).
func (a Augment) Key() Augment {
	if !a.Random() {
		a.Seed = 0
	}
	return a
}

// Eval is the augmentation without randomness (normalisation only).
func (a Augment) Eval() Augment {
	a.Pad, a.Flip, a.ResizedCrop, a.ColorJitter, a.Grayscale = 0, false, false, 0, 0
	return a
}

// cropRect draws the random resized crop of an example: top-left corner and
// size in source pixels (floats), following torchvision's sampling (ten
// tries, then the centre crop of the clamped aspect ratio).
func (a Augment) cropRect(epoch, example, h, w int) (y0, x0, ch, cw float64) {
	r := splitmix64(a.Seed ^ splitmix64(uint64(epoch)<<32^uint64(example)^0x5bd1e995))
	u := func() float64 { r = splitmix64(r); return float64(r>>11) / (1 << 53) }
	area := float64(h * w)
	for try := 0; try < 10; try++ {
		target := area * (0.08 + 0.92*u())
		logRatio := math.Log(3.0/4) + (math.Log(4.0/3)-math.Log(3.0/4))*u()
		ratio := math.Exp(logRatio)
		cw = math.Sqrt(target * ratio)
		ch = math.Sqrt(target / ratio)
		if cw <= float64(w) && ch <= float64(h) {
			y0 = (float64(h) - ch) * u()
			x0 = (float64(w) - cw) * u()
			return
		}
	}
	return 0, 0, float64(h), float64(w)
}

// splitmix64 is the mixing function that derives per-example randomness.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// draw returns the crop offset and flip of an example at an epoch.
func (a Augment) draw(epoch, example int) (dy, dx int, flip bool) {
	r := splitmix64(a.Seed ^ splitmix64(uint64(epoch)<<32^uint64(example)))
	if a.Pad > 0 {
		span := uint64(2*a.Pad + 1)
		dy = int(r%span) - a.Pad
		dx = int((r/span)%span) - a.Pad
	}
	flip = a.Flip && (r>>63) == 1
	return dy, dx, flip
}

// Batch writes the augmented images idx of ds at the given epoch into out
// (len(idx)·H·W·C floats, N×H×W×C), in parallel.
func (a Augment) Batch(ds *Dataset, idx []int, epoch int, out []float32) error {
	sz := ds.ImageSize()
	if len(out) != len(idx)*sz {
		return fmt.Errorf("output has %d floats, want %d", len(out), len(idx)*sz)
	}
	if a.Mean != nil && (len(a.Mean) != ds.C || len(a.Std) != ds.C) {
		return fmt.Errorf("normalisation for %d channels, images have %d", len(a.Mean), ds.C)
	}
	// lut[c][v] = (v/255 - mean_c)/std_c
	lut := make([][256]float32, ds.C)
	for c := range lut {
		m, s := float32(0), float32(1)
		if a.Mean != nil {
			m, s = a.Mean[c], a.Std[c]
		}
		for v := 0; v < 256; v++ {
			lut[c][v] = (float32(v)/255 - m) / s
		}
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, len(idx)/16))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := w; k < len(idx); k += workers {
				a.one(ds, idx[k], epoch, lut, out[k*sz:(k+1)*sz])
				if (a.ColorJitter > 0 || a.Grayscale > 0) && ds.C == 3 {
					a.colour(idx[k], epoch, out[k*sz:(k+1)*sz])
				}
			}
		}(w)
	}
	wg.Wait()
	return nil
}

func (a Augment) one(ds *Dataset, i, epoch int, lut [][256]float32, dst []float32) {
	h, w, c := ds.H, ds.W, ds.C
	src := ds.Image(i)
	dy, dx, flip := a.draw(epoch, i)
	if a.ResizedCrop {
		a.resizedCrop(ds, i, epoch, flip, lut, dst)
		return
	}
	if dy == 0 && dx == 0 && !flip { // the image as stored: one pass
		if c == 1 {
			l := &lut[0]
			for j, v := range src {
				dst[j] = l[v]
			}
			return
		}
		for j, v := range src {
			dst[j] = lut[j%c][v]
		}
		return
	}
	for y := 0; y < h; y++ {
		sy := y + dy
		row := dst[y*w*c : (y+1)*w*c]
		if sy < 0 || sy >= h { // padding: the value of a zero pixel
			for x := 0; x < w; x++ {
				for ch := 0; ch < c; ch++ {
					row[x*c+ch] = lut[ch][0]
				}
			}
			continue
		}
		srow := src[sy*w*c : (sy+1)*w*c]
		for x := 0; x < w; x++ {
			xx := x
			if flip {
				xx = w - 1 - x
			}
			sx := xx + dx
			if sx < 0 || sx >= w {
				for ch := 0; ch < c; ch++ {
					row[x*c+ch] = lut[ch][0]
				}
				continue
			}
			for ch := 0; ch < c; ch++ {
				row[x*c+ch] = lut[ch][srow[sx*c+ch]]
			}
		}
	}
}

// resizedCrop samples the example's random crop bilinearly to H×W.
func (a Augment) resizedCrop(ds *Dataset, i, epoch int, flip bool, lut [][256]float32, dst []float32) {
	h, w, c := ds.H, ds.W, ds.C
	src := ds.Image(i)
	y0, x0, ch, cw := a.cropRect(epoch, i, h, w)
	for y := 0; y < h; y++ {
		// centre of output pixel y in source coordinates
		sy := y0 + (float64(y)+0.5)*ch/float64(h) - 0.5
		ya := int(math.Floor(sy))
		fy := sy - float64(ya)
		ya0, ya1 := clampInt(ya, 0, h-1), clampInt(ya+1, 0, h-1)
		for x := 0; x < w; x++ {
			xx := x
			if flip {
				xx = w - 1 - x
			}
			sx := x0 + (float64(xx)+0.5)*cw/float64(w) - 0.5
			xa := int(math.Floor(sx))
			fx := sx - float64(xa)
			xa0, xa1 := clampInt(xa, 0, w-1), clampInt(xa+1, 0, w-1)
			for k := 0; k < c; k++ {
				v := (1-fy)*((1-fx)*float64(lut[k][src[(ya0*w+xa0)*c+k]])+fx*float64(lut[k][src[(ya0*w+xa1)*c+k]])) +
					fy*((1-fx)*float64(lut[k][src[(ya1*w+xa0)*c+k]])+fx*float64(lut[k][src[(ya1*w+xa1)*c+k]]))
				dst[(y*w+x)*c+k] = float32(v)
			}
		}
	}
}

func clampInt(v, lo, hi int) int { return max(lo, min(hi, v)) }

// colour applies colour jitter and random grayscale to one normalised image,
// working on pixel values in [0, 1] (normalisation undone, then redone).
func (a Augment) colour(example, epoch int, img []float32) {
	r := splitmix64(a.Seed ^ splitmix64(uint64(epoch)<<32^uint64(example)^0x2545f491))
	u := func() float64 { r = splitmix64(r); return float64(r>>11) / (1 << 53) }
	mean, std := [3]float64{0, 0, 0}, [3]float64{1, 1, 1}
	if a.Mean != nil {
		for c := 0; c < 3; c++ {
			mean[c], std[c] = float64(a.Mean[c]), float64(a.Std[c])
		}
	}
	n := len(img) / 3
	px := make([]float64, len(img))
	for i, v := range img {
		px[i] = float64(v)*std[i%3] + mean[i%3]
	}
	gray := func(i int) float64 { return 0.299*px[3*i] + 0.587*px[3*i+1] + 0.114*px[3*i+2] }
	clamp := func(v float64) float64 { return math.Max(0, math.Min(1, v)) }
	if s := a.ColorJitter; s > 0 && u() < 0.8 {
		b, ct, sat := 1-s+2*s*u(), 1-s+2*s*u(), 1-s+2*s*u()
		for i := range px {
			px[i] = clamp(px[i] * b)
		}
		m := 0.0
		for i := 0; i < n; i++ {
			m += gray(i)
		}
		m /= float64(n)
		for i := range px {
			px[i] = clamp((px[i]-m)*ct + m)
		}
		for i := 0; i < n; i++ {
			g := gray(i)
			for c := 0; c < 3; c++ {
				px[3*i+c] = clamp(g + (px[3*i+c]-g)*sat)
			}
		}
	}
	if a.Grayscale > 0 && u() < a.Grayscale {
		for i := 0; i < n; i++ {
			g := gray(i)
			px[3*i], px[3*i+1], px[3*i+2] = g, g, g
		}
	}
	for i := range img {
		img[i] = float32((px[i] - mean[i%3]) / std[i%3])
	}
}
