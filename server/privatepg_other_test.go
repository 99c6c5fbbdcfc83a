//go:build !linux

package server

import "syscall"

// postgresProcAttr: without Linux's parent-death signal a private
// PostgreSQL server could outlive the test; none is started.
func postgresProcAttr(uid, gid int) *syscall.SysProcAttr { return nil }
