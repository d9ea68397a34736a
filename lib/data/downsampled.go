package data

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ReadDownsampledImageNet reads the downsampled ImageNet of Chrabaszcz et al.
// (2017) at side size (32 or 64) from dir: split "train"
// (train_data_batch_*.npz) or "val" (val_data.npz). Each file holds data,
// uint8 [N, 3·S·S] with the red, green and blue planes one after the other,
// and labels 1..1000. Labels become 0..999; class names come from an optional
// map_clsloc.txt ("<wnid> <index> <name>" lines). IDs are
// imagenet<S>/<split>/<index> in file order.
func ReadDownsampledImageNet(dir string, size int, split string) (*Dataset, error) {
	var pattern string
	switch split {
	case "train":
		pattern = "train_data_batch_*.npz"
	case "val":
		pattern = "val_data.npz"
	default:
		return nil, fmt.Errorf("downsampled ImageNet has splits train and val, not %q", split)
	}
	files, _ := filepath.Glob(filepath.Join(dir, pattern))
	sort.Slice(files, func(a, b int) bool { return batchNumber(files[a]) < batchNumber(files[b]) })
	if len(files) == 0 {
		return nil, fmt.Errorf("no %s in %s (the downsampled ImageNet npz files come from image-net.org after registration)", pattern, dir)
	}
	name := fmt.Sprintf("imagenet%d", size)
	classes := numberedClasses(1000)
	if lines, err := readLines(filepath.Join(dir, "map_clsloc.txt")); err == nil {
		for _, l := range lines {
			f := strings.Fields(l)
			var idx int
			if len(f) < 3 {
				continue
			}
			if _, err := fmt.Sscan(f[1], &idx); err == nil && idx >= 1 && idx <= 1000 {
				classes[idx-1] = f[2]
			}
		}
	}
	var parts []*Dataset
	offset := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		d, err := parseDownsampled(b, name, split, size, offset)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		d.Classes = classes
		offset += d.Len()
		parts = append(parts, d)
	}
	return concat(parts), nil
}

func batchNumber(path string) int {
	var n int
	base := filepath.Base(path)
	if i := strings.LastIndex(base, "_"); i >= 0 {
		fmt.Sscan(strings.TrimSuffix(base[i+1:], ".npz"), &n)
	}
	return n
}

func parseDownsampled(b []byte, name, split string, size, offset int) (*Dataset, error) {
	arrs, err := parseNPZ(b)
	if err != nil {
		return nil, err
	}
	x, y := arrs["data"], arrs["labels"]
	if x == nil || y == nil {
		return nil, fmt.Errorf("arrays data and labels not found")
	}
	px := size * size * 3
	if len(x.Shape) != 2 || x.Shape[1] != px || (x.Descr != "|u1" && x.Descr != "<u1") {
		return nil, fmt.Errorf("data is %s %v, want uint8 [N, %d] for %d×%d images", x.Descr, x.Shape, px, size, size)
	}
	n := x.Shape[0]
	if len(y.Shape) != 1 || y.Shape[0] != n {
		return nil, fmt.Errorf("labels have shape %v for %d images", y.Shape, n)
	}
	d := &Dataset{Name: name, Split: split, H: size, W: size, C: 3, Images: make([]uint8, n*px), Labels: make([]int32, n), IDs: make([]string, n), Classes: numberedClasses(1000)}
	plane := size * size
	for i := 0; i < n; i++ {
		l := y.Int(i)
		if l < 1 || l > 1000 {
			return nil, fmt.Errorf("label %d of image %d is not in 1..1000", l, i)
		}
		d.Labels[i] = int32(l - 1)
		d.IDs[i] = fmt.Sprintf("%s/%s/%07d", name, split, offset+i)
		src := x.raw[i*px : (i+1)*px]
		img := d.Image(i)
		for p := 0; p < plane; p++ {
			img[3*p], img[3*p+1], img[3*p+2] = src[p], src[plane+p], src[2*plane+p]
		}
	}
	return d, nil
}
