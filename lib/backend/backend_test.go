package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPureGoBackendComputes(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "go")
	b, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Check(b, 64, 3)
	if err != nil {
		t.Fatal(err)
	}
	// float32 accumulation over 64 terms: relative error well below 1e-5
	if r.MaxRelErr > 1e-5 || !strings.HasPrefix(strings.ToLower(r.Backend), "go") {
		t.Errorf("%v", r)
	}
}

func TestUnknownBackendIsAClearError(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "tpu-of-dreams")
	_, err := Open()
	if err == nil || !strings.Contains(err.Error(), "available") {
		t.Errorf("error %v", err)
	}
}

func TestDefaultIsPureGoWithoutORT(t *testing.T) {
	preferORT(t)
	t.Setenv("GOMLX_BACKEND", "")
	t.Setenv(ORTLibraryEnv, filepath.Join(t.TempDir(), "absent.so"))
	if c, src := Config(); c != "go" || src != "default" {
		t.Errorf("Config() = %q, %q", c, src)
	}
}

// preferORT turns PreferORT on for one test.
func preferORT(t *testing.T) {
	old := PreferORT
	PreferORT = true
	t.Cleanup(func() { PreferORT = old })
}

// With PreferORT off, an installed ONNX Runtime is not picked by default.
func TestDefaultIsPureGoWhenORTNotPreferred(t *testing.T) {
	old := PreferORT
	PreferORT = false
	t.Cleanup(func() { PreferORT = old })
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(lib, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMLX_BACKEND", "")
	t.Setenv(ORTLibraryEnv, lib)
	if c, src := Config(); c != "go" || src != "default" {
		t.Errorf("Config() = %q, %q", c, src)
	}
}

func TestDefaultIsORTWhenInstalled(t *testing.T) {
	if !ORTCompiledIn() {
		t.Skip("built without cgo: the ONNX Runtime backend is not compiled in")
	}
	preferORT(t)
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(lib, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMLX_BACKEND", "")
	t.Setenv(ORTLibraryEnv, lib)
	if c, src := Config(); c != ORTConfig || !strings.Contains(src, lib) {
		t.Errorf("Config() = %q, %q; want %q from %s", c, src, ORTConfig, lib)
	}
	t.Setenv("GOMLX_BACKEND", "go") // the variable still overrides
	if c, src := Config(); c != "go" || src != "GOMLX_BACKEND" {
		t.Errorf("with GOMLX_BACKEND=go: Config() = %q, %q", c, src)
	}
}

// A library that fails to load (here an empty file) does not stop the
// default route: Open says so and returns the pure-Go backend.
func TestDefaultFallsBackToGoWhenORTFailsToLoad(t *testing.T) {
	if !ORTCompiledIn() {
		t.Skip("built without cgo: the ONNX Runtime backend is not compiled in")
	}
	preferORT(t)
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(lib, []byte("not a library"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMLX_BACKEND", "")
	t.Setenv(ORTLibraryEnv, lib)
	openFallsBackToGo(t)
}

// openFallsBackToGo fails unless Open, on a default route whose library
// cannot load, returns the pure-Go backend.
func openFallsBackToGo(t *testing.T) {
	t.Helper()
	b, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	if !strings.HasPrefix(strings.ToLower(b.Name()), "go") {
		t.Errorf("backend %q, want the pure-Go fallback", b.Name())
	}
}

// onMachine sets what the GPU default sees for one test: whether an NVIDIA
// GPU answers and python3's site-packages folders.
func onMachine(t *testing.T, gpu bool, sites ...string) {
	oldGPU, oldSites := nvidiaGPU, pythonSitePackages
	nvidiaGPU = func() bool { return gpu }
	pythonSitePackages = func() []string { return sites }
	t.Cleanup(func() { nvidiaGPU, pythonSitePackages = oldGPU, oldSites })
	t.Setenv("GOMLX_BACKEND", "")
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", "")
}

// touch creates an empty file and its folders.
func touch(t *testing.T, path string) string {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The CUDA plugin is found in PJRT_PLUGIN_LIBRARY_PATH first, else as jax's
// plugin in site-packages (the newest CUDA major version).
func TestCUDAPluginSearch(t *testing.T) {
	site := t.TempDir()
	jax12 := touch(t, filepath.Join(site, "jax_plugins", "xla_cuda12", "xla_cuda_plugin.so"))
	jax13 := touch(t, filepath.Join(site, "jax_plugins", "xla_cuda13", "xla_cuda_plugin.so"))
	onMachine(t, true, filepath.Join(t.TempDir(), "empty-site"), site)
	if p, ok := CUDAPlugin(); !ok || p != jax13 {
		t.Errorf("CUDAPlugin() = %q, %v; want %q (not %q)", p, ok, jax13, jax12)
	}
	dir := t.TempDir()
	own := touch(t, filepath.Join(dir, "pjrt_c_api_cuda_plugin.so"))
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir()+string(filepath.ListSeparator)+dir)
	if p, ok := CUDAPlugin(); !ok || p != own {
		t.Errorf("with PJRT_PLUGIN_LIBRARY_PATH: CUDAPlugin() = %q, %v; want %q", p, ok, own)
	}
	onMachine(t, true)
	if p, ok := CUDAPlugin(); ok {
		t.Errorf("no plugin anywhere: CUDAPlugin() = %q", p)
	}
}

// On a GPU machine the default is XLA with the CUDA plugin when the binary
// has XLA; otherwise the pure-Go backend, and the source says why the GPU
// is not used. Without a GPU nothing changes. GOMLX_BACKEND still wins.
func TestGPUDefault(t *testing.T) {
	site := t.TempDir()
	plugin := touch(t, filepath.Join(site, "jax_plugins", "xla_cuda13", "xla_cuda_plugin.so"))

	onMachine(t, false, site)
	if c, src := Config(); c != "go" || src != "default" {
		t.Errorf("no GPU: Config() = %q, %q", c, src)
	}

	onMachine(t, true, site)
	c, src := Config()
	if XLACompiledIn() {
		if c != "xla:"+plugin || !strings.Contains(src, "NVIDIA GPU") {
			t.Errorf("GPU, XLA, plugin: Config() = %q, %q; want xla:%s", c, src, plugin)
		}
	} else if c != "go" || !strings.Contains(src, "build with -tags xla") {
		t.Errorf("GPU without XLA compiled in: Config() = %q, %q", c, src)
	}

	onMachine(t, true)
	if c, src := Config(); c != "go" || !strings.Contains(src, "no XLA") && !strings.Contains(src, "no PJRT CUDA plugin") {
		t.Errorf("GPU, no plugin: Config() = %q, %q", c, src)
	}

	onMachine(t, true, site)
	t.Setenv("GOMLX_BACKEND", "go")
	if c, src := Config(); c != "go" || src != "GOMLX_BACKEND" {
		t.Errorf("GOMLX_BACKEND=go on a GPU machine: Config() = %q, %q", c, src)
	}
}

// On the GPU route a plugin that fails to load (here an empty file) does not
// stop the run: Open says so and returns the pure-Go backend.
func TestGPUDefaultFallsBackToGo(t *testing.T) {
	if !XLACompiledIn() {
		t.Skip("built without -tags xla: the XLA backend is not compiled in")
	}
	site := t.TempDir()
	touch(t, filepath.Join(site, "jax_plugins", "xla_cuda13", "xla_cuda_plugin.so"))
	onMachine(t, true, site)
	openFallsBackToGo(t)
}

// TestMain makes the package's tests see a machine without a GPU and
// without python3, whatever machine runs them, so that the defaults they
// check are the CPU's; onMachine sets another machine for one test.
func TestMain(m *testing.M) {
	nvidiaGPU = func() bool { return false }
	pythonSitePackages = func() []string { return nil }
	os.Exit(m.Run())
}

func TestOnCUDA(t *testing.T) {
	for config, want := range map[string]bool{
		"xla:/site/jax_plugins/xla_cuda13/xla_cuda_plugin.so":            true,
		"xla:/site/jax_plugins/xla_cuda13/xla_cuda_plugin.so,tf32=false": true,
		"xla:cuda":  true,
		"xla:cpu":   false,
		"go":        false,
		"onnx:cuda": false, // ONNX Runtime, not XLA
	} {
		if got := OnCUDA(config); got != want {
			t.Errorf("OnCUDA(%q) = %v, want %v", config, got, want)
		}
	}
}
