//go:build !unix

package cmd

import "os/exec"

// inOwnGroup kills only the program itself on a timeout: there are no
// process groups to kill here.
func inOwnGroup(c *exec.Cmd) {}

func killGroup(c *exec.Cmd) error {
	if c.Process == nil {
		return nil
	}
	return c.Process.Kill()
}
