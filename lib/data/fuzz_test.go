package data

import (
	"os"
	"path/filepath"
	"testing"
)

// The fuzz targets feed arbitrary bytes to every binary parser: none may
// panic or return an inconsistent dataset. The seed corpus (testdata/fuzz)
// holds valid files and near-misses; `go test` runs the seeds, and
// `go test -fuzz FuzzParseMAT5 ./lib/data` explores further.

func addFile(f *testing.F, path string) {
	if b, err := os.ReadFile(path); err == nil {
		f.Add(b)
	}
}

func FuzzParseCIFAR(f *testing.F) {
	rec := make([]byte, 3073)
	rec[0] = 3
	f.Add(rec)
	f.Add(rec[:100])
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseCIFAR(b, "cifar10", "train", 1, 0, 10, 0)
		if err == nil {
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzParseIDX(f *testing.F) {
	f.Add([]byte{0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4})
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 2, 7, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, nd := range []int{1, 3} {
			data, dims, err := parseIDX(b, nd)
			if err == nil {
				size := 1
				for _, d := range dims {
					size *= d
				}
				if size != len(data) {
					t.Fatalf("dims %v but %d bytes", dims, len(data))
				}
			}
		}
	})
}

func FuzzParseMAT5(f *testing.F) {
	addFile(f, filepath.Join("testdata", "svhn", "compressed", "train_32x32.mat"))
	addFile(f, filepath.Join("testdata", "svhn", "uncompressed", "train_32x32.mat"))
	f.Fuzz(func(t *testing.T, b []byte) {
		vars, err := parseMAT5(b)
		if err != nil {
			return
		}
		for _, v := range vars {
			if es := elemSize(v.typ); v.Len()*es != len(v.raw) {
				t.Fatalf("%s: dims %v with %d bytes", v.Name, v.Dims, len(v.raw))
			}
		}
		if d, err := parseSVHN(b, "train"); err == nil {
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzParseNPZ(f *testing.F) {
	addFile(f, filepath.Join("testdata", "imagenet32", "val_data.npz"))
	addFile(f, filepath.Join("testdata", "imagenet32", "train_data_batch_2.npz"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, err := parseDownsampled(b, "imagenet32", "val", 32, 0); err == nil {
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
		}
		if a, err := parseNPY(b); err == nil && a.Int(0) == -1<<62 && len(a.raw) > 0 && npyElemSize(a.Descr) == 0 {
			t.Fatal("accepted an unsupported dtype")
		}
	})
}

// FuzzLoadCache feeds arbitrary bytes to the dataset-cache reader: it must
// reject them cleanly or return a valid dataset.
func FuzzLoadCache(f *testing.F) {
	d := synthetic(3, 2, 2, 1, 2)
	p := filepath.Join(f.TempDir(), "seed.bin")
	if err := saveCache(p, d); err == nil {
		addFile(f, p)
	}
	f.Add([]byte(cacheMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "c.bin")
		os.WriteFile(p, b, 0o644)
		if got, err := loadCache(p); err == nil {
			if err := got.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
