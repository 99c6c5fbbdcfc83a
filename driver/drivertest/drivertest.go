// Package drivertest holds what the tests of paved's server drivers share:
// a test skips when its server is not running, except under CI where that
// is a failure, and each test provisions for an app that no other test run
// uses, so that runs on a shared server do not meet. Only tests import it.
package drivertest

import (
	"crypto/rand"
	"maps"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// CI tells whether the tests run in CI (CI=true), where .ci/services.sh has
// started every server and a missing one is a failure, not a reason to skip.
func CI() bool { return os.Getenv("CI") == "true" }

// RequireServer skips the test when nothing answers at one of addrs, or
// fails it under CI; name says which server .ci/services.sh should start.
func RequireServer(t testing.TB, name string, addrs ...string) {
	t.Helper()
	for _, addr := range addrs {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			continue
		}
		if CI() {
			t.Fatalf("%s is not reachable at %s (%v): CI must run .ci/services.sh first", name, addr, err)
		}
		t.Skipf("%s is not reachable at %s (%v): start it (.ci/services.sh) to run this test", name, addr, err)
	}
}

// UniqueRequest returns a request, logging to t, for the resource
// web.<resource> that def provisions, in environment dev of an app that no
// other test run uses.
func UniqueRequest(t testing.TB, resource string, def *paved.ResourceDefinition) *paved.ResourceRequest {
	t.Helper()
	return &paved.ResourceRequest{
		UID:        paved.NewResourceUID("web", resource, def.Type, "", ""),
		Definition: def,
		Context:    paved.DeployContext{App: "t" + strings.ToLower(rand.Text()[:8]), Env: "dev"},
		Log:        func(msg string) { t.Log(msg) },
	}
}

// With returns a copy of base with changes made; a nil value removes the
// key.
func With(base, changes map[string]any) map[string]any {
	m := maps.Clone(base)
	maps.Copy(m, changes)
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		}
	}
	return m
}
