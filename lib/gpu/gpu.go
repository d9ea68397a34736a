// Package gpu tells whether the machine has an NVIDIA GPU, for the choices
// that depend on it: the default profile (lib/profile) and the default
// backend (lib/backend).
package gpu

import (
	"context"
	"os/exec"
	"sync"
	"time"
)

// Timeout bounds the nvidia-smi call: a hung driver must not stall every
// start of prune or of a notebook.
const Timeout = 10 * time.Second

// NVIDIA reports whether an NVIDIA GPU answers `nvidia-smi -L` within
// Timeout. It asks once per process.
var NVIDIA = sync.OnceValue(func() bool { return probe(Timeout) })

func probe(timeout time.Duration) bool {
	path, err := exec.LookPath("nvidia-smi")
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return exec.CommandContext(ctx, path, "-L").Run() == nil
}
