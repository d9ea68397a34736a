package data

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CIFAR-10 class names in label order (batches.meta.txt).
var cifar10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

const cifarPixels = 32 * 32 * 3

// ReadCIFAR10 reads the CIFAR-10 binary version from dir (the folder
// cifar-10-batches-bin): split "train" (data_batch_1..5.bin, 50,000 images)
// or "test" (test_batch.bin, 10,000). A record is 1 label byte followed by
// 1,024 red, 1,024 green and 1,024 blue bytes (row-major 32×32); images are
// returned interleaved (H×W×C). IDs are cifar10/<split>/<index>.
func ReadCIFAR10(dir, split string) (*Dataset, error) {
	var files []string
	switch split {
	case "train":
		for i := 1; i <= 5; i++ {
			files = append(files, fmt.Sprintf("data_batch_%d.bin", i))
		}
	case "test":
		files = []string{"test_batch.bin"}
	default:
		return nil, fmt.Errorf("CIFAR-10 has splits train and test, not %q", split)
	}
	classes := cifar10Classes
	if names, err := readLines(filepath.Join(dir, "batches.meta.txt")); err == nil && len(names) == 10 {
		classes = names
	}
	var parts []*Dataset
	offset := 0
	for _, f := range files {
		d, err := readCIFARFile(filepath.Join(dir, f), "cifar10", split, 1, 0, 10, offset)
		if err != nil {
			return nil, err
		}
		d.Classes = classes
		offset += d.Len()
		parts = append(parts, d)
	}
	return concat(parts), nil
}

// ReadCIFAR100 reads the CIFAR-100 binary version from dir
// (cifar-100-binary): train.bin or test.bin, records of a coarse label byte,
// a fine label byte and 3,072 pixel bytes. Labels are the 100 fine classes.
func ReadCIFAR100(dir, split string) (*Dataset, error) {
	if split != "train" && split != "test" {
		return nil, fmt.Errorf("CIFAR-100 has splits train and test, not %q", split)
	}
	d, err := readCIFARFile(filepath.Join(dir, split+".bin"), "cifar100", split, 2, 1, 100, 0)
	if err != nil {
		return nil, err
	}
	if names, err := readLines(filepath.Join(dir, "fine_label_names.txt")); err == nil && len(names) == 100 {
		d.Classes = names
	}
	return d, nil
}

// readCIFARFile parses one CIFAR binary file with labelBytes label bytes per
// record, of which byte labelAt is the label.
func readCIFARFile(path, name, split string, labelBytes, labelAt, classes, offset int) (*Dataset, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (get the dataset with `prune data fetch %s`)", err, name)
	}
	d, err := parseCIFAR(b, name, split, labelBytes, labelAt, classes, offset)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// parseCIFAR decodes CIFAR records from memory.
func parseCIFAR(b []byte, name, split string, labelBytes, labelAt, classes, offset int) (*Dataset, error) {
	rec := labelBytes + cifarPixels
	if len(b) == 0 || len(b)%rec != 0 {
		return nil, fmt.Errorf("size %d bytes is not a whole number of %d-byte records: the file is truncated or not a CIFAR binary file; fetch it again", len(b), rec)
	}
	n := len(b) / rec
	d := &Dataset{Name: name, Split: split, H: 32, W: 32, C: 3,
		Images: make([]uint8, n*cifarPixels), Labels: make([]int32, n), IDs: make([]string, n), Classes: numberedClasses(classes)}
	if classes == 10 {
		d.Classes = cifar10Classes
	}
	for i := 0; i < n; i++ {
		r := b[i*rec : (i+1)*rec]
		l := int(r[labelAt])
		if l >= classes {
			return nil, fmt.Errorf("record %d has label %d, but there are %d classes: the file is corrupt", i, l, classes)
		}
		d.Labels[i] = int32(l)
		px := r[labelBytes:]
		img := d.Images[i*cifarPixels : (i+1)*cifarPixels]
		for p := 0; p < 1024; p++ { // planar RGB -> interleaved
			img[3*p] = px[p]
			img[3*p+1] = px[1024+p]
			img[3*p+2] = px[2048+p]
		}
		d.IDs[i] = exampleID(name, split, offset+i)
	}
	return d, nil
}

// numberedClasses names n classes class000, class001, ... where no names are known.
func numberedClasses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("class%03d", i)
	}
	return out
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			out = append(out, s)
		}
	}
	return out, sc.Err()
}
