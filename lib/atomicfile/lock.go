package atomicfile

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

var pathLocks sync.Map // path → *sync.Mutex

// Lock takes the lock of a path, across goroutines and across processes,
// and returns its release. Work that fills a cache entry (train a probe
// network, score a set, embed a set, train a selection) holds it from
// looking for the entry to writing it, so that two workers asking for the
// same entry at once compute it once: the second waits, then finds it.
// Paths are compared as given; use one spelling per entry.
//
// Within a process the lock is a mutex per path. Between processes (the
// tasks of a job array sharing one store) it is an exclusive flock(2) on
// the file path+".lock", created beside the entry and left there (it holds
// nothing; created readable and writable by all, less the umask, so that
// other users' tasks can lock it too). The kernel drops a flock when its
// holder dies, so a task that is killed never leaves an entry locked (on
// NFS, a lock of a node that fails is held until the server's lease on it
// expires). The wait has no time limit. Locks are taken in one order
// (a score file's, then its probe networks' or embedding's), within a
// process and across processes alike. Where the lock file cannot be opened
// at all (a read-only store that lacks it), the lock holds within the
// process only, and the writes it guards fail with their own errors.
func Lock(path string) (unlock func()) {
	m, _ := pathLocks.LoadOrStore(path, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	f := lockFile(path)
	return func() {
		if f != nil {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
		}
		mu.Unlock()
	}
}

// lockFile opens path+".lock" and takes its exclusive flock (waiting for
// another process that holds it); nil when the file cannot be opened.
func lockFile(path string) *os.File {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil
	}
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		// Another user's lock file, or a read-only store: flock needs
		// only a descriptor, not write permission.
		if f, err = os.Open(path + ".lock"); err != nil {
			return nil
		}
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil
	}
	return f
}
