// Package backend opens the GoMLX compute backend the project runs on: the
// pure-Go backend by default on the CPU, with its convolutions run by oneDNN
// when the library is installed (AccelerateGo), XLA with the CUDA plugin by default
// on an NVIDIA GPU (binaries built with -tags xla), ONNX Runtime on the CPU
// when GOMLX_BACKEND asks for it (scripts/setup.sh installs it; see
// PreferORT), or XLA through any PJRT plugin when GOMLX_BACKEND names it;
// and it checks that a backend computes correctly and how fast.
package backend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // the pure-Go backend, "go"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// DefaultConfig is used when GOMLX_BACKEND is unset and ONNX Runtime is not
// installed (see ORTLibrary) or not preferred. GoMLX itself would pick "xla"
// when compiled in and then try to download a PJRT plugin, which fails on
// machines without network access to it; the pure-Go backend always works.
const DefaultConfig = "go"

// PreferORT makes ONNX Runtime (ORTConfig) the default CPU backend when it
// is compiled in and installed. It is off: measured side by side on the
// project's 2-core machine, ONNX Runtime with one thread trained ResNet-20
// between as fast as and 15% faster than the pure-Go backend (inference
// 2-3x faster), far from the 2x that would close half the gap to PyTorch,
// and SimCLR's gradients on it differ from pure Go's by up to 4e-3, beyond
// the 1e-3 the equality checks ask for (environment.md, "CPU backends").
// Until that is resolved the default stays the backend the whole test suite
// is verified on; GOMLX_BACKEND=onnx:cpu (the library is found as for the
// default) opts in.
var PreferORT = false

// Config returns the backend configuration in force and where it came from:
// GOMLX_BACKEND when set, else XLA with the CUDA plugin on a machine with an
// NVIDIA GPU when the binary has XLA and the plugin is installed (see
// CUDAPlugin), else ONNX Runtime on the CPU when PreferORT is on and it is
// compiled in and installed, else the pure-Go backend. When a GPU is found
// but cannot be used, source says why.
func Config() (config, source string) {
	if c, ok := os.LookupEnv(compute.ConfigEnvVar); ok && c != "" {
		return c, compute.ConfigEnvVar
	}
	gpuConfig, note, ok := gpuDefault()
	if ok {
		return gpuConfig, note
	}
	if note != "" {
		note = " (" + note + ")"
	}
	if lib, ok := ORTLibrary(); ok && PreferORT && ORTCompiledIn() {
		return ORTConfig, "default: ONNX Runtime installed at " + lib + note
	}
	return DefaultConfig, "default" + note
}

// ReserveHeapSlack maps the heap slack that keeps the tail reads of
// compute's SIMD kernels in mapped memory (heapslack_simd.go; nothing where
// they are not built), once per process. Open and the other openers call it;
// a program or test that creates a backend with compute.NewWithConfig
// itself calls it first.
func ReserveHeapSlack() { reserveOnce.Do(reserveHeapSlack) }

var reserveOnce sync.Once

// Open returns the configured backend; a pure-Go backend gets oneDNN
// convolutions when it can (AccelerateGo), and when it cannot, why is printed
// on stderr. Errors (an unknown backend, a PJRT plugin that cannot be
// loaded) say what to set.
func Open() (b compute.Backend, err error) {
	ReserveHeapSlack()
	config, source := Config()
	name, _, _ := strings.Cut(config, ":")
	if name == "onnx" {
		if lib, ok := ORTLibrary(); ok && os.Getenv(ORTLibraryEnv) == "" {
			os.Setenv(ORTLibraryEnv, lib) // read by the backend when it loads the library
		}
	}
	if source != compute.ConfigEnvVar && config != DefaultConfig {
		// A default route (ONNX Runtime, XLA on the GPU): should its library
		// fail to load, say so and run on the pure-Go backend.
		defer func() {
			if err != nil || b == nil {
				fmt.Fprintf(os.Stderr, "backend: %v; using the pure-Go backend instead (on the CPU%s)\n", err, gpuUnused(config))
				b, err = compute.NewWithConfig(DefaultConfig)
				if err == nil {
					accelerate(b)
				}
			}
		}()
	}
	defer func() {
		// GoMLX panics on an unknown backend name; make it an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("backend %q (from %s): %v; available: %s", config, source, r, strings.Join(compute.List(), ", "))
		}
	}()
	b, err = compute.NewWithConfig(config)
	if err == nil {
		accelerate(b)
	}
	if err != nil {
		hint := ""
		if name == "xla" {
			hint = "; XLA needs a PJRT plugin: set GOMLX_BACKEND=xla:/absolute/path/to/pjrt_plugin.so (see environment.md), or use GOMLX_BACKEND=go"
		}
		return nil, fmt.Errorf("backend %q (from %s): %w%s", config, source, err, hint)
	}
	return b, nil
}

