//go:build unix

package cmd

import (
	"os/exec"
	"syscall"
)

// inOwnGroup starts the program in a process group of its own, so that a
// timeout kills what it started too.
func inOwnGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return killGroup(c) }
}

// killGroup kills the program's process group.
func killGroup(c *exec.Cmd) error {
	if c.Process == nil {
		return nil
	}
	return syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
}
