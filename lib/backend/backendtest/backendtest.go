// Package backendtest opens the backends that tests compare, with the
// project's rule for a backend that is missing: skip and say why, except
// under CI when the set-up reports that it installed it.
package backendtest

import (
	"os"
	"testing"

	"github.com/gomlx/compute"

	"beyondscaling/lib/backend"
)

// ORT opens ONNX Runtime, or skips saying why; under CI, when
// scripts/setup.sh reports that it installed ONNX Runtime, a skip is a
// failure. The caller finalizes the backend.
func ORT(t testing.TB) compute.Backend {
	t.Helper()
	return open(t, backend.OpenORT, backend.ORTSetupReport)
}

// OneDNN opens a pure-Go backend whose convolutions run on oneDNN, or skips
// saying why; under CI, when scripts/setup.sh reports that it installed
// oneDNN, a skip is a failure. The caller finalizes the backend.
func OneDNN(t testing.TB) compute.Backend {
	t.Helper()
	return open(t, backend.OpenOneDNN, backend.OneDNNSetupReport)
}

// OneDNNHalves is OneDNN for the tests of large products cut into halves:
// it also skips, saying why, where products are not cut
// (PRUNE_PRODUCT_HALVES=0, or OpenMP's thread count cannot be set, so that
// products run whole on the oneDNN worker). The caller finalizes the
// backend.
func OneDNNHalves(t testing.TB) compute.Backend {
	t.Helper()
	b := OneDNN(t)
	why := ""
	switch {
	case !backend.ProductHalvesOn():
		why = "products are not cut into halves (PRUNE_PRODUCT_HALVES=0)"
	case !backend.OneDNNCallerThreads():
		why = "OpenMP's thread count cannot be set: products run whole on the oneDNN worker"
	}
	if why != "" {
		b.Finalize()
		t.Skip(why)
	}
	return b
}

// OneDNNBatchNorm is OneDNN with the batch-norm kernels (the route
// backend.Open takes on the CPU); it skips, saying why, where they cannot
// be enabled (PRUNE_BATCHNORM=0, or a build without GOEXPERIMENT=simd).
// The caller finalizes the backend.
func OneDNNBatchNorm(t testing.TB) compute.Backend {
	t.Helper()
	b := OneDNN(t)
	if !backend.BatchNormKernels(b) {
		b.Finalize()
		t.Skip("no batch-norm kernels: PRUNE_BATCHNORM=0, or a build without GOEXPERIMENT=simd")
	}
	return b
}

// OneDNNUnfused is OneDNN without fused element-wise chains, for the tests
// that compare the two.
func OneDNNUnfused(t testing.TB) compute.Backend {
	t.Helper()
	return open(t, backend.OpenOneDNNUnfused, backend.OneDNNSetupReport)
}

// open applies the rule: openFn's nil backend skips with its reason, unless
// CI is set and the set-up's report says the library was installed.
func open(t testing.TB, openFn func() (compute.Backend, string, error), report func() (bool, string)) compute.Backend {
	t.Helper()
	b, why, err := openFn()
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		if installed, r := report(); installed && os.Getenv("CI") != "" {
			t.Fatalf("CI: scripts/setup.sh reports %q, but: %s", r, why)
		}
		t.Skip(why)
	}
	return b
}

// Main runs a test binary's tests after mapping the heap slack
// (backend.ReserveHeapSlack): the TestMain of packages whose tests create
// backends with compute.NewWithConfig rather than through backend.Open.
func Main(m *testing.M) {
	backend.ReserveHeapSlack()
	os.Exit(m.Run())
}
