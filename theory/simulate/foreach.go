package simulate

import (
	"runtime"
	"sync"
)

// ForEach runs the independent jobs of a simulation (and of the theory
// figures in theory/curves) on all CPUs: it calls f(0), ..., f(n-1) on up to GOMAXPROCS goroutines and returns
// the error of the lowest-numbered job that failed, or nil. Every job runs
// even if another fails, so results do not depend on scheduling.
func ForEach(n int, f func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			errs[i] = f(i)
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
