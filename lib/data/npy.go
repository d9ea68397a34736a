package data

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// npyArray is an array from a NumPy .npy file: shape, dtype and raw data.
type npyArray struct {
	Shape []int
	Descr string // e.g. "|u1", "<i8"
	raw   []byte
}

var (
	npyDescrRe   = regexp.MustCompile(`'descr'\s*:\s*'([^']+)'`)
	npyFortranRe = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShapeRe   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// parseNPY decodes a .npy file (format versions 1-3).
func parseNPY(b []byte) (*npyArray, error) {
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("not a .npy file (no \\x93NUMPY magic)")
	}
	var hlen, start int
	switch b[6] {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, fmt.Errorf("truncated .npy header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(b[8:])), 12
	default:
		return nil, fmt.Errorf(".npy format version %d", b[6])
	}
	if start+hlen > len(b) || hlen < 0 {
		return nil, fmt.Errorf("truncated .npy header")
	}
	h := string(b[start : start+hlen])
	m := npyDescrRe.FindStringSubmatch(h)
	f := npyFortranRe.FindStringSubmatch(h)
	s := npyShapeRe.FindStringSubmatch(h)
	if m == nil || f == nil || s == nil {
		return nil, fmt.Errorf("unreadable .npy header %q", h)
	}
	if f[1] == "True" {
		return nil, fmt.Errorf("Fortran-ordered .npy arrays are not supported")
	}
	a := &npyArray{Descr: m[1], raw: b[start+hlen:]}
	n := 1
	for _, p := range strings.Split(s[1], ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		d, err := strconv.Atoi(p)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("bad .npy shape %q", s[1])
		}
		a.Shape = append(a.Shape, d)
		n *= d
	}
	es := npyElemSize(a.Descr)
	if es == 0 {
		return nil, fmt.Errorf(".npy dtype %q is not supported (integers and floats are)", a.Descr)
	}
	if len(a.raw) != n*es {
		return nil, fmt.Errorf(".npy data has %d bytes, shape %v of %s needs %d: truncated or corrupt", len(a.raw), a.Shape, a.Descr, n*es)
	}
	return a, nil
}

func npyElemSize(descr string) int {
	switch descr {
	case "|u1", "|i1", "<u1", "<i1", "|b1":
		return 1
	case "<i2", "<u2":
		return 2
	case "<i4", "<u4", "<f4":
		return 4
	case "<i8", "<u8", "<f8":
		return 8
	}
	return 0
}

// Int returns element i as an integer.
func (a *npyArray) Int(i int) int64 {
	r := a.raw
	switch a.Descr {
	case "|u1", "<u1", "|b1":
		return int64(r[i])
	case "|i1", "<i1":
		return int64(int8(r[i]))
	case "<i2":
		return int64(int16(binary.LittleEndian.Uint16(r[2*i:])))
	case "<u2":
		return int64(binary.LittleEndian.Uint16(r[2*i:]))
	case "<i4":
		return int64(int32(binary.LittleEndian.Uint32(r[4*i:])))
	case "<u4":
		return int64(binary.LittleEndian.Uint32(r[4*i:]))
	case "<i8", "<u8":
		return int64(binary.LittleEndian.Uint64(r[8*i:]))
	}
	return -1 << 62
}

// parseNPZ reads the arrays of a .npz archive (numpy.savez or savez_compressed).
func parseNPZ(b []byte) (map[string]*npyArray, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("not a .npz (zip) archive: %w", err)
	}
	out := map[string]*npyArray{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".npy") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, 1<<34))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: corrupt entry: %w", f.Name, err)
		}
		a, err := parseNPY(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		out[strings.TrimSuffix(f.Name, ".npy")] = a
	}
	return out, nil
}

// ReadMatrixNPY reads a 2-D float32 (or float64) .npy file as a row-major
// float32 matrix, e.g. embeddings exported from PyTorch with numpy.save.
func ReadMatrixNPY(path string) (rows, cols int, values []float32, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, nil, err
	}
	a, err := parseNPY(b)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(a.Shape) != 2 {
		return 0, 0, nil, fmt.Errorf("%s: shape %v is not a matrix (N × D)", path, a.Shape)
	}
	rows, cols = a.Shape[0], a.Shape[1]
	values = make([]float32, rows*cols)
	switch a.Descr {
	case "<f4":
		for i := range values {
			values[i] = math.Float32frombits(binary.LittleEndian.Uint32(a.raw[4*i:]))
		}
	case "<f8":
		for i := range values {
			values[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(a.raw[8*i:])))
		}
	default:
		return 0, 0, nil, fmt.Errorf("%s: dtype %s, want float32 (<f4) or float64 (<f8)", path, a.Descr)
	}
	return rows, cols, values, nil
}
