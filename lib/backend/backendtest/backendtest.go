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
	b, why, err := backend.OpenORT()
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		if installed, report := backend.ORTSetupReport(); installed && os.Getenv("CI") != "" {
			t.Fatalf("CI: scripts/setup.sh reports %q, but: %s", report, why)
		}
		t.Skip(why)
	}
	return b
}

// OneDNN opens a pure-Go backend whose convolutions run on oneDNN, or skips
// saying why; under CI, when scripts/setup.sh reports that it installed
// oneDNN, a skip is a failure. The caller finalizes the backend.
func OneDNN(t testing.TB) compute.Backend {
	t.Helper()
	b, why, err := backend.OpenOneDNN()
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		if installed, report := backend.OneDNNSetupReport(); installed && os.Getenv("CI") != "" {
			t.Fatalf("CI: scripts/setup.sh reports %q, but: %s", report, why)
		}
		t.Skip(why)
	}
	return b
}
