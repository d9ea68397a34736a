package models

import (
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend/batchnorm"
	"github.com/gomlx/compute/gobackend/onednn"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/support/exceptions"
)

// ConvImpl is a formulation of 2-D convolution.
type ConvImpl int

const (
	// ConvNative is the backend's own convolution (graph.Convolve): the best
	// choice on XLA and on the Go backend with oneDNN convolutions.
	ConvNative ConvImpl = iota
	// ConvPatches builds the im2col patch matrix with one Gather of rows of
	// the padded input (indices precomputed at graph-building time) and
	// multiplies it by the reshaped kernel: the fast choice on the pure-Go
	// backend, whose convolution is a direct loop.
	ConvPatches
	// ConvPatchesT is ConvPatches with the product computed transposed,
	// out^T = W^T · patches^T, so that the weight gradient needs no
	// transpose of the (large) patch matrix on the pure-Go backend.
	ConvPatchesT
	// ConvStride1 is the backend's own convolution at stride 1 only: a
	// strided convolution is computed at stride 1 and then subsampled by a
	// reshape that keeps the first of each stride×stride block. Its gradients
	// are then stride-1 convolutions and zero padding without interior
	// padding, which ONNX Runtime runs (its Conv has no input dilation and its
	// Pad no interior padding, which the strided forms' gradients need).
	ConvStride1
)

func (c ConvImpl) String() string {
	switch c {
	case ConvPatches:
		return "patches"
	case ConvPatchesT:
		return "patches-t"
	case ConvStride1:
		return "stride1"
	}
	return "native"
}

// ConvFor returns the formulation that runs best on a backend.
func ConvFor(b compute.Backend) ConvImpl {
	name := strings.ToLower(b.Name())
	switch {
	case onednn.Enabled(b):
		// oneDNN runs the native convolution and both its gradients.
		return ConvNative
	case strings.HasPrefix(name, "go"):
		return ConvPatchesT
	case strings.HasPrefix(name, "onnx"):
		return ConvStride1
	}
	return ConvNative
}

// BatchNormOpFor tells whether backend b computes training-mode batch norm
// as one operation with its gradient (Builder.BatchNormOp): the pure-Go
// backend with its batch-norm kernels enabled (lib/backend.BatchNormKernels).
// Other backends get batch norm made of graph operations.
func BatchNormOpFor(b compute.Backend) bool { return batchnorm.Enabled(b) }

// Conv2D convolves x [batch, height, width, in] with kernel
// [kh, kw, in, out] at the given stride with "same" padding of (k-1)/2
// pixels (odd kernels), returning [batch, ceil(h/stride), ceil(w/stride), out].
// Both formulations compute the same function (tested to float32 rounding,
// outputs and gradients).
func Conv2D(x, kernel *Node, stride int, impl ConvImpl) *Node {
	ks := kernel.Shape().Dimensions
	if x.Rank() != 4 || kernel.Rank() != 4 || ks[2] != x.Shape().Dimensions[3] || ks[0]%2 == 0 || ks[1]%2 == 0 {
		exceptions.Panicf("Conv2D: x %s and kernel %s must be [B,H,W,C] and [kh,kw,C,out] with odd kh, kw", x.Shape(), kernel.Shape())
	}
	if impl == ConvNative {
		return Convolve(x, kernel).StridePerAxis(stride, stride).PaddingPerDim([][2]int{{ks[0] / 2, ks[0] / 2}, {ks[1] / 2, ks[1] / 2}}).Done()
	}
	if impl == ConvStride1 {
		if ks[0] == 1 && ks[1] == 1 {
			return conv1x1(Subsample(x, stride), kernel, 1)
		}
		y := Convolve(x, kernel).PaddingPerDim([][2]int{{ks[0] / 2, ks[0] / 2}, {ks[1] / 2, ks[1] / 2}}).Done()
		return Subsample(y, stride)
	}
	if ks[0] == 1 && ks[1] == 1 {
		return conv1x1(x, kernel, stride)
	}
	return convPatches(x, kernel, stride, impl == ConvPatchesT)
}

// conv1x1 is a pointwise convolution: a strided subsampling (if any) and one
// matrix product, no patch matrix needed.
func conv1x1(x, kernel *Node, stride int) *Node {
	if stride > 1 {
		x = Subsample(x, stride)
	}
	d := x.Shape().Dimensions
	ks := kernel.Shape().Dimensions
	out := MatMul(Reshape(x, d[0]*d[1]*d[2], d[3]), Reshape(kernel, ks[2], ks[3]))
	return Reshape(out, d[0], d[1], d[2], ks[3])
}

// Subsample keeps every stride-th row and column of x [B,H,W,C] starting at
// the first: [B, ceil(H/stride), ceil(W/stride), C], like a strided Slice, but
// written as zero padding to a multiple of stride, a reshape into
// stride×stride blocks and a plain Slice of each block's first element, so
// that its gradient needs no interior padding.
func Subsample(x *Node, stride int) *Node {
	if stride == 1 {
		return x
	}
	d := x.Shape().Dimensions
	b, h, w, c := d[0], d[1], d[2], d[3]
	ho, wo := OutputSize(h, stride), OutputSize(w, stride)
	if ho*stride != h || wo*stride != w {
		x = Pad(x, ScalarZero(x.Graph(), x.DType()), compute.PadAxis{}, compute.PadAxis{End: ho*stride - h}, compute.PadAxis{End: wo*stride - w}, compute.PadAxis{})
	}
	blocks := Reshape(x, b, ho, stride, wo, stride, c)
	first := Slice(blocks, AxisRange(), AxisRange(), AxisRange(0, 1), AxisRange(), AxisRange(0, 1), AxisRange())
	return Reshape(first, b, ho, wo, c)
}

func convPatches(x, kernel *Node, stride int, transposed bool) *Node {
	g := x.Graph()
	d := x.Shape().Dimensions
	b, h, w, cin := d[0], d[1], d[2], d[3]
	ks := kernel.Shape().Dimensions
	kh, kw, cout := ks[0], ks[1], ks[3]
	ph, pw := kh/2, kw/2
	hp, wp := h+2*ph, w+2*pw
	ho, wo := (h+2*ph-kh)/stride+1, (w+2*pw-kw)/stride+1
	xp := Pad(x, ScalarZero(g, x.DType()), compute.PadAxis{}, compute.PadAxis{Start: ph, End: ph}, compute.PadAxis{Start: pw, End: pw}, compute.PadAxis{})
	rows := Reshape(xp, b*hp*wp, cin)
	// idx[((n*ho+oy)*wo+ox)*kh*kw + ky*kw+kx] = row of the padded input.
	idx := make([]int32, b*ho*wo*kh*kw)
	k := 0
	for n := 0; n < b; n++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						idx[k] = int32((n*hp+oy*stride+ky)*wp + ox*stride + kx)
						k++
					}
				}
			}
		}
	}
	indices := ConstTensor(g, tensors.FromFlatDataAndDimensions(idx, b*ho*wo, kh*kw, 1))
	patches := Reshape(Gather(rows, indices, false), b*ho*wo, kh*kw*cin)
	var out *Node
	if transposed {
		wt := Transpose(Reshape(kernel, kh*kw*cin, cout), 0, 1)
		out = Transpose(DotGeneral(wt, []int{1}, nil, patches, []int{1}, nil), 0, 1)
	} else {
		out = MatMul(patches, Reshape(kernel, kh*kw*cin, cout))
	}
	return Reshape(out, b, ho, wo, cout)
}

// OutputSize is the spatial size Conv2D produces.
func OutputSize(size, stride int) int { return (size-1)/stride + 1 }
