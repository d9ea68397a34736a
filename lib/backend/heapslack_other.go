//go:build !(amd64 && linux && goexperiment.simd)

package backend

// reserveHeapSlack does nothing where compute's SIMD kernels are not built
// (heapslack_simd.go): nothing reads past the end of a slice.
func reserveHeapSlack() {}
