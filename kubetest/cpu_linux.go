package kubetest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ServerCPU returns the CPU time (user+system) the apiserver and etcd have
// used so far, so that benchmarks can report what a client costs the
// server, which on a small machine is what bounds throughput.
func (c *Cluster) ServerCPU() (apiserver, etcd time.Duration, err error) {
	if apiserver, err = processCPU(c.apiserver.cmd.Process.Pid); err != nil {
		return 0, 0, err
	}
	etcd, err = processCPU(c.etcd.cmd.Process.Pid)
	return apiserver, etcd, err
}

func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the parenthesised command name; utime and stime are the
	// 14th and 15th fields of the whole line, in clock ticks (100 a second
	// on Linux unless the kernel was built otherwise).
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	return time.Duration(utime+stime) * (time.Second / 100), nil
}
