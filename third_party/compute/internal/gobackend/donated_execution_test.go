package gobackend_test

import (
	"slices"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"

	_ "github.com/gomlx/compute/internal/gobackend/defaultpkgs" // the ops
)

// An execution of sum(x + y) with x donated and y not, both made from the
// caller's data: afterwards x's memory is back in the pool, and y is still
// the caller's, in use, with its numbers unchanged.
func TestOnlyDonatedCopiesAreRecycled(t *testing.T) {
	be, err := gobackend.New("")
	if err != nil {
		t.Fatal(err)
	}
	defer be.Finalize()
	shape := shapes.Make(dtypes.Float32, 64, 32)
	builder := be.Builder("donation")
	fn := builder.Main()
	x, err := fn.Parameter("x", shape, nil)
	if err != nil {
		t.Fatal(err)
	}
	y, err := fn.Parameter("y", shape, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := fn.Add(x, y)
	if err != nil {
		t.Fatal(err)
	}
	total, err := fn.ReduceSum(sum, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := fn.Return([]compute.Value{total}, nil); err != nil {
		t.Fatal(err)
	}
	exec, err := builder.Compile()
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := make([]float32, shape.Size()), make([]float32, shape.Size())
	for i := range xs {
		xs[i], ys[i] = 1, float32(i%7)
	}
	xb, err := be.BufferFromFlatData(0, xs, shape)
	if err != nil {
		t.Fatal(err)
	}
	yb, err := be.BufferFromFlatData(0, ys, shape)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Execute([]compute.Buffer{xb, yb}, []bool{true, false}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want float32
	for i := range xs {
		want += xs[i] + ys[i]
	}
	if got := out[0].(*gobackend.Buffer).Flat.([]float32)[0]; got != want {
		t.Errorf("sum(x + y) = %v, want %v", got, want)
	}
	donated, kept := xb.(*gobackend.Buffer), yb.(*gobackend.Buffer)
	if donated.InUse || donated.RawBytes == nil {
		t.Errorf("donated copy: in use %v, memory kept for the pool %v; want false, true", donated.InUse, donated.RawBytes != nil)
	}
	if !kept.InUse || !slices.Equal(kept.Flat.([]float32), ys) {
		t.Errorf("copy not donated: in use %v, numbers unchanged %v; want true, true", kept.InUse, kept.Flat != nil && slices.Equal(kept.Flat.([]float32), ys))
	}
}
