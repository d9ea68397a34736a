package data

import (
	"fmt"
	"os"
	"path/filepath"
)

// ReadSVHN reads the official SVHN cropped-digits file <split>_32x32.mat
// from dir (split train, test or extra): X is uint8 32×32×3×N (MATLAB's
// column-major order), y is N×1 with 10 standing for the digit 0. Labels are
// the digits 0-9. IDs are svhn/<split>/<index>.
func ReadSVHN(dir, split string) (*Dataset, error) {
	if split != "train" && split != "test" && split != "extra" {
		return nil, fmt.Errorf("SVHN has splits train, test and extra, not %q", split)
	}
	path := filepath.Join(dir, split+"_32x32.mat")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (download the official SVHN file %s_32x32.mat into %s; see data/README.md)", err, split, dir)
	}
	d, err := parseSVHN(b, split)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

func parseSVHN(b []byte, split string) (*Dataset, error) {
	vars, err := parseMAT5(b)
	if err != nil {
		return nil, err
	}
	x, y := vars["X"], vars["y"]
	if x == nil || y == nil {
		return nil, fmt.Errorf("variables X and y not found (an SVHN cropped-digits file has both)")
	}
	if len(x.Dims) != 4 || x.Dims[0] != 32 || x.Dims[1] != 32 || x.Dims[2] != 3 {
		return nil, fmt.Errorf("X has dimensions %v, want 32×32×3×N", x.Dims)
	}
	n := x.Dims[3]
	if y.Len() != n {
		return nil, fmt.Errorf("y has %d labels for %d images", y.Len(), n)
	}
	px, ok := x.Bytes()
	if !ok {
		return nil, fmt.Errorf("X is stored as type %d, want uint8", x.typ)
	}
	d := &Dataset{Name: "svhn", Split: split, H: 32, W: 32, C: 3,
		Images: make([]uint8, n*cifarPixels), Labels: make([]int32, n), IDs: make([]string, n),
		Classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}}
	for i := 0; i < n; i++ {
		v := y.Float64(i)
		if v != float64(int(v)) || v < 1 || v > 10 {
			return nil, fmt.Errorf("label %v of image %d is not in 1..10", v, i)
		}
		d.Labels[i] = int32(int(v) % 10) // 10 stands for the digit 0
		d.IDs[i] = exampleID("svhn", split, i)
		img := d.Image(i)
		base := i * 3072
		for c := 0; c < 3; c++ {
			for col := 0; col < 32; col++ {
				for row := 0; row < 32; row++ {
					img[(row*32+col)*3+c] = px[base+c*1024+col*32+row]
				}
			}
		}
	}
	return d, nil
}
