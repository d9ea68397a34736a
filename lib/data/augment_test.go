package data

import (
	"math"
	"strings"
	"testing"
)

// synthetic returns n images h×w×c with pixel = (i + 7y + 3x + 50ch) mod 256.
func synthetic(n, h, w, c, classes int) *Dataset {
	d := &Dataset{Name: "cifar10", Split: "train", H: h, W: w, C: c, Images: make([]uint8, n*h*w*c), Labels: make([]int32, n), IDs: make([]string, n)}
	d.Classes = numberedClasses(classes)
	for i := 0; i < n; i++ {
		img := d.Image(i)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				for ch := 0; ch < c; ch++ {
					img[(y*w+x)*c+ch] = uint8((i + 7*y + 3*x + 50*ch) % 256)
				}
			}
		}
		d.Labels[i] = int32(i % classes)
		d.IDs[i] = exampleID("syn", "train", i)
	}
	return d
}

func TestAugmentCropFlipAndNormalisation(t *testing.T) {
	ds := synthetic(64, 8, 8, 3, 4)
	a := Augment{Pad: 2, Flip: true, Seed: 5, Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.25, 0.25, 0.25}}
	out := make([]float32, 64*8*8*3)
	if err := a.Batch(ds, All(ds).Idx, 3, out); err != nil {
		t.Fatal(err)
	}
	flips := 0
	for i := 0; i < 64; i++ {
		dy, dx, flip := a.draw(3, i)
		if dy < -2 || dy > 2 || dx < -2 || dx > 2 {
			t.Fatalf("offset %d,%d outside the padding", dy, dx)
		}
		if flip {
			flips++
		}
		// Independent recomputation of every output value.
		for y := 0; y < 8; y++ {
			for x := 0; x < 8; x++ {
				xx := x
				if flip {
					xx = 7 - x
				}
				sy, sx := y+dy, xx+dx
				for ch := 0; ch < 3; ch++ {
					v := 0.0
					if sy >= 0 && sy < 8 && sx >= 0 && sx < 8 {
						v = float64((i + 7*sy + 3*sx + 50*ch) % 256)
					}
					want := (v/255 - 0.5) / 0.25
					if got := out[i*192+(y*8+x)*3+ch]; math.Abs(float64(got)-want) > 1e-5 {
						t.Fatalf("image %d (%d,%d,%d): %v, want %v", i, y, x, ch, got, want)
					}
				}
			}
		}
	}
	if flips < 16 || flips > 48 {
		t.Errorf("%d of 64 flipped: not a fair coin", flips)
	}
}

func TestAugmentIsDeterministicPerExample(t *testing.T) {
	ds := synthetic(100, 8, 8, 3, 10)
	a := Augment{Pad: 4, Flip: true, Seed: 9}
	full := make([]float32, 100*192)
	a.Batch(ds, All(ds).Idx, 1, full)
	// The same examples in another batch composition give the same values.
	part := make([]float32, 2*192)
	a.Batch(ds, []int{57, 3}, 1, part)
	for k, i := range []int{57, 3} {
		for j := 0; j < 192; j++ {
			if part[k*192+j] != full[i*192+j] {
				t.Fatalf("example %d differs between batchings", i)
			}
		}
	}
	other := make([]float32, 100*192)
	a.Batch(ds, All(ds).Idx, 2, other)
	same := 0
	for i := 0; i < 100; i++ {
		if string(f32bytes(full[i*192:(i+1)*192])) == string(f32bytes(other[i*192:(i+1)*192])) {
			same++
		}
	}
	if same > 20 {
		t.Errorf("%d of 100 examples identical across epochs", same)
	}
}

