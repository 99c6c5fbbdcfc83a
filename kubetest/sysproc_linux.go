package kubetest

import "syscall"

// sysProcAttr makes the kernel kill the servers when the test binary dies
// without calling Stop (a panic, a timeout), so no orphans hold ports.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
