package backend

import (
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

func TestDefaultIsPureGo(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	if c, src := Config(); c != "go" || src != "default" {
		t.Errorf("Config() = %q, %q", c, src)
	}
}
