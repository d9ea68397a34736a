package models

import (
	"os"
	"testing"

	"beyondscaling/lib/backend"
)

// TestMain maps the heap slack first (backend.ReserveHeapSlack): these tests
// create backends with compute.NewWithConfig, not through backend.Open.
func TestMain(m *testing.M) {
	backend.ReserveHeapSlack()
	os.Exit(m.Run())
}
