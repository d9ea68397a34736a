package probes

import (
	"testing"

	"beyondscaling/lib/backend/backendtest"
)

// These tests create backends with compute.NewWithConfig, not through
// backend.Open: map the heap slack first.
func TestMain(m *testing.M) { backendtest.Main(m) }
