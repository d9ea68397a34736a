package atomicfile

import "sync"

var pathLocks sync.Map // path → *sync.Mutex

// Lock takes the process-wide lock of a path and returns its release. Work
// that fills a cache entry (train a probe network, embed a set) holds it
// from looking for the entry to writing it, so that two goroutines asking
// for the same entry at once compute it once: the second waits, then finds
// it. Paths are compared as given; use one spelling per entry.
func Lock(path string) (unlock func()) {
	m, _ := pathLocks.LoadOrStore(path, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}
