package data

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"beyondscaling/lib/atomicfile"
)

// cacheVersion changes whenever preprocessing changes, invalidating caches.
const cacheVersion = "v1"

// cacheKey names a cache file by the inputs that determine its content:
// dataset, split, size and the list of source files with their sizes.
func cacheKey(name, split string, size int, files []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s %s %d\n", cacheVersion, name, split, size)
	for _, f := range files {
		var sz int64
		if st, err := os.Stat(f); err == nil {
			sz = st.Size()
		}
		fmt.Fprintf(h, "%s %d\n", f, sz)
	}
	return fmt.Sprintf("%s-%s-%d-%s.bin", name, split, size, hex.EncodeToString(h.Sum(nil))[:16])
}

const cacheMagic = "PRUNEDS1"

// saveCache writes a dataset atomically in a simple binary layout.
func saveCache(path string, d *Dataset) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString(cacheMagic)
		hdr := []string{d.Name, d.Split, strings.Join(d.Classes, "\x1f")}
		for _, s := range hdr {
			writeString(bw, s)
		}
		binary.Write(bw, binary.LittleEndian, []int64{int64(d.H), int64(d.W), int64(d.C), int64(d.Len())})
		binary.Write(bw, binary.LittleEndian, d.Labels)
		for _, id := range d.IDs {
			writeString(bw, id)
		}
		bw.Write(d.Images)
		return bw.Flush()
	})
}

func writeString(w *bufio.Writer, s string) {
	binary.Write(w, binary.LittleEndian, int32(len(s)))
	w.WriteString(s)
}

func loadCache(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, len(cacheMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != cacheMagic {
		return nil, fmt.Errorf("%s is not a dataset cache", path)
	}
	readString := func() (string, error) {
		var n int32
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil || n < 0 || n > 1<<20 {
			return "", fmt.Errorf("corrupt cache %s", path)
		}
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		return string(b), err
	}
	d := &Dataset{}
	var err1, err2, err3 error
	d.Name, err1 = readString()
	d.Split, err2 = readString()
	cls, err3 := readString()
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, fmt.Errorf("corrupt cache %s", path)
	}
	d.Classes = strings.Split(cls, "\x1f")
	dims := make([]int64, 4)
	if err := binary.Read(r, binary.LittleEndian, dims); err != nil {
		return nil, err
	}
	// Bound every dimension, and the bytes they promise by the file's size,
	// before allocating anything.
	for _, v := range dims {
		if v <= 0 || v > 1<<27 {
			return nil, fmt.Errorf("corrupt cache %s: dimension %d", path, v)
		}
	}
	d.H, d.W, d.C = int(dims[0]), int(dims[1]), int(dims[2])
	n := int(dims[3])
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if d.H > 1<<16 || d.W > 1<<16 || d.C > 16 || int64(n)*int64(d.ImageSize()+4) > st.Size() {
		return nil, fmt.Errorf("corrupt cache %s: %d images of %d×%d×%d do not fit in %d bytes", path, n, d.H, d.W, d.C, st.Size())
	}
	d.Labels = make([]int32, n)
	if err := binary.Read(r, binary.LittleEndian, d.Labels); err != nil {
		return nil, err
	}
	d.IDs = make([]string, n)
	for i := range d.IDs {
		s, err := readString()
		if err != nil {
			return nil, err
		}
		d.IDs[i] = s
	}
	d.Images = make([]uint8, n*d.ImageSize())
	if _, err := io.ReadFull(r, d.Images); err != nil {
		return nil, fmt.Errorf("truncated cache %s", path)
	}
	return d, d.Validate()
}
