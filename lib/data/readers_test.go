package data

import (
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"beyondscaling/lib/project"
)

// pixel is the formula of testdata/make_fixtures.py.
func pixel(n, row, col, ch int) uint8 { return uint8((n*37 + row*5 + col*3 + ch*101) % 256) }

func repoRoot(t *testing.T) string {
	wd, _ := os.Getwd()
	return filepath.Dir(filepath.Dir(wd))
}

// cifarDir finds the shared CIFAR-10 mirror; tests skip without it, except
// in CI, where it must be present.
func cifarDir(t *testing.T) string {
	t.Helper()
	m := SharedMirror(repoRoot(t))
	d := filepath.Join(m, "cifar-10-batches-bin")
	if _, err := os.Stat(filepath.Join(d, "test_batch.bin")); m == "" || err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CIFAR-10 mirror not found (PRUNE_SHARED_DATA or ../shared/data)")
		}
		t.Skip("CIFAR-10 mirror not found: set PRUNE_SHARED_DATA")
	}
	return d
}

func TestCIFAR10Real(t *testing.T) {
	dir := cifarDir(t)
	train, err := ReadCIFAR10(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	test, err := ReadCIFAR10(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 50000 || test.Len() != 10000 {
		t.Fatalf("sizes %d / %d", train.Len(), test.Len())
	}
	for c, n := range train.ClassCounts() {
		if n != 5000 || test.ClassCounts()[c] != 1000 {
			t.Errorf("class %d: %d train, %d test", c, n, test.ClassCounts()[c])
		}
	}
	want := []int32{6, 9, 9, 4, 1, 1, 2, 7, 8, 3}
	for i, w := range want {
		if train.Labels[i] != w {
			t.Errorf("label %d = %d, want %d", i, train.Labels[i], w)
		}
	}
	// Per-channel means of the training set (the published normalisation).
	var sum [3]float64
	for i, v := range train.Images {
		sum[i%3] += float64(v)
	}
	for c, w := range []float64{0.4914, 0.4822, 0.4465} {
		m := sum[c] / float64(train.Len()*1024) / 255
		if math.Abs(m-w) > 1e-4 {
			t.Errorf("channel %d mean %.5f, want %.4f", c, m, w)
		}
	}
	if train.Classes[0] != "airplane" || train.IDs[0] != "cifar10/train/00000" || train.IDs[49999] != "cifar10/train/49999" {
		t.Errorf("classes/IDs: %v %s %s", train.Classes[0], train.IDs[0], train.IDs[49999])
	}
	if err := train.Validate(); err != nil {
		t.Error(err)
	}
}

func TestSVHNFixturesFromScipy(t *testing.T) {
	for _, variant := range []string{"uncompressed", "compressed"} {
		d, err := ReadSVHN(filepath.Join("testdata", "svhn", variant), "train")
		if err != nil {
			t.Fatalf("%s: %v", variant, err)
		}
		if d.Len() != 5 {
			t.Fatalf("%s: %d images", variant, d.Len())
		}
		for i, w := range []int32{1, 0, 3, 0, 9} {
			if d.Labels[i] != w {
				t.Errorf("%s: label %d = %d, want %d", variant, i, d.Labels[i], w)
			}
		}
		checkPixels(t, d, variant)
	}
}

func checkPixels(t *testing.T, d *Dataset, what string) {
	t.Helper()
	for i := 0; i < d.Len(); i++ {
		img := d.Image(i)
		for r := 0; r < d.H; r++ {
			for c := 0; c < d.W; c++ {
				for ch := 0; ch < d.C; ch++ {
					if got, want := img[(r*d.W+c)*d.C+ch], pixel(i, r, c, ch); got != want {
						t.Fatalf("%s: image %d pixel (%d,%d,%d) = %d, want %d", what, i, r, c, ch, got, want)
					}
				}
			}
		}
	}
}

func TestDownsampledImageNetFixturesFromNumpy(t *testing.T) {
	train, err := ReadDownsampledImageNet(filepath.Join("testdata", "imagenet32"), 32, "train")
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 6 {
		t.Fatalf("%d images, want 4 + 2", train.Len())
	}
	for i, w := range []int32{0, 4, 999, 1, 6, 6} {
		if train.Labels[i] != w {
			t.Errorf("label %d = %d, want %d", i, train.Labels[i], w)
		}
	}
	// Pixels follow the formula with the index within each file.
	for i := 0; i < 6; i++ {
		n := i
		if i >= 4 {
			n = i - 4
		}
		img := train.Image(i)
		for _, p := range [][3]int{{0, 0, 0}, {31, 31, 2}, {5, 17, 1}} {
			if got, want := img[(p[0]*32+p[1])*3+p[2]], pixel(n, p[0], p[1], p[2]); got != want {
				t.Errorf("image %d pixel %v = %d, want %d", i, p, got, want)
			}
		}
	}
	if train.IDs[5] != "imagenet32/train/0000005" {
		t.Errorf("ID %s", train.IDs[5])
	}
	val, err := ReadDownsampledImageNet(filepath.Join("testdata", "imagenet32"), 32, "val")
	if err != nil || val.Len() != 3 || val.Labels[1] != 998 {
		t.Errorf("val: %v %v", err, val)
	}
}

func TestFashionMNISTFromDebian(t *testing.T) {
	if _, err := os.Stat(DebianFashionMNIST); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Debian package dataset-fashion-mnist is not installed")
		}
		t.Skip("install Debian's dataset-fashion-mnist")
	}
	for split, n := range map[string]int{"train": 60000, "test": 10000} {
		d, err := ReadIDX(DebianFashionMNIST, "fashion-mnist", split)
		if err != nil {
			t.Fatal(err)
		}
		if d.Len() != n || d.H != 28 || d.W != 28 || d.C != 1 {
			t.Fatalf("%s: %d images %d×%d×%d", split, d.Len(), d.H, d.W, d.C)
		}
		for c, k := range d.ClassCounts() {
			if k != n/10 {
				t.Errorf("%s class %d: %d", split, c, k)
			}
		}
	}
}

