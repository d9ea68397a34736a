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
//
// Whether a buffer ever ends at the edge depends on where the heap's earlier
// allocations left off, so the buffers are 17 runtime pages long: the heap
// maps memory in 4 MiB steps (512 pages), and as 17 and 512 share no factor,
// the ends of consecutive buffers fall on every page offset within a step in
// turn, the edge among them, whatever the starting offset.
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

// tailBufferPages is the length of loadBufferTails' buffers in the Go
// runtime's 8 KiB pages: prime to the 512 pages of a heap growth step, and
// at least 16, so that each buffer is placed by the heap itself rather than
// from a processor's cache of 64-page chunks (which never fills a chunk to
// its end with them).
const tailBufferPages = 17

// tailBuffers is how many buffers loadBufferTails allocates: four times the
// 512 it takes for the buffers' ends to pass every page offset of a growth
// step (272 MiB). The runtime's own allocations shift the sequence now and
// then, which delays the first edge; in trials it came within 600 buffers.
const tailBuffers = 4 * 512

// loadBufferTails allocates tailBuffers buffers of tailBufferPages pages,
// keeps them live so that the heap grows, and partially loads the last 3
// floats of each. Before each load it notes whether the buffer ends where
// readable memory ends, so that a child that did not fault says whether it
// met an edge; the check allocates nothing (it asks the kernel to copy the
// byte after the buffer into a pipe, which fails with EFAULT where that byte
// is not readable), because allocations between the buffers would move them.
func loadBufferTails() {
	ReserveHeapSlack() // as Open does (a no-op with PRUNE_NO_HEAP_SLACK=1)
	var pipe [2]int
	if err := syscall.Pipe(pipe[:]); err != nil {
		panic(err)
	}
	var drained [1]byte
	keep := make([][]float32, 0, tailBuffers) // allocated up front, for the same reason
	var sum float32
	edges, firstEdge := 0, -1
	for i := 0; i < tailBuffers; i++ {
		b := make([]float32, tailBufferPages<<13/4)
		b[len(b)-1] = 1
		end := uintptr(unsafe.Pointer(&b[len(b)-1])) + 4
		if _, _, errno := syscall.Syscall(syscall.SYS_WRITE, uintptr(pipe[1]), end, 1); errno == syscall.EFAULT {
			edges++
			if firstEdge < 0 {
				firstEdge = i
			}
		} else if _, err := syscall.Read(pipe[0], drained[:]); err != nil {
			panic(err)
		}
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
	fmt.Printf("loaded %d buffer tails without a fault, sum %g; %d of them ended at the edge of readable memory (the first: buffer %d)\n",
		len(keep), sum, edges, firstEdge)
}
