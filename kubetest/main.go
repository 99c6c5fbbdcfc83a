package kubetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Shared is one cluster for a whole test binary, started from TestMain:
//
//	var cluster kubetest.Shared
//
//	func TestMain(m *testing.M) { os.Exit(cluster.Run(m)) }
//
//	func TestApply(t *testing.T) {
//		c := cluster.Get(t) // skips when the binaries are not built
//		ns := c.NewNamespace(t)
//		...
//	}
type Shared struct {
	cluster *Cluster
	skip    string
}

// Run starts the cluster, runs the tests and stops the cluster, returning
// the exit code. When the binaries are missing, tests that call Get skip with
// a message saying how to build them, and the others still run; with CI=true
// missing binaries fail the run instead, so that CI cannot pass by skipping.
func (s *Shared) Run(m *testing.M) int {
	var c *Cluster
	var err error
	// A second try covers a port taken between choosing and binding it.
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		c, err = Start(ctx)
		cancel()
		if err == nil || errors.Is(err, ErrNoBinaries) {
			break
		}
	}
	switch {
	case errors.Is(err, ErrNoBinaries) && os.Getenv("CI") != "true":
		s.skip = err.Error()
	case err != nil:
		fmt.Fprintln(os.Stderr, "kubetest:", err)
		return 1
	default:
		s.cluster = c
		defer c.Stop()
	}
	return m.Run()
}

// Get returns the shared cluster, or skips the test when it could not run.
func (s *Shared) Get(t testing.TB) *Cluster {
	t.Helper()
	noteInputs()
	if s.cluster == nil {
		if s.skip == "" {
			t.Fatal("kubetest: Shared.Get called without Shared.Run in TestMain")
		}
		t.Skip("kubetest: " + s.skip)
	}
	return s.cluster
}

// noteInputs reads again, inside a test, the environment and files that
// TestMain used: go test only records what tests read for its result cache,
// and without this a cached pass would survive removing the binaries.
func noteInputs() {
	_ = os.Getenv("CI")
	if dir, err := BinDir(); err == nil {
		for _, name := range []string{"etcd", "kube-apiserver"} {
			_, _ = os.Stat(filepath.Join(dir, name))
		}
	}
}
