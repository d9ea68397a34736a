package models

import (
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/support/exceptions"
)

// MaxPool2D is max pooling of x [B,H,W,C] over window×window patches (odd
// window) at the given stride, with (window-1)/2 pixels of padding that never
// wins: [B, ceil(H/stride), ceil(W/stride), C], ResNet's stem pooling.
//
// With ConvStride1 it is written as the elementwise maximum of window² shifted
// stride-1 slices followed by Subsample: ONNX Runtime's lowering of the
// native pooling's gradient (SelectAndScatter) overwrites instead of adding
// where windows overlap (found by TestORTMatchesGoBackend on ResNet50: an
// input that is the maximum of two windows received one window's gradient).
// Other formulations use the backend's own MaxPool.
func MaxPool2D(x *Node, window, stride int, impl ConvImpl) *Node {
	if x.Rank() != 4 || window%2 == 0 {
		exceptions.Panicf("MaxPool2D: x %s must be [B,H,W,C] and the window odd (got %d)", x.Shape(), window)
	}
	p := window / 2
	if impl != ConvStride1 {
		return MaxPool(x).Window(window).Strides(stride).PaddingPerDim([][2]int{{p, p}, {p, p}}).Done()
	}
	d := x.Shape().Dimensions
	h, w := d[1], d[2]
	xp := Pad(x, Infinity(x.Graph(), x.DType(), -1), compute.PadAxis{}, compute.PadAxis{Start: p, End: p}, compute.PadAxis{Start: p, End: p}, compute.PadAxis{})
	var m *Node
	for dy := 0; dy < window; dy++ {
		for dx := 0; dx < window; dx++ {
			s := Slice(xp, AxisRange(), AxisRange(dy, dy+h), AxisRange(dx, dx+w), AxisRange())
			if m == nil {
				m = s
			} else {
				m = Max(m, s)
			}
		}
	}
	return Subsample(m, stride)
}
