package kubernetes

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/kubetest"
)

func TestProbe(t *testing.T) {
	t.Parallel()
	c := cluster.Get(t)
	tests := []struct {
		name     string
		token    string
		code     string
		contains []string
	}{
		{"admin", kubetest.AdminToken, "", nil},
		{"wrong token", "not-a-token", paved.EUNAUTHORIZED, []string{`kubernetes target "dev-cluster"`, c.Host, "unauthorized", "credentials"}},
		{"no rights", kubetest.NobodyToken, paved.EFORBIDDEN, []string{`kubernetes target "dev-cluster"`, "forbidden", "create a namespace"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target, err := FromKubeconfig(c.KubeconfigData(tt.token), "", WithName("dev-cluster"))
			if err != nil {
				t.Fatal(err)
			}
			err = target.Probe(context.Background())
			assertError(t, err, tt.code, tt.contains...)
		})
	}
	// The ConfigMap is dry-run in the namespace the target is told.
	target, err := FromKubeconfig(c.KubeconfigData(kubetest.AdminToken), "", WithName("dev-cluster"), WithProbeNamespace("no-such-namespace"))
	if err != nil {
		t.Fatal(err)
	}
	assertError(t, target.Probe(context.Background()), paved.ENOTFOUND, "apply a ConfigMap in namespace no-such-namespace")
}

func TestProbeStoppedServer(t *testing.T) {
	t.Parallel()
	cluster.Get(t) // skip like the others when there are no binaries
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := kubetest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	target, err := FromKubeconfigFile(c.Kubeconfig, "kubetest", WithName("staging-cluster"))
	if err != nil {
		t.Fatal(err)
	}
	if err := target.Probe(ctx); err != nil {
		t.Fatalf("probe of the running server: %v", err)
	}
	c.StopAPIServer()
	err = target.Probe(ctx)
	assertError(t, err, paved.EUNAVAILABLE, `kubernetes target "staging-cluster"`, c.Host, "unreachable", "connection refused")
}

func TestProbeNothingListening(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	kubeconfig := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://` + addr + `"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`
	target, err := FromKubeconfig([]byte(kubeconfig), "", WithName("gone"))
	if err != nil {
		t.Fatal(err)
	}
	err = target.Probe(context.Background())
	assertError(t, err, paved.EUNAVAILABLE, `kubernetes target "gone"`, "unreachable")
}

func TestConstructorErrorsNameTheTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		open     func() error
		contains string
	}{
		{"bad kubeconfig", func() error { _, err := FromKubeconfig([]byte("{{{"), "", WithName("prod-eu")); return err }, "cannot be read"},
		{"missing file", func() error {
			_, err := FromKubeconfigFile(t.TempDir()+"/nope", "", WithName("prod-eu"))
			return err
		}, "cannot be read"},
		{"unknown context", func() error {
			_, err := FromKubeconfig([]byte("apiVersion: v1\nkind: Config\ncontexts: [{name: a, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: https://x}}]\n"), "b", WithName("prod-eu"))
			return err
		}, `no context "b" (it has "a")`},
		{"two sources", func() error { _, err := Open(Config{Name: "prod-eu", Kubeconfig: "x", InCluster: true}); return err }, "exactly one of"},
		{"bad wait", func() error {
			_, err := Open(Config{Name: "prod-eu", Kubeconfig: "x", WaitTimeout: "soon"})
			return err
		}, "wait_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertError(t, tt.open(), paved.EINVALID, `kubernetes target "prod-eu"`, tt.contains)
		})
	}
}

func TestInClusterOutsideACluster(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	_, err := Open(Config{Name: "prod-eu", InCluster: true})
	assertError(t, err, paved.EINVALID, `kubernetes target "prod-eu"`, "in-cluster configuration")
}

func assertError(t *testing.T, err error, code string, contains ...string) {
	t.Helper()
	if got := paved.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	msg := paved.ErrorMessage(err)
	t.Logf("error: %s", msg)
	for _, s := range contains {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not contain %q", msg, s)
		}
	}
}
