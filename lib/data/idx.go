package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Fashion-MNIST class names in label order.
var fashionClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// ReadIDX reads an MNIST-style dataset from dir: split "train"
// (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]) or "test"
// (t10k-...). name is "mnist" or "fashion-mnist" (it sets the class names).
// Images are 28×28×1.
func ReadIDX(dir, name, split string) (*Dataset, error) {
	prefix := map[string]string{"train": "train", "test": "t10k"}[split]
	if prefix == "" {
		return nil, fmt.Errorf("%s has splits train and test, not %q", name, split)
	}
	imgs, dims, err := readIDXFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"), 3)
	if err != nil {
		return nil, err
	}
	labels, ldims, err := readIDXFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte"), 1)
	if err != nil {
		return nil, err
	}
	if dims[0] != ldims[0] {
		return nil, fmt.Errorf("%s: %d images but %d labels", dir, dims[0], ldims[0])
	}
	classes := fashionClasses
	if name == "mnist" {
		classes = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	}
	n := dims[0]
	d := &Dataset{Name: name, Split: split, H: dims[1], W: dims[2], C: 1, Images: imgs, Labels: make([]int32, n), IDs: make([]string, n), Classes: classes}
	for i, l := range labels {
		if int(l) >= len(classes) {
			return nil, fmt.Errorf("%s: label %d of example %d is outside [0, %d)", dir, l, i, len(classes))
		}
		d.Labels[i] = int32(l)
		d.IDs[i] = exampleID(name, split, i)
	}
	return d, nil
}

// readIDXFile reads path or path.gz and checks its number of dimensions.
func readIDXFile(path string, ndim int) ([]uint8, []int, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		path += ".gz"
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, nil, err
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, nil, fmt.Errorf("%s: corrupt gzip stream: %w; fetch the file again", path, err)
		}
	}
	data, dims, err := parseIDX(b, ndim)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, dims, nil
}

// parseIDX decodes an unsigned-byte IDX file: magic 0x0000 0x08 ndim, then
// ndim big-endian uint32 sizes, then the data.
func parseIDX(b []byte, ndim int) ([]uint8, []int, error) {
	if len(b) < 4+4*ndim {
		return nil, nil, fmt.Errorf("only %d bytes: truncated IDX header", len(b))
	}
	if b[0] != 0 || b[1] != 0 || b[2] != 0x08 {
		return nil, nil, fmt.Errorf("magic %x is not an unsigned-byte IDX file", b[:4])
	}
	if int(b[3]) != ndim {
		return nil, nil, fmt.Errorf("IDX file has %d dimensions, want %d", b[3], ndim)
	}
	dims := make([]int, ndim)
	size := 1
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(b[4+4*i:]))
		if dims[i] <= 0 || dims[i] > 1<<28 {
			return nil, nil, fmt.Errorf("implausible IDX dimension %d", dims[i])
		}
		size *= dims[i]
		if size > 1<<32 {
			return nil, nil, fmt.Errorf("IDX data of %v is too large", dims)
		}
	}
	body := b[4+4*ndim:]
	if len(body) != size {
		return nil, nil, fmt.Errorf("IDX data has %d bytes, the header promises %d: truncated or corrupt", len(body), size)
	}
	return body, dims, nil
}
