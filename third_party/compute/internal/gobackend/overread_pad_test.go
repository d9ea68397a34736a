package gobackend

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
)

// Every buffer, pooled or new, made from the caller's data or not, has at
// least overReadPad bytes of its own allocation past the end of its data:
// the widest partial vector load (16 float32) at the last element stays
// inside it. The sizes include ones that fill their size bucket exactly,
// where there is no other slack.
func TestBuffersLeaveRoomForTailReads(t *testing.T) {
	be, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	b := be.(*Backend)
	defer b.Finalize()
	for _, n := range []int{1, 3, 15, 16, 1024, 1000, 4096, 12288, 1 << 20} {
		for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64, dtypes.Int8} {
			shape := shapes.Make(dtype, n)
			for round := range 2 { // new, then from the pool
				buf, err := b.GetBuffer(shape)
				if err != nil {
					t.Fatal(err)
				}
				data := dtype.SizeForDimensions(n)
				if room := cap(buf.RawBytes) - data; room < overReadPad {
					t.Errorf("%s, round %d: %d bytes past the data, want at least %d", shape, round, room, overReadPad)
				}
				b.PutBuffer(buf)
			}
		}
	}
	flat := make([]float32, 4096)
	user, err := b.BufferFromFlatData(0, flat, shapes.Make(dtypes.Float32, len(flat)))
	if err != nil {
		t.Fatal(err)
	}
	if room := cap(user.(*Buffer).RawBytes) - 4*len(flat); room < overReadPad {
		t.Errorf("buffer made from the caller's data: %d bytes past the data, want at least %d", room, overReadPad)
	}
}
