package atomicfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Goroutines filling the same entry under Lock compute it once; another
// path is not held up by it.
func TestLockComputesOnce(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
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
		wg.Go(func() { fill(a) })
	}
	wg.Wait()
	if n := computed.Load(); n != 1 {
		t.Errorf("entry a computed %d times, want once", n)
	}
	unlock := Lock(a)
	done := make(chan bool)
	go func() { defer Lock(b)(); done <- true }()
	<-done // would hang if b waited for a
	unlock()
}

// Another process (a job-array task sharing the store) waits while this one
// holds an entry's lock and gets it once it is released; a holder that dies
// leaves nothing locked. The child process takes the lock and creates a
// marker file; the parent, holding the lock, checks that no marker appears.
func TestLockHoldsAcrossProcesses(t *testing.T) {
	if p := os.Getenv("ATOMICFILE_LOCK_CHILD"); p != "" {
		if err := os.WriteFile(p+".waiting", nil, 0o644); err != nil {
			panic(err)
		}
		defer Lock(p)()
		if err := os.WriteFile(p+".acquired", nil, 0o644); err != nil {
			panic(err)
		}
		if os.Getenv("ATOMICFILE_LOCK_DIE") == "1" {
			os.Exit(3) // dies holding the lock
		}
		return
	}
	entry := filepath.Join(t.TempDir(), "sub", "entry")
	child := func(die bool) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockHoldsAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ATOMICFILE_LOCK_CHILD="+entry)
		if die {
			cmd.Env = append(cmd.Env, "ATOMICFILE_LOCK_DIE=1")
		}
		return cmd
	}
	unlock := Lock(entry)
	cmd := child(false)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(entry + ".waiting"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child process did not start")
		}
	}
	time.Sleep(300 * time.Millisecond) // the child is in Lock (or about to be)
	if _, err := os.Stat(entry + ".acquired"); err == nil {
		t.Fatal("another process took the lock while this one held it")
	}
	unlock()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the waiting process failed: %v", err)
	}
	if _, err := os.Stat(entry + ".acquired"); err != nil {
		t.Fatal("the waiting process did not get the lock once it was released")
	}
	// A holder that dies: the next one gets the lock at once.
	os.Remove(entry + ".acquired")
	if err := child(true).Run(); err == nil {
		t.Fatal("the dying child exited cleanly")
	}
	got := make(chan bool)
	go func() { defer Lock(entry)(); got <- true }()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the lock of a process that died is still held")
	}
}
