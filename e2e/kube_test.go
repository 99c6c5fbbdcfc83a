package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
	"paved.dev/paved/kubetest"
	"paved.dev/paved/server"
)

var cluster kubetest.Shared

func TestMain(m *testing.M) { os.Exit(cluster.Run(m)) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var (
	gvrs = map[string]schema.GroupVersionResource{
		"Namespace":   {Version: "v1", Resource: "namespaces"},
		"Secret":      {Version: "v1", Resource: "secrets"},
		"ConfigMap":   {Version: "v1", Resource: "configmaps"},
		"Service":     {Version: "v1", Resource: "services"},
		"Deployment":  {Group: "apps", Version: "v1", Resource: "deployments"},
		"StatefulSet": {Group: "apps", Version: "v1", Resource: "statefulsets"},
		"HTTPRoute":   kubetest.HTTPRoutes,
	}
)

func shopSpecs(withCache bool) map[string]string {
	m := map[string]string{}
	for _, f := range examples.Shop() {
		s := string(f.Data)
		if !withCache && f.Name == "web.score.yaml" {
			s = strings.Replace(s, "  cache:\n    type: redis\n", "", 1)
			for _, v := range []string{"REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"} {
				lines := strings.Split(s, "\n")
				s = strings.Join(slices.DeleteFunc(lines, func(l string) bool { return strings.Contains(l, v+":") }), "\n")
			}
		}
		m[f.Name] = s
	}
	return m
}

func deploy(t *testing.T, c *api.Client, specs map[string]string) *paved.Deployment {
	t.Helper()
	d, err := c.Deploy(context.Background(), &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	must(t, err)
	return wait(t, c, d)
}

func wait(t *testing.T, c *api.Client, d *paved.Deployment) *paved.Deployment {
	t.Helper()
	must(t, c.StreamEvents(context.Background(), d.ID, 0, func(paved.Event) error { return nil }))
	got, err := c.GetDeployment(context.Background(), d.ID)
	must(t, err)
	if got.Status != paved.DeploymentSucceeded {
		evs, _ := c.Events(context.Background(), d.ID, 0)
		t.Fatalf("deployment %s: %s %s\n%+v", d.ID, got.Status, got.Error, evs)
	}
	return got
}

func live(t *testing.T, dyn dynamic.Interface, ref paved.ObjectRef) (*unstructured.Unstructured, bool) {
	t.Helper()
	gvr, ok := gvrs[ref.Kind]
	if !ok {
		t.Fatalf("no resource for kind %s", ref.Kind)
	}
	var ri dynamic.ResourceInterface = dyn.Resource(gvr)
	if ref.Namespace != "" {
		ri = dyn.Resource(gvr).Namespace(ref.Namespace)
	}
	u, err := ri.Get(context.Background(), ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, false
	}
	must(t, err)
	return u, u.GetDeletionTimestamp() == nil
}

// TestKubernetesTargetGoldenPaths registers the real apiserver as a target
// through the API and deploys the representative app to it: objects read
// back, a change updates and prunes (and leaves a foreign object alone),
// drift shows up in env status, rollback restores, deletion removes all.
func TestKubernetesTargetGoldenPaths(t *testing.T) {
	kc := cluster.Get(t)
	dyn, err := dynamic.NewForConfig(kc.Config())
	must(t, err)
	ctx := context.Background()
	must(t, kc.InstallHTTPRoute(ctx))
	s, err := server.Start(ctx, server.Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(t.TempDir(), "data"), AdminToken: "pvd_e2e", MVPMode: true, RolloutTimeout: 30 * time.Second})
	must(t, err)
	defer s.Close()
	c := api.NewClient(s.URL, "pvd_e2e")

	// Integration: register the cluster, check it is connected.
	_, err = c.RegisterTarget(ctx, &paved.TargetInfo{Name: "test-cluster", Type: paved.TargetKubernetes, Kubeconfig: string(kc.KubeconfigData(kubetest.AdminToken))})
	must(t, err)
	h, err := c.ProbeTarget(ctx, "test-cluster")
	must(t, err)
	if !h.OK() {
		t.Fatalf("the cluster is not healthy: %s", h.Message)
	}
	_, err = c.RegisterTarget(ctx, &paved.TargetInfo{Name: "wrong-token", Type: paved.TargetKubernetes, Kubeconfig: string(kc.KubeconfigData("not-a-token"))})
	must(t, err)
	if h, err := c.ProbeTarget(ctx, "wrong-token"); err != nil || h.OK() || !strings.Contains(h.Message, "wrong-token") {
		t.Errorf("a wrong token passed the check or said nothing useful: %+v %v", h, err)
	}

	must(t, c.CreateTeam(ctx, &paved.Team{Name: "pioneers", Pioneering: true}))
	must(t, c.CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	_, err = c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "dev", Type: "development", Target: "test-cluster"})
	must(t, err)

	stop, err := kc.RollOut("shop-dev")
	must(t, err)
	defer stop()
	first := deploy(t, c, shopSpecs(true))
	if first.Rollout != paved.RolloutComplete {
		t.Errorf("a deployment whose workloads rolled out records rollout %q, want %q", first.Rollout, paved.RolloutComplete)
	}
	if env, err := c.GetEnvironment(ctx, "shop", "dev"); err != nil || env.Health == nil || env.Health.Status != paved.HealthHealthy || env.Health.Deployment != first.ID {
		t.Errorf("the environment's health after a rolled-out deployment: %+v %v", env, err)
	}
	if len(first.Inventory) < 14 {
		t.Fatalf("inventory has %d objects: %v", len(first.Inventory), first.Inventory)
	}
	for _, ref := range first.Inventory {
		if _, ok := live(t, dyn, ref); !ok {
			t.Errorf("%s is not in the cluster", ref)
		}
	}
	ns, _ := live(t, dyn, paved.ObjectRef{Kind: "Namespace", Name: "shop-dev"})
	if ns.GetLabels()["paved.dev/team"] != "pioneers" {
		t.Errorf("the namespace is not labelled with the owning team: %v", ns.GetLabels())
	}
	web, _ := live(t, dyn, paved.ObjectRef{Kind: "Deployment", Namespace: "shop-dev", Name: "web"})
	if img, _, _ := unstructured.NestedSlice(web.Object, "spec", "template", "spec", "containers"); len(img) != 1 || img[0].(map[string]any)["image"] != "ghcr.io/paved-demo/shop-web:1.0.0" {
		t.Errorf("the live web Deployment does not match: %v", img)
	}
	pw, _ := live(t, dyn, paved.ObjectRef{Kind: "Secret", Namespace: "shop-dev", Name: "postgres-api-db"})
	if data, _, _ := unstructured.NestedStringMap(pw.Object, "data"); data["password"] == "" {
		t.Errorf("the database Secret reached the cluster without its password")
	}

	// A foreign object in the namespace: paved must never touch it.
	foreign := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "someone-elses", "namespace": "shop-dev"}, "data": map[string]any{"a": "b"}}}
	_, err = dyn.Resource(gvrs["ConfigMap"]).Namespace("shop-dev").Apply(ctx, "someone-elses", foreign, metav1.ApplyOptions{FieldManager: "someone-else"})
	must(t, err)

	st, err := c.EnvironmentStatus(ctx, "shop", "dev")
	must(t, err)
	if !st.InSync {
		t.Errorf("right after a deployment the environment drifts: %+v", st.Drift)
	}
	// Someone scales the api by hand: drift.
	patch := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop-dev"},"spec":{"template":{"spec":{"containers":[{"name":"api","image":"hand-edited:1"}]}}}}`)
	_, err = dyn.Resource(gvrs["Deployment"]).Namespace("shop-dev").Patch(ctx, "api", types.ApplyPatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-edit", Force: ptr(true)})
	must(t, err)
	st, err = c.EnvironmentStatus(ctx, "shop", "dev")
	must(t, err)
	if st.InSync || !slices.ContainsFunc(st.Drift, func(d paved.Drift) bool { return d.Ref.Name == "api" && d.State == "changed" }) {
		t.Errorf("the hand edit is not reported as drift: %+v", st)
	}

	// Deploying over the hand edit is a conflict, reported, not forced.
	d, err := c.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs(false)})
	must(t, err)
	must(t, c.StreamEvents(ctx, d.ID, 0, func(paved.Event) error { return nil }))
	got, err := c.GetDeployment(ctx, d.ID)
	must(t, err)
	if got.Status != paved.DeploymentFailed || !strings.Contains(got.Error, `owned by field manager "kubectl-edit"`) {
		t.Fatalf("a deployment over another manager's field: %s %q", got.Status, got.Error)
	}
	// The other manager puts the value back: with equal values server-side
	// apply shares the field, and paved deploys again.
	release := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop-dev"},"spec":{"template":{"spec":{"containers":[{"name":"api","image":"ghcr.io/paved-demo/shop-api:1.0.0"}]}}}}`)
	_, err = dyn.Resource(gvrs["Deployment"]).Namespace("shop-dev").Patch(ctx, "api", types.ApplyPatchType, release, metav1.PatchOptions{FieldManager: "kubectl-edit"})
	must(t, err)

	// Remove the cache from web: its objects are pruned, the rest updated.
	second := deploy(t, c, shopSpecs(false))
	for _, ref := range first.Inventory {
		_, ok := live(t, dyn, ref)
		kept := slices.Contains(second.Inventory, ref)
		if ok != kept {
			t.Errorf("%s: live %v, in the new inventory %v", ref, ok, kept)
		}
	}
	if _, ok := live(t, dyn, paved.ObjectRef{Kind: "StatefulSet", Namespace: "shop-dev", Name: "redis-web-cache"}); ok {
		t.Errorf("the removed redis was not pruned")
	}
	if _, ok := live(t, dyn, paved.ObjectRef{Kind: "ConfigMap", Namespace: "shop-dev", Name: "someone-elses"}); !ok {
		t.Errorf("paved removed an object it did not create")
	}

	// Roll back: the redis comes back.
	rb, err := c.Rollback(ctx, first.ID)
	must(t, err)
	wait(t, c, rb)
	if _, ok := live(t, dyn, paved.ObjectRef{Kind: "StatefulSet", Namespace: "shop-dev", Name: "redis-web-cache"}); !ok {
		t.Errorf("the rollback did not bring the redis back")
	}

	// A target whose token is wrong fails the deployment, naming it.
	_, err = c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "broken", Type: "development", Target: "wrong-token"})
	must(t, err)
	bd, err := c.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "broken", Specs: shopSpecs(true)})
	must(t, err)
	must(t, c.StreamEvents(ctx, bd.ID, 0, func(paved.Event) error { return nil }))
	if got, _ := c.GetDeployment(ctx, bd.ID); got.Status != paved.DeploymentFailed || !strings.Contains(got.Error, `"wrong-token"`) {
		t.Errorf("a deployment to a target with a wrong token: %s %q", got.Status, got.Error)
	}

	// Delete the environment: everything paved applied is gone.
	if _, err := c.DeleteEnvironment(ctx, "shop", "dev", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range first.Inventory {
		if ref.Kind == "Namespace" {
			continue
		}
		if _, ok := live(t, dyn, ref); ok {
			t.Errorf("%s survived the environment's deletion", ref)
		}
	}
	if _, ok := live(t, dyn, paved.ObjectRef{Kind: "Namespace", Name: "shop-dev"}); ok {
		t.Errorf("the namespace is neither gone nor terminating")
	}
}

