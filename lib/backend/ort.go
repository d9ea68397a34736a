package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/compute"
)

// ONNX Runtime as the fast CPU route. scripts/setup.sh installs the CPU
// library of ONNX Runtime ORTVersion (from the npm package onnxruntime-node,
// version and hash pinned there) at ORTInstallDir/libonnxruntime.so.1 under
// the project root; Config then picks GoMLX's ONNX Runtime backend by itself.
const (
	ORTVersion    = "1.30.0"
	ORTInstallDir = ".cache/onnxruntime-" + ORTVersion
	ORTLibraryEnv = "ONNXRUNTIME_SHARED_LIBRARY_PATH"
	// ORTStatusFile is where scripts/setup.sh records whether it installed
	// ONNX Runtime ("installed ..." or "not installed: <why>").
	ORTStatusFile = ".cache/onnxruntime.status"
	// ORTConfig is the GOMLX_BACKEND configuration of the ONNX Runtime
	// backend on the CPU (without "cpu" it would pick CUDA when nvidia-smi
	// finds a GPU), with one intra-op thread: on the shared 2-core machine
	// two threads trained ResNet-20 at half the speed of one (its thread
	// pool spins while waiting; environment.md, "CPU backends").
	ORTConfig = "onnx:cpu,intra_op_num_threads=1"
)

// ORTCompiledIn reports whether the ONNX Runtime backend is linked in (it
// needs cgo).
func ORTCompiledIn() bool { return slices.Contains(compute.List(), "onnx") }

// ORTLibrary returns the ONNX Runtime library to load: the file named by
// ONNXRUNTIME_SHARED_LIBRARY_PATH when set, else the one scripts/setup.sh
// installed, looked for under PRUNE_ROOT, GONB_DIR, the working directory,
// the executable's directory and their parents (so that tests, `go run`,
// notebooks and .cache/bin/prune all find the project's .cache). ok is false
// when there is none.
func ORTLibrary() (path string, ok bool) {
	if p := os.Getenv(ORTLibraryEnv); p != "" {
		_, err := os.Stat(p)
		return p, err == nil
	}
	return findUpward(filepath.Join(ORTInstallDir, "libonnxruntime.so.1"))
}

// findUpward looks for rel in the project root named by PRUNE_ROOT or
// GONB_DIR (notebook kernels), the working directory, the executable's
// directory and their parents.
func findUpward(rel string) (path string, ok bool) {
	var starts []string
	for _, v := range []string{"PRUNE_ROOT", "GONB_DIR"} {
		if d := os.Getenv(v); d != "" {
			starts = append(starts, d)
		}
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			p := filepath.Join(dir, rel)
			if _, err := os.Stat(p); err == nil {
				return p, true
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", false
}

// ORTSetupReport is what scripts/setup.sh recorded about ONNX Runtime:
// installed is true when it says it installed the library.
func ORTSetupReport() (installed bool, report string) { return setupReport(ORTStatusFile) }

// setupReport reads a status file scripts/setup.sh writes (relative to the
// project root): installed is true when its line starts with "installed".
func setupReport(statusFile string) (installed bool, report string) {
	p, ok := findUpward(statusFile)
	if !ok {
		return false, "no " + statusFile + " (scripts/setup.sh not run)"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return false, err.Error()
	}
	report = strings.TrimSpace(string(b))
	return strings.HasPrefix(report, "installed"), report
}

// OpenORT opens ONNX Runtime on the CPU for tests that compare it with the
// pure-Go backend. When it is not available, b is nil and why says why
// (built without cgo, or the library not installed); err reports a library
// that is present but fails to load.
func OpenORT() (b compute.Backend, why string, err error) {
	ReserveHeapSlack()
	if !ORTCompiledIn() {
		return nil, "the ONNX Runtime backend is not compiled in (it needs cgo: CGO_ENABLED=1 and a C compiler)", nil
	}
	lib, ok := ORTLibrary()
	if !ok && lib != "" {
		return nil, fmt.Sprintf("ONNX Runtime is not installed: %s=%s does not exist", ORTLibraryEnv, lib), nil
	}
	if !ok {
		_, report := ORTSetupReport()
		return nil, fmt.Sprintf("ONNX Runtime %s is not installed (%s not found, %s unset; scripts/setup.sh says: %s)", ORTVersion, filepath.Join(ORTInstallDir, "libonnxruntime.so.1"), ORTLibraryEnv, report), nil
	}
	if os.Getenv(ORTLibraryEnv) == "" {
		os.Setenv(ORTLibraryEnv, lib)
	}
	b, err = compute.NewWithConfig(ORTConfig)
	if err != nil {
		return nil, "", fmt.Errorf("ONNX Runtime at %s: %w", lib, err)
	}
	return b, "", nil
}
