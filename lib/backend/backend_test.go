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
	b, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	if !strings.HasPrefix(strings.ToLower(b.Name()), "go") {
		t.Errorf("backend %s, want the pure-Go fallback", b.Name())
	}
}
