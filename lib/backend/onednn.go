package backend

import (
	"fmt"
	"os"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend/onednn"
)

// OneDNNEnv turns the oneDNN convolutions of the pure-Go backend off ("0").
const OneDNNEnv = "PRUNE_ONEDNN"

// oneDNNWanted says whether the Go backend should run its convolutions with
// oneDNN: yes unless PRUNE_ONEDNN=0.
func oneDNNWanted() bool { return os.Getenv(OneDNNEnv) != "0" }

// AccelerateGo makes a pure-Go backend run its convolutions (forward and
// both gradients) with oneDNN when the library is installed (Debian's
// libdnnl2; scripts/setup.sh installs it) and PRUNE_ONEDNN is not 0, and
// compute the element-wise chains of optimizers and batch norm in one loop
// each unless PRUNE_FUSION is 0 (FuseChains), and batch norm in training
// steps with its kernels unless PRUNE_BATCHNORM is 0 (BatchNormKernels).
// It returns a note for the backend line: what runs, or why oneDNN does
// not. Other backends are left alone.
func AccelerateGo(b compute.Backend) (note string) {
	if b == nil || !onednn.IsGoBackend(b) {
		return ""
	}
	FuseChains(b)
	BatchNormKernels(b)
	if !oneDNNWanted() {
		return "convolutions in pure Go (" + OneDNNEnv + "=0)"
	}
	if err := onednn.Enable(b); err != nil {
		return fmt.Sprintf("convolutions in pure Go: %v (scripts/setup.sh installs Debian's libdnnl2)", err)
	}
	return "convolutions and dense layers by oneDNN " + onednn.Version()
}

// Name is the backend's name for records and score-file parameters
// (provenance: no cache key includes it): "Go Backend + oneDNN" for the Go
// backend with oneDNN convolutions (their float32 rounding differs
// from pure Go's), else the backend's own name.
func Name(b compute.Backend) string {
	if onednn.Enabled(b) {
		return b.Name() + " + oneDNN"
	}
	return b.Name()
}

// Describe is the backend's description with how it convolves, whether it
// fuses element-wise chains and whether batch norm runs on its kernels, for
// the backend line commands print.
func Describe(b compute.Backend) string {
	d := b.Description()
	if onednn.Enabled(b) {
		d += ", convolutions and dense layers by oneDNN " + onednn.Version()
	}
	if FusionEnabled(b) {
		d += ", element-wise chains fused"
	}
	if BatchNormKernelsEnabled(b) {
		d += ", batch norm by kernels"
	}
	return d
}

// OneDNNAvailable reports whether oneDNN can be loaded, and why not.
func OneDNNAvailable() (version string, err error) { return onednn.Load() }

func onednnEnabled(b compute.Backend) bool { return onednn.Enabled(b) }

// OneDNNStatusFile is where scripts/setup.sh records whether it installed
// oneDNN, relative to the project root.
const OneDNNStatusFile = ".cache/onednn.status"

// OneDNNSetupReport is what scripts/setup.sh recorded about oneDNN:
// installed is true when it says the library is installed.
func OneDNNSetupReport() (installed bool, report string) { return setupReport(OneDNNStatusFile) }

// OpenOneDNN opens a pure-Go backend with oneDNN convolutions and dense
// layers and, unless PRUNE_FUSION=0, fused element-wise chains (the default
// CPU route), for tests and benchmarks. When oneDNN cannot be loaded, b is
// nil and why says why.
func OpenOneDNN() (b compute.Backend, why string, err error) {
	b, why, err = OpenOneDNNUnfused()
	if b != nil {
		FuseChains(b)
	}
	return b, why, err
}

// OpenOneDNNUnfused is OpenOneDNN without fused element-wise chains, for the
// tests that compare the two.
func OpenOneDNNUnfused() (b compute.Backend, why string, err error) {
	ReserveHeapSlack()
	if _, lerr := onednn.Load(); lerr != nil {
		return nil, lerr.Error(), nil
	}
	b, err = compute.NewWithConfig("go")
	if err != nil {
		return nil, "", err
	}
	if err := onednn.Enable(b); err != nil {
		b.Finalize()
		return nil, "", err
	}
	return b, "", nil
}

// OneDNNCounts returns how many convolutions oneDNN ran and how many fell
// back to pure Go on an enabled backend, since the process started.
func OneDNNCounts() (ran, fellBack int64) { return onednn.Counts() }

// OneDNNMatMuls is how many matrix products (dense layers and their
// gradients) oneDNN's sgemm has run since the process started.
func OneDNNMatMuls() int64 { return onednn.MatMulCount() }

// OneDNNSGEMM sets c (m×n) to op(a)·op(b) with oneDNN's sgemm on OpenMP's
// default team: a is m×k (k×m when transA), b is k×n (n×k when transB),
// row-major. For the roofline of `prune bench train` and tests.
func OneDNNSGEMM(transA, transB bool, m, n, k int, a, b, c []float32) error {
	return onednn.SGEMM(transA, transB, m, n, k, a, b, c)
}

// OneDNNMatMul is OneDNNSGEMM as the dense layers run it: on the calling
// goroutine's thread with one OpenMP thread, whatever the size. For tests.
func OneDNNMatMul(transA, transB bool, m, n, k int, a, b, c []float32) error {
	return onednn.MatMul(transA, transB, m, n, k, a, b, c)
}

// OneDNNProductHalves computes op(a)·op(b) in the two halves a dense
// layer's large product is cut into, both on the calling thread or (with
// onHelper) the first on the helper thread, and says whether it was cut: a
// product too small to be cut is left undone. For tests.
func OneDNNProductHalves(onHelper, transA, transB bool, m, n, k int, a, b, c []float32) (bool, error) {
	return onednn.ProductHalves(onHelper, transA, transB, m, n, k, a, b, c)
}

// SetProductHalves turns the cutting of dense layers' large products into
// two halves, one per core, on or off for the whole process (on unless
// PRUNE_PRODUCT_HALVES=0; halves agree with whole products within float32
// rounding). For tests that compare the two.
func SetProductHalves(on bool) { onednn.SetProductHalves(on) }

// SetProductHalvesOnHelper makes the helper thread compute the first half
// of every product cut into halves (the caller waits for it to claim the
// half), whatever else runs, so that tests train with the helper's halves
// deterministically. Off by default.
func SetProductHalvesOnHelper(on bool) { onednn.SetHelperFirst(on) }

// ProductHalvesHelperRunning reports whether the helper thread has been
// started (the first product offered to it starts it).
func ProductHalvesHelperRunning() bool { return onednn.HelperRunning() }

// ProductHalvesOn reports whether large products are cut into halves.
func ProductHalvesOn() bool { return onednn.ProductHalvesOn() }

// ProductHalvesHelped is how many halves of large products the helper
// thread computed since the process started (the others ran on their
// callers' threads).
func ProductHalvesHelped() int64 { return onednn.HalvesHelped() }

// OneDNNCallerThreads reports whether dense layers' products run on their
// callers' threads (else on the oneDNN worker).
func OneDNNCallerThreads() bool { return onednn.CallerThreads() }

// OneDNNImplementations counts the oneDNN convolution plans made so far by
// the implementation oneDNN chose for them.
func OneDNNImplementations() map[string]int { return onednn.Implementations() }