// writeJPEG writes a w×h JPEG of one colour (an independent encoder: the
// standard library's, not this package).
func writeJPEG(t *testing.T, path string, w, h int, c color.RGBA) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = c.R, c.G, c.B, 255
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
}

func TestImageNetFolders(t *testing.T) {
	dir := t.TempDir()
	colors := map[string]color.RGBA{"n01440764": {200, 30, 30, 255}, "n01443537": {30, 200, 30, 255}, "n01484850": {30, 30, 200, 255}}
	for wnid, c := range colors {
		writeJPEG(t, filepath.Join(dir, "train", wnid, wnid+"_1.JPEG"), 80, 60, c)
		writeJPEG(t, filepath.Join(dir, "train", wnid, wnid+"_2.JPEG"), 50, 90, c)
	}
	cache := t.TempDir()
	d, err := ReadImageNet(dir, "train", ImageNetOptions{Size: 16, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 6 || d.Classes[0] != "n01440764" || d.IDs[0] != "n01440764_1" || d.Labels[5] != 2 {
		t.Fatalf("%d images, classes %v, IDs %v, labels %v", d.Len(), d.Classes, d.IDs, d.Labels)
	}
	for i := 0; i < d.Len(); i++ {
		want := colors[d.Classes[d.Labels[i]]]
		img := d.Image(i)
		for p := 0; p < 16*16; p++ {
			for ch, w := range []uint8{want.R, want.G, want.B} {
				if diff := int(img[3*p+ch]) - int(w); diff > 6 || diff < -6 {
					t.Fatalf("image %d pixel %d channel %d = %d, want ≈ %d", i, p, ch, img[3*p+ch], w)
				}
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(cache, "*.bin"))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	again, err := ReadImageNet(dir, "train", ImageNetOptions{Size: 16, CacheDir: cache})
	if err != nil || string(again.Images) != string(d.Images) || again.IDs[3] != d.IDs[3] {
		t.Errorf("cached read differs: %v", err)
	}
	// A flat validation folder with a labels file.
	writeJPEG(t, filepath.Join(dir, "val", "ILSVRC2012_val_00000002.JPEG"), 40, 40, colors["n01443537"])
	writeJPEG(t, filepath.Join(dir, "val", "ILSVRC2012_val_00000001.JPEG"), 40, 40, colors["n01440764"])
	os.WriteFile(filepath.Join(dir, "val_labels.txt"), []byte("ILSVRC2012_val_00000002.JPEG n01443537\nILSVRC2012_val_00000001.JPEG n01440764\n"), 0o644)
	v, err := ReadImageNet(dir, "val", ImageNetOptions{Size: 8})
	if err != nil || v.Len() != 2 || v.IDs[0] != "ILSVRC2012_val_00000001" || v.Labels[0] != 0 || v.Labels[1] != 1 {
		t.Errorf("val: %v %+v", err, v)
	}
}

func TestBadInputIsNamed(t *testing.T) {
	dir := t.TempDir()
	// A truncated CIFAR batch.
	os.WriteFile(filepath.Join(dir, "test_batch.bin"), make([]byte, 3073*2+100), 0o644)
	if _, err := ReadCIFAR10(dir, "test"); err == nil || !strings.Contains(err.Error(), "test_batch.bin") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated CIFAR: %v", err)
	}
	// A label out of range.
	rec := make([]byte, 3073)
	rec[0] = 12
	os.WriteFile(filepath.Join(dir, "test_batch.bin"), rec, 0o644)
	if _, err := ReadCIFAR10(dir, "test"); err == nil || !strings.Contains(err.Error(), "label 12") {
		t.Errorf("bad label: %v", err)
	}
	// Missing files say how to get them.
	if _, err := ReadCIFAR10(t.TempDir(), "train"); err == nil || !strings.Contains(err.Error(), "prune data fetch cifar10") {
		t.Errorf("missing CIFAR: %v", err)
	}
	if _, err := ReadCIFAR10(dir, "validation"); err == nil {
		t.Error("unknown split accepted")
	}
	// Corrupt MAT-file and IDX file.
	os.WriteFile(filepath.Join(dir, "train_32x32.mat"), []byte("MATLAB 5.0 MAT-file but not really"), 0o644)
	if _, err := ReadSVHN(dir, "train"); err == nil || !strings.Contains(err.Error(), "train_32x32.mat") {
		t.Errorf("corrupt .mat: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "t10k-images-idx3-ubyte"), []byte{0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2}, 0o644)
	os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"), []byte{0, 0, 8, 1, 0, 0, 0, 1, 3}, 0o644)
	if _, err := ReadIDX(dir, "mnist", "test"); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("short IDX: %v", err)
	}
}

func TestLocateAndAvailability(t *testing.T) {
	root := repoRoot(t)
	empty := t.TempDir()
	if SharedMirror(root) != "" {
		dir, err := Locate(empty, root, "cifar10")
		if err != nil || dir != SharedMirror(root) {
			t.Errorf("Locate(cifar10) = %q, %v", dir, err)
		}
	}
	if _, err := Locate(empty, root, "svhn"); err == nil || !strings.Contains(err.Error(), "prune data fetch svhn") {
		t.Errorf("missing svhn: %v", err)
	}
	// Present answers as Locate does, in the project's own cache and root.
	t.Setenv(project.EnvRoot, root)
	t.Setenv(project.EnvData, empty)
	if err := Present("svhn"); err == nil || !strings.Contains(err.Error(), "prune data fetch svhn") {
		t.Errorf("Present(svhn) with no SVHN anywhere: %v", err)
	}
	if SharedMirror(root) != "" {
		if err := Present("cifar10"); err != nil {
			t.Errorf("Present(cifar10) with the shared mirror: %v", err)
		}
	}
	st := Availability(empty, root)
	if len(st) != 8 || st[7].Name != "imagenet" || st[7].Present || !strings.Contains(st[7].Note, "registration") {
		t.Errorf("availability %+v", st)
	}
}

// CIFAR-100 records are a coarse label byte, a fine label byte and 3,072
// planar pixel bytes; the fine label is the class.
func TestCIFAR100Format(t *testing.T) {
	dir := t.TempDir()
	var b []byte
	for i := 0; i < 3; i++ {
		rec := make([]byte, 3074)
		rec[0], rec[1] = byte(19-i), byte(97+i) // coarse, fine
		for p := 0; p < 1024; p++ {
			rec[2+p], rec[2+1024+p], rec[2+2048+p] = pixel(i, p/32, p%32, 0), pixel(i, p/32, p%32, 1), pixel(i, p/32, p%32, 2)
		}
		b = append(b, rec...)
	}
	os.WriteFile(filepath.Join(dir, "test.bin"), b, 0o644)
	d, err := ReadCIFAR100(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 3 || d.Labels[0] != 97 || d.Labels[2] != 99 || len(d.Classes) != 100 || d.IDs[2] != "cifar100/test/00002" {
		t.Fatalf("%d images, labels %v, %d classes, IDs %v", d.Len(), d.Labels, len(d.Classes), d.IDs)
	}
	checkPixels(t, d, "cifar100")
	b[3074+1] = 100 // a fine label out of range
	os.WriteFile(filepath.Join(dir, "test.bin"), b, 0o644)
	if _, err := ReadCIFAR100(dir, "test"); err == nil || !strings.Contains(err.Error(), "label 100") {
		t.Errorf("bad label: %v", err)
	}
}
