package modules

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/kubetest"
	"paved.dev/paved/target/kubernetes"
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
	assertError(t, err, paved.EINVALID, "has an exec plugin",
		"(server flag --insecure-kubeconfig-exec)", "(server flag --insecure-kubeconfig-files)")

	c := cluster.Get(t)
	tg, err := r.NewTarget(&paved.TargetInfo{Type: paved.TargetKubernetes, Name: "test", Kubeconfig: string(c.KubeconfigData(kubetest.AdminToken))})
	if err != nil {
		t.Fatal(err)
	}
	role := paved.Object{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": map[string]any{"name": "paved-modules-test"}}
	dc := paved.DeployContext{App: "shop", Env: "dev", Namespace: c.NewNamespace(t)}
	_, err = tg.Apply(context.Background(), &paved.ApplyRequest{Context: dc, DeploymentID: "d-1", Objects: []paved.Object{role}})
	assertError(t, err, paved.EFORBIDDEN, "(server flag --cluster-scoped-kinds, e.g. rbac.authorization.k8s.io/ClusterRole)")
	_, err = tg.(paved.DriftReader).Drift(context.Background(), dc, []paved.Object{role})
	assertError(t, err, paved.EFORBIDDEN, "(server flag --cluster-scoped-kinds, e.g.")
}

// KubernetesOptions reach the targets Targets builds: the rollout timeout
// and turning off the adoption of objects from before installation ids.
func TestKubernetesOptionsReachTheTarget(t *testing.T) {
	c := cluster.Get(t)
	kubeconfig := string(c.KubeconfigData(kubetest.AdminToken))
	newTarget := func(o KubernetesOptions) paved.Target {
		t.Helper()
		r := paved.NewRegistry()
		if err := Targets(r, o); err != nil {
			t.Fatal(err)
		}
		tg, err := r.NewTarget(&paved.TargetInfo{Type: paved.TargetKubernetes, Name: "test", Kubeconfig: kubeconfig})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	ctx := context.Background()
	apply := func(tg paved.Target, dc paved.DeployContext, objs []paved.Object, previous []paved.ObjectRef) (*paved.ApplyResult, error) {
		return tg.Apply(ctx, &paved.ApplyRequest{Context: dc, DeploymentID: "d-" + t.Name(), Objects: objs, Previous: previous})
	}

	// Objects of a paved version without installation ids.
	dc := paved.DeployContext{App: "shop", Env: "dev", Namespace: c.NewNamespace(t)}
	cm := []paved.Object{{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "web-config"}, "data": map[string]any{"a": "b"}}}
	old, err := kubernetes.New(c.Config(), kubernetes.WithWaitTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	oldRes, err := old.Apply(ctx, &paved.ApplyRequest{Context: dc, DeploymentID: "d-old", Objects: cm})
	if err != nil {
		t.Fatal(err)
	}
	_, err = apply(newTarget(KubernetesOptions{Installation: "prod", NoLegacyAdoption: true}), dc, cm, oldRes.Inventory)
	assertError(t, err, paved.ECONFLICT, `"paved/shop/dev"`)
	if _, err := apply(newTarget(KubernetesOptions{Installation: "prod"}), dc, cm, oldRes.Inventory); err != nil {
		t.Errorf("with adoption (the default): %v", err)
	}

	// A Deployment never rolls out here (no controllers run).
	dc.Namespace = c.NewNamespace(t)
	deployment := paved.Object{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web"},
		"spec": map[string]any{
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": "web:1"}}},
			}}}
	res, err := apply(newTarget(KubernetesOptions{Installation: "prod", RolloutTimeout: 300 * time.Millisecond}), dc, []paved.Object{deployment}, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(res.Statuses, func(st paved.ObjectStatus) bool { return st.Ref.Kind == "Deployment" })
	if i < 0 || !strings.HasPrefix(res.Statuses[i].Reason, "not rolled out after 300ms") {
		t.Errorf("statuses %+v, want the Deployment not rolled out after 300ms", res.Statuses)
	}
}
