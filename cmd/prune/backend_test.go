package main

import (
	"bytes"
	"strings"
	"testing"

	"beyondscaling/lib/backend"
	"beyondscaling/lib/backend/backendtest"
)

// `prune backend --agree` compares the backend in use with the pure-Go one:
// every network agrees on ONNX Runtime (skipped, saying why, where it is
// not installed), and on the pure-Go backend itself it refuses, since a
// comparison of a backend with itself could not fail.
func TestBackendAgree(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "go")
	t.Setenv(backend.OneDNNEnv, "0")
	var o, e bytes.Buffer
	if code := run([]string{"backend", "--n", "32", "--agree"}, &o, &e); code == 0 || !strings.Contains(e.String(), "nothing to compare") {
		t.Errorf("pure Go: exit %d, stderr %q", code, e.String())
	}
	// The Go backend with oneDNN convolutions is compared with pure Go.
	t.Setenv(backend.OneDNNEnv, "")
	backendtest.OneDNN(t).Finalize()
	o.Reset()
	e.Reset()
	if code := run([]string{"backend", "--n", "32", "--agree"}, &o, &e); code != 0 || !strings.Contains(o.String(), "all 6 networks agree") || !strings.Contains(o.String(), "oneDNN") {
		t.Errorf("oneDNN: exit %d\n%s\n%s", code, o.String(), e.String())
	}
	backendtest.ORT(t).Finalize()
	t.Setenv("GOMLX_BACKEND", "onnx:cpu")
	o.Reset()
	e.Reset()
	if code := run([]string{"backend", "--n", "32", "--agree"}, &o, &e); code != 0 || !strings.Contains(o.String(), "all 6 networks agree") {
		t.Errorf("ONNX Runtime: exit %d\n%s\n%s", code, o.String(), e.String())
	}
}
