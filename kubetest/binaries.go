package kubetest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// KubeVersion is the Kubernetes release test/kube/build.sh builds.
const KubeVersion = "v1.35.4"

// EnvBinDir names the environment variable that points at the directory with
// the etcd, kube-apiserver and kubectl binaries.
const EnvBinDir = "PAVED_KUBE_BIN"

// ErrNoBinaries is returned (wrapped) when the binaries are not built.
var ErrNoBinaries = errors.New("test cluster binaries not found")

// BinDir returns the directory holding the binaries: $PAVED_KUBE_BIN, or the
// cache directory test/kube/build.sh writes to by default.
func BinDir() (string, error) {
	if d := os.Getenv(EnvBinDir); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("locate the test cluster binaries: set %s: %w", EnvBinDir, err)
	}
	return filepath.Join(home, ".cache", "paved", "kube", KubeVersion), nil
}

// Binary returns the path of the named binary in dir, or an error wrapping
// ErrNoBinaries that says how to build it.
func Binary(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%w: no executable %s: run test/kube/build.sh (about 5 minutes the first time) or point %s at a directory holding etcd and kube-apiserver: %w",
			ErrNoBinaries, p, EnvBinDir, errOrMissing(err))
	}
	return p, nil
}

func errOrMissing(err error) error {
	if err != nil {
		return err
	}
	return exec.ErrNotFound
}
