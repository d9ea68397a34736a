//go:build amd64 && linux && goexperiment.simd

package backend

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// The SIMD crash (environment.md): built with GOEXPERIMENT=simd, compute's
// kernels finish every row with a partial vector load that reads up to 60
// bytes past the end of the slice (Go 1.27.3's archsimd masks the loaded
// vector instead of masking the load). That is harmless while the bytes after
// the slice are mapped, and kills the process ("unexpected fault address ...
// fatal error: fault") when the slice ends exactly where the Go heap's mapped
// memory ends: the heap grows in 4 MiB steps and places large buffers
// lowest-address first, so a buffer whose size is a multiple of 8 KiB
// sometimes ends at the edge, at random, most often while the heap grows.
//
// The workaround maps the heap's address range ahead of time: one large
// allocation, dropped at once, makes the runtime map (not touch: the memory
// is fresh and needs no zeroing, so it costs no RAM) HeapSlack bytes, which it
// keeps mapped for the life of the process (freed pages are returned to the
// system with madvise, and stay readable). Buffers are then placed inside
// that range, and an over-read past their end reads mapped memory, until the
// live heap outgrows the slack. The backend's own buffers are padded in the
// forked compute module (FORK.md); the slack covers the scratch slices that
// kernels allocate for themselves. ReserveHeapSlack (backend.go) maps it,
// once per process, from Open and from the tests that open a backend
// directly.

// HeapSlack is the address range mapped ahead of the Go heap at start-up
// when built with GOEXPERIMENT=simd: 8 GiB, at most half of physical memory
// (so that the kernel's overcommit check never refuses the mapping) and a
// quarter of the address-space limit (ulimit -v), if there is one: a mapping
// the system refuses would kill the process at start-up.
var HeapSlack = heapSlackBytes()

func heapSlackBytes() int {
	n := 8 << 30
	if mem := memTotal(); mem > 0 {
		n = min(n, mem/2)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &lim); err == nil && lim.Cur != ^uint64(0) && lim.Cur < 1<<62 {
		n = min(n, int(lim.Cur/4))
	}
	return n
}

// memTotal is /proc/meminfo's MemTotal in bytes, 0 if unknown.
func memTotal() int {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

func reserveHeapSlack() {
	if os.Getenv("PRUNE_NO_HEAP_SLACK") == "1" {
		return
	}
	b := make([]byte, HeapSlack)
	runtime.KeepAlive(b)
	// A collection now, with the allocation dead, sets the next collection's
	// goal from the real live heap; otherwise the goal would be set from a
	// heap that held the slack, and garbage would pile up to twice its size.
	runtime.GC()
}
