package atomicfile

import (
	"sync"
	"sync/atomic"
	"testing"
)

// Goroutines filling the same entry under Lock compute it once; another
// path is not held up by it.
func TestLockComputesOnce(t *testing.T) {
	var computed atomic.Int32
	have := map[string]bool{}
	fill := func(path string) {
		defer Lock(path)()
		if !have[path] {
			computed.Add(1)
			have[path] = true
		}
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { fill("a") })
	}
	wg.Wait()
	if n := computed.Load(); n != 1 {
		t.Errorf("entry a computed %d times, want once", n)
	}
	unlock := Lock("a")
	done := make(chan bool)
	go func() { defer Lock("b")(); done <- true }()
	<-done // would hang if b waited for a
	unlock()
}
