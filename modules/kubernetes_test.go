package modules

import (
	"context"
	"os"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/kubetest"
)

// One apiserver for the package's cluster tests.
var cluster kubetest.Shared

func TestMain(m *testing.M) { os.Exit(cluster.Run(m)) }

func assertError(t *testing.T, err error, code string, contains ...string) {
	t.Helper()
	if got := paved.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	msg := paved.ErrorMessage(err)
	for _, s := range contains {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not contain %q", msg, s)
		}
	}
}

// A bad --cluster-scoped-kinds entry stops the server at start.
func TestTargetsRefusesBadClusterScopedKinds(t *testing.T) {
	err := Targets(paved.NewRegistry(), KubernetesOptions{ClusterScopedKinds: []string{"rbac.authorization.k8s.io/ClusterRole", "apps/deployment"}})
	assertError(t, err, paved.EINVALID, "server flag --cluster-scoped-kinds", `cluster-scoped kind "apps/deployment"`, `the Kind "deployment"`)
	if err := Targets(paved.NewRegistry(), KubernetesOptions{ClusterScopedKinds: []string{"rbac.authorization.k8s.io/ClusterRole", "PersistentVolume"}}); err != nil {
		t.Errorf("good kinds refused: %v", err)
	}
}

// The target's errors name its options; a paved server user reads the
// flags too.
func TestKubernetesErrorsNameServerFlags(t *testing.T) {
	r := paved.NewRegistry()
	if err := Targets(r, KubernetesOptions{Installation: "test"}); err != nil {
		t.Fatal(err)
	}
	const execUser = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://k8s.example", certificate-authority: /ca.crt}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, interactiveMode: Never}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`
	_, err := r.NewTarget(&paved.TargetInfo{Type: paved.TargetKubernetes, Name: "eks", Kubeconfig: execUser})
	assertError(t, err, paved.EINVALID, "has an exec plugin", "(WithInsecureKubeconfigExec)",
		"WithInsecureKubeconfigExec is the server flag --insecure-kubeconfig-exec", "WithInsecureKubeconfigFiles is the server flag --insecure-kubeconfig-files")

	c := cluster.Get(t)
	tg, err := r.NewTarget(&paved.TargetInfo{Type: paved.TargetKubernetes, Name: "test", Kubeconfig: string(c.KubeconfigData(kubetest.AdminToken))})
	if err != nil {
		t.Fatal(err)
	}
	role := paved.Object{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": map[string]any{"name": "paved-modules-test"}}
	dc := paved.DeployContext{App: "shop", Env: "dev", Namespace: c.NewNamespace(t)}
	_, err = tg.Apply(context.Background(), &paved.ApplyRequest{Context: dc, DeploymentID: "d-1", Objects: []paved.Object{role}})
	assertError(t, err, paved.EFORBIDDEN, "(WithClusterScopedKinds, e.g. rbac.authorization.k8s.io/ClusterRole)",
		"WithClusterScopedKinds is the server flag --cluster-scoped-kinds")
	_, err = tg.(paved.DriftReader).Drift(context.Background(), dc, []paved.Object{role})
	assertError(t, err, paved.EFORBIDDEN, "WithClusterScopedKinds is the server flag --cluster-scoped-kinds")
}
