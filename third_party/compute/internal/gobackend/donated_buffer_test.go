package gobackend

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
)

// A buffer made from the user's data holds a copy, so once an execution is
// done with it (PutBuffer, as for a donated input after its last use) it
// returns to the pool with its memory; a shared buffer, whose memory the
// user holds, is finalized instead.
func TestDonatedCopiesReturnToThePool(t *testing.T) {
	be, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	b := be.(*Backend)
	defer b.Finalize()
	shape := shapes.Make(dtypes.Float32, 128, 784)
	flat := make([]float32, shape.Size())
	for i := range flat {
		flat[i] = float32(i)
	}

	tests := []struct {
		name   string
		make   func() *Buffer
		pooled bool
	}{
		{"BufferFromFlatData", func() *Buffer {
			buf, err := b.BufferFromFlatData(0, flat, shape)
			if err != nil {
				t.Fatal(err)
			}
			return buf.(*Buffer)
		}, true},
		{"NewSharedBuffer", func() *Buffer {
			buf, _, err := b.NewSharedBuffer(0, shape)
			if err != nil {
				t.Fatal(err)
			}
			return buf.(*Buffer)
		}, false},
	}
	for _, test := range tests {
		buf := test.make()
		if test.name == "BufferFromFlatData" && buf.Flat.([]float32)[1000] != 1000 {
			t.Fatalf("%s: the copy holds %v at 1000", test.name, buf.Flat.([]float32)[1000])
		}
		b.PutBuffer(buf)
		if buf.InUse {
			t.Errorf("%s: still in use after PutBuffer", test.name)
		}
		if pooled := buf.RawBytes != nil; pooled != test.pooled {
			t.Errorf("%s: kept its memory for the pool = %v, want %v", test.name, pooled, test.pooled)
		}
	}
}
