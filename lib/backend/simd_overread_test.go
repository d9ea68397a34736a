//go:build amd64 && linux && goexperiment.simd

package backend

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"simd/archsimd"
)

// TestSIMDPartialLoadReadsPastSlice checks the upstream defect behind the
// SIMD crash (environment.md, "The SIMD crash"): with
// GOEXPERIMENT=simd, Go 1.27.3's archsimd.LoadFloat32x8Part and
// LoadFloat32x16Part, which compute's SIMD kernels use for the tail of every
// row, load a whole vector and mask it afterwards, so they read past the end
// of the slice. When the slice ends where mapped memory ends, the process dies
// with "unexpected fault address ... fatal error: fault". The test places a
// 3-element slice at the end of a page followed by an inaccessible page and
// loads it in a child process. It fails once the defect is fixed upstream,
// which is the signal to turn GOEXPERIMENT=simd back on by default.
func TestSIMDPartialLoadReadsPastSlice(t *testing.T) {
	if w := os.Getenv("BACKEND_OVERREAD_CHILD"); w != "" {
		loadAtPageEnd(w)
		return
	}
	widths := []string{"8"}
	if archsimd.X86.AVX512() {
		widths = append(widths, "16")
	}
	for _, w := range widths {
		t.Run("Float32x"+w, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSIMDPartialLoadReadsPastSlice$", "-test.count=1")
			cmd.Env = append(os.Environ(), "BACKEND_OVERREAD_CHILD="+w)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("a partial load of the last 3 floats before an inaccessible page no longer faults: the upstream defect looks fixed; "+
					"re-enable GOEXPERIMENT=simd by default (Makefile, lib/notebook) after scripts/stress.sh passes with it\n%s", out)
			}
			if !strings.Contains(string(out), "fatal error: fault") || !strings.Contains(string(out), "LoadFloat32x"+w+"Part") {
				t.Fatalf("the child failed, but not with a fault in LoadFloat32x%sPart: %v\n%s", w, err, out)
			}
		})
	}
}

// loadAtPageEnd loads the last 3 floats of a page whose next page is
// inaccessible, with a partial load of the given width (8 or 16 floats).
func loadAtPageEnd(width string) {
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		panic(err)
	}
	s := unsafe.Slice((*float32)(unsafe.Pointer(&mem[page-12])), 3)
	s[0], s[1], s[2] = 1, 2, 3
	var sum float32
	switch width {
	case "8":
		v, _ := archsimd.LoadFloat32x8Part(s)
		var a [8]float32
		v.Store(a[:])
		sum = a[0] + a[1] + a[2]
	case "16":
		v, _ := archsimd.LoadFloat32x16Part(s)
		var a [16]float32
		v.Store(a[:])
		sum = a[0] + a[1] + a[2]
	}
	fmt.Println("loaded without a fault, sum", sum)
}

// TestHeapSlackKeepsOverreadsMapped checks the workaround (heapslack_simd.go)
// in child processes that do what compute's kernels do: allocate buffers whose
// size is a multiple of 8 KiB, keep them, and load the last 3 floats of each
// with a partial load. Without the heap slack the child dies of a fault when
// a buffer ends at the edge of the heap's mapped memory (which shows that the
// check can fail); with it, every load stays in mapped memory.
func TestHeapSlackKeepsOverreadsMapped(t *testing.T) {
	if os.Getenv("BACKEND_TAIL_CHILD") == "1" {
		loadBufferTails()
		return
	}
	for _, tc := range []struct {
		noSlack string
		fault   bool
	}{{"1", true}, {"0", false}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHeapSlackKeepsOverreadsMapped$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BACKEND_TAIL_CHILD=1", "PRUNE_NO_HEAP_SLACK="+tc.noSlack, "GOTRACEBACK=single")
		out, err := cmd.CombinedOutput()
		faulted := err != nil && strings.Contains(string(out), "fatal error: fault")
		switch {
		case tc.fault && !faulted:
			t.Errorf("without the heap slack the child did not fault (error %v), so this check cannot tell the workaround works:\n%.2000s", err, out)
		case !tc.fault && err != nil:
			t.Errorf("with the heap slack (%d bytes) the child failed: %v\n%.3000s", HeapSlack, err, out)
		}
	}
}

// loadBufferTails allocates 400 buffers of 768 KiB (300 MiB, kept live so
// that the heap grows) and partially loads the last 3 floats of each.
func loadBufferTails() {
	ReserveHeapSlack() // as Open does (a no-op with PRUNE_NO_HEAP_SLACK=1)
	var keep [][]float32
	var sum float32
	for i := 0; i < 400; i++ {
		b := make([]float32, 3<<16)
		b[len(b)-1] = 1
		v, _ := archsimd.LoadFloat32x8Part(b[len(b)-3:])
		var a [8]float32
		v.Store(a[:])
		sum += a[2]
		if archsimd.X86.AVX512() {
			w, _ := archsimd.LoadFloat32x16Part(b[len(b)-3:])
			var c [16]float32
			w.Store(c[:])
			sum += c[2]
		}
		keep = append(keep, b)
	}
	fmt.Println("loaded", len(keep), "buffer tails without a fault, sum", sum)
}