func f32bytes(x []float32) []byte {
	b := make([]byte, 0, 4*len(x))
	for _, v := range x {
		u := math.Float32bits(v)
		b = append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	return b
}

func TestRandomResizedCrop(t *testing.T) {
	a := Augment{ResizedCrop: true, Seed: 3}
	for ex := 0; ex < 200; ex++ {
		y0, x0, ch, cw := a.cropRect(1, ex, 64, 64)
		area := ch * cw / (64 * 64)
		if y0 < 0 || x0 < 0 || y0+ch > 64+1e-9 || x0+cw > 64+1e-9 || area < 0.08-1e-9 || area > 1+1e-9 {
			t.Fatalf("example %d: crop (%v,%v) %v×%v outside the image or the area range", ex, y0, x0, ch, cw)
		}
		if r := cw / ch; (r < 0.75-1e-9 || r > 4.0/3+1e-9) && area < 1 {
			t.Fatalf("example %d: aspect %v", ex, r)
		}
	}
	// A constant image stays constant whatever the crop; a horizontal ramp
	// stays monotone (or reversed when flipped).
	ds := synthetic(4, 16, 16, 1, 2)
	for i := 0; i < 4; i++ {
		img := ds.Image(i)
		for y := 0; y < 16; y++ {
			for x := 0; x < 16; x++ {
				img[y*16+x] = uint8(10 * x)
			}
		}
	}
	out := make([]float32, 4*256)
	a.Batch(ds, []int{0, 1, 2, 3}, 0, out)
	for i := 0; i < 4; i++ {
		row := out[i*256 : i*256+16]
		inc, dec := true, true
		for x := 1; x < 16; x++ {
			inc = inc && row[x] >= row[x-1]-1e-6
			dec = dec && row[x] <= row[x-1]+1e-6
		}
		if !inc && !dec {
			t.Errorf("example %d: resampled ramp is not monotone: %v", i, row)
		}
	}
}

func TestPresets(t *testing.T) {
	svhn, _ := AugmentFor("svhn", 1)
	cifar, _ := AugmentFor("cifar10", 1)
	if svhn.Flip || !cifar.Flip || svhn.Pad != 4 || cifar.Pad != 4 {
		t.Errorf("svhn %+v cifar %+v", svhn, cifar)
	}
	if _, err := AugmentFor("nosuch", 1); err == nil {
		t.Error("unknown dataset accepted")
	}
	if e := cifar.Eval(); e.Pad != 0 || e.Flip {
		t.Errorf("eval %+v", e)
	}
}

func TestSubsets(t *testing.T) {
	ds := synthetic(100, 2, 2, 1, 10)
	s, err := SubsetByIDs(ds, []string{"syn/train/00042", "syn/train/00007"})
	if err != nil || s.Idx[0] != 42 || s.Idx[1] != 7 || s.IDs()[1] != "syn/train/00007" {
		t.Errorf("by IDs: %v %v", s.Idx, err)
	}
	if _, err := SubsetByIDs(ds, []string{"syn/train/00042", "cifar10/train/00001"}); err == nil || !strings.Contains(err.Error(), "cifar10/train/00001") {
		t.Errorf("unknown ID: %v", err)
	}
	b, err := BalancedSubset(ds, 35, 3)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, 10)
	for _, i := range b.Idx {
		counts[ds.Labels[i]]++
	}
	for c, n := range counts {
		if n < 3 || n > 4 {
			t.Errorf("class %d has %d of 35", c, n)
		}
	}
	r1, _ := RandomSubset(ds, 10, 4)
	r2, _ := RandomSubset(ds, 10, 4)
	if len(r1.Idx) != 10 || r1.Idx[3] != r2.Idx[3] {
		t.Errorf("random subsets %v %v", r1.Idx, r2.Idx)
	}
	batches := All(ds).Batches(32, 1, 0)
	seen := map[int]bool{}
	for _, bt := range batches {
		for _, i := range bt {
			seen[i] = true
		}
	}
	if len(batches) != 4 || len(batches[3]) != 4 || len(seen) != 100 {
		t.Errorf("batches: %d, last %d, covered %d", len(batches), len(batches[3]), len(seen))
	}
}

// The real CIFAR-10 training set, normalised with the preset statistics, has
// per-channel mean ≈ 0 and standard deviation ≈ 1.
func TestCIFARNormalisation(t *testing.T) {
	ds, err := ReadCIFAR10(cifarDir(t), "train")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := AugmentFor("cifar10", 0)
	a = a.Eval()
	idx := All(ds).Idx[:10000]
	out := make([]float32, len(idx)*ds.ImageSize())
	a.Batch(ds, idx, 0, out)
	var s, ss [3]float64
	for i, v := range out {
		s[i%3] += float64(v)
		ss[i%3] += float64(v) * float64(v)
	}
	n := float64(len(out) / 3)
	for c := 0; c < 3; c++ {
		m := s[c] / n
		sd := math.Sqrt(ss[c]/n - m*m)
		if math.Abs(m) > 0.02 || math.Abs(sd-1) > 0.02 {
			t.Errorf("channel %d: mean %.4f sd %.4f", c, m, sd)
		}
	}
}

// BenchmarkAugmentCIFAR measures augmented CIFAR-shaped images per second
// (target ≥ 20,000 on 2 cores).
func BenchmarkAugmentCIFAR(b *testing.B) {
	ds := synthetic(10000, 32, 32, 3, 10)
	a, _ := AugmentFor("cifar10", 1)
	out := make([]float32, 128*ds.ImageSize())
	batches := All(ds).Batches(128, 1, 0)
	n := 0
	for i := 0; b.Loop(); i++ {
		bt := batches[i%(len(batches)-1)]
		a.Batch(ds, bt, i, out)
		n += len(bt)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "img/s")
}
