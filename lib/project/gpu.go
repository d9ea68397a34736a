package project

// The GPU check: whether the machine has an NVIDIA GPU, for the choices that
// depend on it (the default profile here, the default backend in lib/backend).

import (
	"context"
	"os/exec"
	"sync"
	"time"
)

// NVIDIATimeout bounds the nvidia-smi call: a hung driver must not stall every
// start of prune or of a notebook.
const NVIDIATimeout = 10 * time.Second

// NVIDIA reports whether an NVIDIA GPU answers `nvidia-smi -L` within
// NVIDIATimeout. It asks once per process.
var NVIDIA = sync.OnceValue(func() bool { return probeNVIDIA(NVIDIATimeout) })

func probeNVIDIA(timeout time.Duration) bool {
	path, err := exec.LookPath("nvidia-smi")
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return exec.CommandContext(ctx, path, "-L").Run() == nil
}
