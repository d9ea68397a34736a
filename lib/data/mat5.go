package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// MATLAB level-5 MAT-file data types (the subset numeric arrays use).
const (
	miINT8       = 1
	miUINT8      = 2
	miINT16      = 3
	miUINT16     = 4
	miINT32      = 5
	miUINT32     = 6
	miSINGLE     = 7
	miDOUBLE     = 9
	miINT64      = 12
	miUINT64     = 13
	miMATRIX     = 14
	miCOMPRESSED = 15
)

// matArray is one numeric variable of a MAT-file: its dimensions
// (column-major, as MATLAB stores them) and its real part as raw bytes of
// element type typ.
type matArray struct {
	Name  string
	Dims  []int
	Class int // mx class (6 double, 9 uint8, ...)
	typ   int
	raw   []byte
	order binary.ByteOrder
}

// Len is the number of elements.
func (a *matArray) Len() int {
	n := 1
	for _, d := range a.Dims {
		n *= d
	}
	return n
}

// Bytes returns the data when stored as (u)int8, which is how SVHN stores X.
func (a *matArray) Bytes() ([]byte, bool) {
	return a.raw, a.typ == miUINT8 || a.typ == miINT8
}

// Float64 converts element i whatever the stored type (MATLAB may store a
// double array in a smaller integer type when its values allow).
func (a *matArray) Float64(i int) float64 {
	r, o := a.raw, a.order
	switch a.typ {
	case miINT8:
		return float64(int8(r[i]))
	case miUINT8:
		return float64(r[i])
	case miINT16:
		return float64(int16(o.Uint16(r[2*i:])))
	case miUINT16:
		return float64(o.Uint16(r[2*i:]))
	case miINT32:
		return float64(int32(o.Uint32(r[4*i:])))
	case miUINT32:
		return float64(o.Uint32(r[4*i:]))
	case miSINGLE:
		return float64(math.Float32frombits(o.Uint32(r[4*i:])))
	case miDOUBLE:
		return math.Float64frombits(o.Uint64(r[8*i:]))
	case miINT64:
		return float64(int64(o.Uint64(r[8*i:])))
	case miUINT64:
		return float64(o.Uint64(r[8*i:]))
	}
	return math.NaN()
}

func elemSize(typ int) int {
	switch typ {
	case miINT8, miUINT8:
		return 1
	case miINT16, miUINT16:
		return 2
	case miINT32, miUINT32, miSINGLE:
		return 4
	case miDOUBLE, miINT64, miUINT64:
		return 8
	}
	return 0
}

