//go:build !goexperiment.simd

package ops

// Without GOEXPERIMENT=simd there are no batch-norm kernels: the builders
// refuse, and batch norm stays made of graph operations.
const batchNormKernelsBuilt = false

func bnSums(a, b, mask, shift []float32, ch int, out []float64, kind int) {
	panic("batch-norm kernels need a GOEXPERIMENT=simd build")
}

func bnNormalize(x, mean, a, offset []float32, ch int, y []float32, relu bool) {
	panic("batch-norm kernels need a GOEXPERIMENT=simd build")
}

func bnGradient(x, dy, mask, mean, c0, k2, k1 []float32, ch int, dx []float32) {
	panic("batch-norm kernels need a GOEXPERIMENT=simd build")
}
