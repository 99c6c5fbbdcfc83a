package server

import (
	"runtime"
	"sync"
	"syscall"
	"testing"
)

// TestForkThreadKeepsOneThread: what forkThread runs runs on one OS thread,
// however the scheduler moves other goroutines and however many threads
// that locked and exited Go ended meanwhile: the thread a private
// PostgreSQL server was forked from, whose exit would signal it, stays.
func TestForkThreadKeepsOneThread(t *testing.T) {
	ft := newForkThread(t)
	var first int
	ft.do(func() { first = syscall.Gettid() })
	for i := 0; i < 20; i++ {
		// Threads ended by Go: goroutines that lock theirs and return.
		var wg sync.WaitGroup
		for j := 0; j < 4; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
			}()
		}
		wg.Wait()
		runtime.Gosched()
		var tid int
		ft.do(func() { tid = syscall.Gettid() })
		if tid != first {
			t.Fatalf("run %d on thread %d, the first on %d: a child forked from the first would get its parent-death signal", i+1, tid, first)
		}
	}
}
