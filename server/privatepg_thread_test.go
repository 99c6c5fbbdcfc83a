package server

import (
	"runtime"
	"testing"
)

// forkThread is the OS thread that starts a private PostgreSQL server's
// programs, kept alive until the test ends. Linux sends a child its
// parent-death signal (Pdeathsig, postgresProcAttr) when the thread that
// forked it exits, not the process; Go ends a thread when a goroutine that
// locked it returns, and any goroutine of the test binary may run on the
// thread an ordinary goroutine forked from. A postmaster started from one
// could get SIGQUIT in the middle of the test. This thread is locked to a
// goroutine that only runs what do gives it, and ends (signalling what it
// started that still runs) at the test's cleanup, after the server was
// stopped.
type forkThread struct {
	calls chan func()
	done  chan struct{}
}

// newForkThread starts the thread; it ends when t's cleanups reach it:
// register it before anything it starts is stopped.
func newForkThread(t *testing.T) *forkThread {
	ft := &forkThread{calls: make(chan func()), done: make(chan struct{})}
	go func() {
		// Never unlocked: when this goroutine returns, Go ends the thread.
		runtime.LockOSThread()
		defer close(ft.done)
		for f := range ft.calls {
			f()
		}
	}()
	t.Cleanup(func() {
		close(ft.calls)
		<-ft.done
	})
	return ft
}

// do runs f on the thread and returns when it has.
func (ft *forkThread) do(f func()) {
	ran := make(chan struct{})
	ft.calls <- func() {
		defer close(ran)
		f()
	}
	<-ran
}