// parseMAT5 reads the numeric arrays of a MATLAB level-5 MAT-file (the
// format of `save -v7` and scipy.io.savemat), with or without compressed
// elements. Other variable kinds (cells, structs, sparse) are skipped.
func parseMAT5(b []byte) (map[string]*matArray, error) {
	if len(b) < 128 {
		return nil, fmt.Errorf("only %d bytes: not a MAT-file (the 128-byte header is missing)", len(b))
	}
	var order binary.ByteOrder
	switch string(b[126:128]) {
	case "IM":
		order = binary.LittleEndian
	case "MI":
		order = binary.BigEndian
	default:
		if bytes.HasPrefix(b, []byte("\x89HDF")) || bytes.Contains(b[:128], []byte("7.3")) {
			return nil, fmt.Errorf("this is a MATLAB v7.3 (HDF5) file; only level-5 MAT-files (v5/v7) are supported")
		}
		return nil, fmt.Errorf("no MAT-file endian indicator: not a level-5 MAT-file")
	}
	if v := order.Uint16(b[124:126]); v != 0x0100 {
		return nil, fmt.Errorf("MAT-file version %#x, want 0x0100 (level 5)", v)
	}
	out := map[string]*matArray{}
	if err := parseElements(b[128:], order, out, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// readTag decodes a data element tag, in its normal or small form.
func readTag(b []byte, order binary.ByteOrder) (typ, n int, data []byte, size int, err error) {
	if len(b) < 8 {
		return 0, 0, nil, 0, fmt.Errorf("truncated data element tag")
	}
	first := order.Uint32(b)
	if first>>16 != 0 { // small data element: type and size in one word, data in the next
		typ, n = int(first&0xffff), int(first>>16)
		if n > 4 {
			return 0, 0, nil, 0, fmt.Errorf("small data element of %d bytes", n)
		}
		return typ, n, b[4 : 4+n], 8, nil
	}
	typ, n = int(first), int(order.Uint32(b[4:]))
	if n < 0 || n > len(b)-8 {
		return 0, 0, nil, 0, fmt.Errorf("data element of %d bytes but only %d remain: the file is truncated", n, len(b)-8)
	}
	size = 8 + n
	if typ != miCOMPRESSED {
		size = 8 + (n+7)/8*8 // padded to 8 bytes
		if size > len(b) {
			size = len(b)
		}
	}
	return typ, n, b[8 : 8+n], size, nil
}

func parseElements(b []byte, order binary.ByteOrder, out map[string]*matArray, depth int) error {
	if depth > 2 {
		return fmt.Errorf("nested compressed elements")
	}
	for len(b) > 0 {
		typ, _, data, size, err := readTag(b, order)
		if err != nil {
			return err
		}
		switch typ {
		case miCOMPRESSED:
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return fmt.Errorf("compressed element: %w", err)
			}
			inner, err := io.ReadAll(io.LimitReader(zr, 1<<34))
			if err != nil {
				return fmt.Errorf("compressed element is corrupt: %w", err)
			}
			if err := parseElements(inner, order, out, depth+1); err != nil {
				return err
			}
		case miMATRIX:
			a, err := parseMatrix(data, order)
			if err != nil {
				return err
			}
			if a != nil {
				out[a.Name] = a
			}
		}
		b = b[size:]
	}
	return nil
}

// parseMatrix decodes a numeric miMATRIX: array flags, dimensions, name,
// real part. It returns nil for kinds it skips.
func parseMatrix(b []byte, order binary.ByteOrder) (*matArray, error) {
	var sub [4][]byte
	var types [4]int
	for i := 0; i < 4; i++ {
		if len(b) == 0 {
			if i == 3 {
				break
			}
			return nil, fmt.Errorf("matrix element ends after %d of its parts", i)
		}
		typ, _, data, size, err := readTag(b, order)
		if err != nil {
			return nil, err
		}
		sub[i], types[i] = data, typ
		b = b[size:]
	}
	if types[0] != miUINT32 || len(sub[0]) < 8 {
		return nil, fmt.Errorf("matrix without array flags")
	}
	class := int(order.Uint32(sub[0]) & 0xff)
	if class < 6 || class > 15 { // not a numeric array: skip
		return nil, nil
	}
	if types[1] != miINT32 || len(sub[1])%4 != 0 {
		return nil, fmt.Errorf("matrix dimensions of type %d", types[1])
	}
	a := &matArray{Class: class, order: order, Name: string(sub[2]), typ: types[3], raw: sub[3]}
	for i := 0; i < len(sub[1]); i += 4 {
		d := int(int32(order.Uint32(sub[1][i:])))
		if d < 0 {
			return nil, fmt.Errorf("variable %q has negative dimension %d", a.Name, d)
		}
		a.Dims = append(a.Dims, d)
	}
	es := elemSize(a.typ)
	if es == 0 {
		return nil, fmt.Errorf("variable %q: unsupported element type %d", a.Name, a.typ)
	}
	if n := a.Len(); n < 0 || len(a.raw) != n*es {
		return nil, fmt.Errorf("variable %q: %d bytes of data for dimensions %v of %d-byte elements: the file is corrupt", a.Name, len(a.raw), a.Dims, es)
	}
	return a, nil
}
