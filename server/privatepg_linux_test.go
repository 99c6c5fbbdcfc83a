package server

import "syscall"

// postgresProcAttr runs a program of the private PostgreSQL server as uid
// and gid (-1: as the test's user), and makes the kernel stop it (SIGQUIT:
// the postmaster shuts down at once, its backends with it) when the test
// process dies without its cleanups: a panic, a -timeout.
func postgresProcAttr(uid, gid int) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Pdeathsig: syscall.SIGQUIT}
	if uid >= 0 {
		a.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return a
}
