package data

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
)

// Dataset is a split of an image-classification dataset held in memory.
type Dataset struct {
	Name    string   // e.g. "cifar10"
	Split   string   // "train", "test", ...
	H, W, C int      // image shape
	Images  []uint8  // Len()·H·W·C bytes, each image row-major H×W×C
	Labels  []int32  // class index in [0, len(Classes))
	Classes []string // class names in label order
	IDs     []string // stable example IDs, e.g. "cifar10/train/00042"
}

// Len is the number of examples.
func (d *Dataset) Len() int { return len(d.Labels) }

// ImageSize is H·W·C.
func (d *Dataset) ImageSize() int { return d.H * d.W * d.C }

// Image returns the bytes of image i (a view, not a copy).
func (d *Dataset) Image(i int) []uint8 {
	n := d.ImageSize()
	return d.Images[i*n : (i+1)*n]
}

// ClassCounts returns the number of examples of each class.
func (d *Dataset) ClassCounts() []int {
	c := make([]int, len(d.Classes))
	for _, l := range d.Labels {
		c[l]++
	}
	return c
}

// Index maps example IDs to positions.
func (d *Dataset) Index() map[string]int {
	m := make(map[string]int, len(d.IDs))
	for i, id := range d.IDs {
		m[id] = i
	}
	return m
}

// Validate checks the internal consistency of a dataset.
func (d *Dataset) Validate() error {
	n := d.Len()
	switch {
	case d.H <= 0 || d.W <= 0 || d.C <= 0:
		return fmt.Errorf("%s/%s: bad image shape %d×%d×%d", d.Name, d.Split, d.H, d.W, d.C)
	case len(d.Images) != n*d.ImageSize():
		return fmt.Errorf("%s/%s: %d image bytes for %d images of %d bytes", d.Name, d.Split, len(d.Images), n, d.ImageSize())
	case len(d.IDs) != n:
		return fmt.Errorf("%s/%s: %d IDs for %d examples", d.Name, d.Split, len(d.IDs), n)
	}
	for i, l := range d.Labels {
		if l < 0 || int(l) >= len(d.Classes) {
			return fmt.Errorf("%s/%s: example %d has label %d outside [0, %d)", d.Name, d.Split, i, l, len(d.Classes))
		}
	}
	return nil
}

// exampleID is the ID scheme of datasets without file names: name/split/index,
// zero-padded so that IDs sort in file order.
func exampleID(name, split string, i int) string { return fmt.Sprintf("%s/%s/%05d", name, split, i) }

// concat joins parts of one split (e.g. the five CIFAR-10 training batches).
func concat(parts []*Dataset) *Dataset {
	out := *parts[0]
	out.Images = nil
	out.Labels = nil
	out.IDs = nil
	for _, p := range parts {
		out.Images = append(out.Images, p.Images...)
		out.Labels = append(out.Labels, p.Labels...)
		out.IDs = append(out.IDs, p.IDs...)
	}
	return &out
}

// ToImage converts image i of d to an image.Image (for montages).
func (d *Dataset) ToImage(i int) image.Image {
	px := d.Image(i)
	out := image.NewRGBA(image.Rect(0, 0, d.W, d.H))
	for p := 0; p < d.H*d.W; p++ {
		var c color.RGBA
		if d.C == 1 {
			c = color.RGBA{px[p], px[p], px[p], 255}
		} else {
			c = color.RGBA{px[d.C*p], px[d.C*p+1], px[d.C*p+2], 255}
		}
		out.Pix[4*p], out.Pix[4*p+1], out.Pix[4*p+2], out.Pix[4*p+3] = c.R, c.G, c.B, 255
	}
	return out
}

// Checksum is the SHA-256 of the images and labels (hex), recorded with
// scores so that they can be matched to the data they were computed on.
func (d *Dataset) Checksum() string {
	h := sha256.New()
	h.Write(d.Images)
	for _, l := range d.Labels {
		h.Write([]byte{byte(l), byte(l >> 8), byte(l >> 16), byte(l >> 24)})
	}
	return hex.EncodeToString(h.Sum(nil))
}