// accelerate gives a pure-Go backend oneDNN convolutions (AccelerateGo) and
// says on stderr why not when it cannot.
func accelerate(b compute.Backend) {
	if note := AccelerateGo(b); note != "" && !onednnEnabled(b) {
		fmt.Fprintf(os.Stderr, "backend: %s\n", note)
	}
}

// CheckResult is the outcome of Check.
type CheckResult struct {
	Backend     string
	Description string
	Size        int           // n of the n×n matrix product
	MaxRelErr   float64       // against a float64 reference on sampled entries
	Compile     time.Duration // first call (graph building and compilation)
	PerCall     time.Duration // median of the timed calls
	GFLOPS      float64       // 2n³ / PerCall
}

func (r CheckResult) String() string {
	return fmt.Sprintf("backend %s (%s): %d×%d float32 matmul, max relative error %.2g against float64, first call %v, then %v per call = %.1f GFLOP/s",
		r.Backend, r.Description, r.Size, r.Size, r.MaxRelErr, r.Compile.Round(time.Millisecond), r.PerCall.Round(time.Microsecond), r.GFLOPS)
}

// Check multiplies two random n×n float32 matrices on b, compares sampled
// entries with a float64 computation and times repeated calls.
func Check(b compute.Backend, n, calls int) (CheckResult, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*n)
	y := make([]float32, n*n)
	for i := range x {
		x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	exec, err := NewExec(b, func(a, c *Node) *Node { return MatMul(a, c) })
	if err != nil {
		return CheckResult{}, err
	}
	tx := tensors.FromFlatDataAndDimensions(x, n, n)
	ty := tensors.FromFlatDataAndDimensions(y, n, n)
	res := CheckResult{Backend: Name(b), Description: Describe(b), Size: n}
	t0 := time.Now()
	out, err := exec.Exec(tx, ty)
	if err != nil {
		return res, err
	}
	res.Compile = time.Since(t0)
	got, err := tensors.CopyFlatData[float32](out[0])
	if err != nil {
		return res, err
	}
	for s := 0; s < 64; s++ {
		i, j := rng.IntN(n), rng.IntN(n)
		var want, scale float64
		for k := 0; k < n; k++ {
			p := float64(x[i*n+k]) * float64(y[k*n+j])
			want += p
			scale += math.Abs(p)
		}
		if e := math.Abs(float64(got[i*n+j])-want) / scale; e > res.MaxRelErr {
			res.MaxRelErr = e
		}
	}
	var times []time.Duration
	for c := 0; c < calls; c++ {
		t := time.Now()
		o, err := exec.Exec(tx, ty)
		if err != nil {
			return res, err
		}
		if _, err := tensors.CopyFlatData[float32](o[0]); err != nil { // wait for the result
			return res, err
		}
		times = append(times, time.Since(t))
	}
	slices.Sort(times)
	res.PerCall = times[len(times)/2]
	res.GFLOPS = 2 * math.Pow(float64(n), 3) / res.PerCall.Seconds() / 1e9
	return res, nil
}
