//go:build !goexperiment.simd

package ops

// fusedKernels is empty without SIMD: the pass then fuses nothing, and every
// chain runs as its unfused nodes.
var fusedKernels = map[string]fusedKernel{}
