package kubernetes

import (
	"context"
	"os"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"paved.dev/paved"
	"paved.dev/paved/kubetest"
)

// One apiserver for the package; every test deploys to its own namespace.
var cluster kubetest.Shared

func TestMain(m *testing.M) { os.Exit(cluster.Run(m)) }

// env is one test's cluster, target and deploy context.
type env struct {
	c      *kubetest.Cluster
	target *Target
	dyn    dynamic.Interface
	dc     paved.DeployContext
	logs   []string
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	c := cluster.Get(t)
	ns := c.NewNamespace(t)
	dyn, err := dynamic.NewForConfig(c.Config())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{c: c, dyn: dyn, dc: paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Namespace: ns}}
	return e.with(t, opts...)
}

// with returns an env for the same cluster, namespace and deploy context
// whose target has other options: another paved installation, or another
// version of paved, deploying the same app and env.
func (e *env) with(t *testing.T, opts ...Option) *env {
	t.Helper()
	opts = append([]Option{WithName("test"), WithWaitTimeout(0), WithPollInterval(20 * time.Millisecond)}, opts...)
	target, err := New(e.c.Config(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &env{c: e.c, target: target, dyn: e.dyn, dc: e.dc}
}

func (e *env) apply(t *testing.T, objs []paved.Object, previous []paved.ObjectRef) (*paved.ApplyResult, error) {
	t.Helper()
	return e.target.Apply(context.Background(), &paved.ApplyRequest{
		Context:      e.dc,
		DeploymentID: "d-" + t.Name(),
		Objects:      objs,
		Previous:     previous,
		Log:          func(msg string) { e.logs = append(e.logs, msg) },
	})
}

func (e *env) mustApply(t *testing.T, objs []paved.Object, previous []paved.ObjectRef) *paved.ApplyResult {
	t.Helper()
	res, err := e.apply(t, objs, previous)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

// get reads an object back; nil when it does not exist.
func (e *env) get(t *testing.T, r paved.ObjectRef) *unstructured.Unstructured {
	t.Helper()
	ri, err := e.target.resourceFor(context.Background(), r)
	if err != nil {
		t.Fatalf("map %s: %v", r, err)
	}
	obj, err := ri.Get(context.Background(), r.Name, metav1.GetOptions{})
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		t.Fatalf("get %s: %v", r, err)
	}
	return obj
}

// applyAs server-side applies obj as another field manager, as a person
// with kubectl or another controller would.
func (e *env) applyAs(t *testing.T, manager string, force bool, obj paved.Object) {
	t.Helper()
	u, err := copyObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	gvr := gvrOf(u)
	_, err = e.dyn.Resource(gvr).Namespace(u.GetNamespace()).Apply(context.Background(), u.GetName(), u,
		metav1.ApplyOptions{FieldManager: manager, Force: force})
	if err != nil {
		t.Fatalf("apply %s as %s: %v", u.GetName(), manager, err)
	}
}

// gvrOf knows the few core kinds tests write directly.
func gvrOf(u *unstructured.Unstructured) schema.GroupVersionResource {
	gv := u.GroupVersionKind().GroupVersion()
	resources := map[string]string{
		"ConfigMap": "configmaps", "Secret": "secrets", "Deployment": "deployments",
		"StatefulSet": "statefulsets", "Namespace": "namespaces", "Service": "services",
	}
	return gv.WithResource(resources[u.GetKind()])
}