func ptr[T any](v T) *T { return &v }

// TestNothingRolledOutFails: workloads that do not roll out within the
// rollout timeout fail the deployment, naming them, and the environment is
// recorded as progressing; once they roll out, a deployment succeeds and
// the environment is healthy.
func TestNothingRolledOutFails(t *testing.T) {
	kc := cluster.Get(t)
	ctx := context.Background()
	must(t, kc.InstallHTTPRoute(ctx))
	s, err := server.Start(ctx, server.Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(t.TempDir(), "data"), AdminToken: "pvd_e2e_rollout", MVPMode: true, RolloutTimeout: 2 * time.Second})
	must(t, err)
	defer s.Close()
	c := api.NewClient(s.URL, "pvd_e2e_rollout")
	// An app of its own each run: the cluster keeps a deleted namespace
	// terminating, so the namespace of an earlier run (-count=2) is not
	// free yet.
	app := "stuck-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	ns := app + "-dev"
	_, err = c.RegisterTarget(ctx, &paved.TargetInfo{Name: "test-cluster", Type: paved.TargetKubernetes, Kubeconfig: string(kc.KubeconfigData(kubetest.AdminToken))})
	must(t, err)
	must(t, c.CreateTeam(ctx, &paved.Team{Name: "pioneers", Pioneering: true}))
	must(t, c.CreateApp(ctx, &paved.App{Name: app, Team: "pioneers"}))
	_, err = c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: app, Name: "dev", Target: "test-cluster"})
	must(t, err)
	specs := shopSpecs(true)

	d, err := c.Deploy(ctx, &paved.DeployRequest{App: app, Env: "dev", Specs: specs})
	must(t, err)
	must(t, c.StreamEvents(ctx, d.ID, 0, func(paved.Event) error { return nil }))
	got, err := c.GetDeployment(ctx, d.ID)
	must(t, err)
	if got.Status != paved.DeploymentFailed || !strings.Contains(got.Error, "did not roll out in time") ||
		!strings.Contains(got.Error, "Deployment/"+ns+"/api") || !strings.Contains(got.Error, "StatefulSet/"+ns+"/postgres-api-db") {
		t.Fatalf("a deployment whose workloads never rolled out: %s %q", got.Status, got.Error)
	}
	env, err := c.GetEnvironment(ctx, app, "dev")
	must(t, err)
	if env.Health == nil || env.Health.Status != paved.HealthProgressing {
		t.Errorf("the environment's health after a rollout timeout: %+v", env.Health)
	}

	stop, err := kc.RollOut(ns)
	must(t, err)
	defer stop()
	d, err = c.Deploy(ctx, &paved.DeployRequest{App: app, Env: "dev", Specs: specs})
	must(t, err)
	must(t, c.StreamEvents(ctx, d.ID, 0, func(paved.Event) error { return nil }))
	if got, _ := c.GetDeployment(ctx, d.ID); got.Status != paved.DeploymentSucceeded || got.Rollout != paved.RolloutComplete {
		t.Fatalf("once the workloads roll out: %s %q (%s)", got.Status, got.Error, got.Rollout)
	}
	if env, _ := c.GetEnvironment(ctx, app, "dev"); env.Health == nil || env.Health.Status != paved.HealthHealthy {
		t.Errorf("the environment's health after a rollout: %+v", env.Health)
	}
	if _, err := c.DeleteEnvironment(ctx, app, "dev", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}
