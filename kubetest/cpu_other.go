//go:build !linux

package kubetest

import (
	"errors"
	"time"
)

// ServerCPU is only implemented on Linux.
func (c *Cluster) ServerCPU() (apiserver, etcd time.Duration, err error) {
	return 0, 0, errors.New("kubetest: ServerCPU needs /proc")
}
