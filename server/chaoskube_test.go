package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/kubetest"
	"paved.dev/paved/target/kubernetes"
)

// kubeChaos deploys to a real kube-apiserver and etcd (package kubetest),
// started for the variant and stopped at its end, registered through the
// API as the cluster the environment deploys to. Workloads are marked
// rolled out as they change (the cluster runs no controllers), so that
// deployments succeed. The target is read from the cluster itself: every
// object of every namespaced kind it serves that paved labelled for the
// environment, and its namespace.
func kubeChaos(t *testing.T) chaosTarget {
	t.Helper()
	kc := needCluster(t)
	ctx := context.Background()
	must(t, kc.InstallHTTPRoute(ctx))
	stop, err := kc.RollOut("")
	must(t, err)
	t.Cleanup(stop)
	// Listing every kind lists v1 Endpoints too, which warns.
	cfg := kc.Config()
	cfg.WarningHandler = rest.NoWarnings{}
	dyn, err := dynamic.NewForConfig(cfg)
	must(t, err)
	kinds := namespacedKinds(t, cfg)
	return chaosTarget{
		name: "the kube-apiserver",
		// The workloads roll out within 50 ms (RollOut): a rollout
		// read every 100 ms instead of every second keeps the suite short.
		env: []string{"PAVED_TEST_ROLLOUT_POLL=100ms"},
		prepare: func(t *testing.T, c *api.Client, app string) string {
			_, err := c.RegisterTarget(context.Background(), &paved.TargetInfo{Name: "chaos-cluster", Type: paved.TargetKubernetes,
				Kubeconfig: string(kc.KubeconfigData(kubetest.AdminToken))})
			must(t, err)
			return "chaos-cluster"
		},
		holds: func(t *testing.T, _ string, env *paved.Environment) ([]paved.ObjectRef, workloadImages) {
			t.Helper()
			objs := pavedObjects(t, dyn, kinds, env)
			var refs []paved.ObjectRef
			images := workloadImages{}
			for _, o := range objs {
				// What is being deleted is on its way out (a cluster
				// with controllers may take a moment to finish it).
				if o.GetDeletionTimestamp() != nil {
					continue
				}
				refs = append(refs, paved.ObjectRef{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()})
				if o.GetKind() == "Deployment" {
					images.add(t, o)
				}
			}
			return refs, images
		},
		gone: func(t *testing.T, env *paved.Environment) {
			t.Helper()
			// Without controllers a deleted namespace stays terminating.
			for _, o := range pavedObjects(t, dyn, kinds, env) {
				if o.GetKind() != "Namespace" || o.GetDeletionTimestamp() == nil {
					t.Errorf("left on the cluster after the environment was deleted: %s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
				}
			}
		},
	}
}

// needCluster starts a kube-apiserver and etcd for the test, stopped at its
// end. Without the binaries it skips, saying how to build them, but fails
// under CI=true: CI must not pass by skipping.
func needCluster(t *testing.T) *kubetest.Cluster {
	t.Helper()
	var c *kubetest.Cluster
	var err error
	// A second try covers a port taken between choosing and binding it.
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		c, err = kubetest.Start(ctx)
		cancel()
		if err == nil || errors.Is(err, kubetest.ErrNoBinaries) {
			break
		}
	}
	switch {
	case errors.Is(err, kubetest.ErrNoBinaries) && os.Getenv("CI") != "true":
		t.Skip("kubetest: " + err.Error())
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}

// namespacedKinds asks the cluster, as kubectl api-resources does, for
// every namespaced resource it serves that can be listed, in each group's
// preferred version (CRDs installed by then included).
func namespacedKinds(t *testing.T, cfg *rest.Config) []schema.GroupVersionResource {
	t.Helper()
	client, err := rest.HTTPClientFor(cfg)
	must(t, err)
	get := func(path string, out any) {
		resp, err := client.Get(cfg.Host + path)
		must(t, err)
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("discovery: GET %s: %s", path, resp.Status)
		}
		must(t, json.NewDecoder(resp.Body).Decode(out))
	}
	versions := []string{"v1"}
	var groups metav1.APIGroupList
	get("/apis", &groups)
	for _, g := range groups.Groups {
		versions = append(versions, g.PreferredVersion.GroupVersion)
	}
	var out []schema.GroupVersionResource
	for _, v := range versions {
		path := "/apis/" + v
		if v == "v1" {
			path = "/api/v1"
		}
		var list metav1.APIResourceList
		get(path, &list)
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		must(t, err)
		for _, r := range list.APIResources {
			if r.Namespaced && !strings.Contains(r.Name, "/") && slices.Contains(r.Verbs, "list") {
				out = append(out, gv.WithResource(r.Name))
			}
		}
	}
	if !slices.Contains(out, kubetest.HTTPRoutes) {
		t.Fatalf("discovery found %d namespaced kinds, HTTPRoute not among them", len(out))
	}
	return out
}

// pavedObjects lists what paved applied for env on the cluster: the
// objects of every kind in its namespace that carry paved's managed-by
// label, and the namespace when it carries it too. Each must carry the
// environment's inventory label (of the installation it names): an object
// paved labelled for anything else has no business in this namespace.
func pavedObjects(t *testing.T, dyn dynamic.Interface, kinds []schema.GroupVersionResource, env *paved.Environment) []*unstructured.Unstructured {
	t.Helper()
	ctx := context.Background()
	selector := metav1.ListOptions{LabelSelector: kubernetes.LabelManagedBy + "=paved"}
	var out []*unstructured.Unstructured
	ns, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).Get(ctx, env.Namespace, metav1.GetOptions{})
	switch {
	case err != nil && !apierrors.IsNotFound(err):
		t.Fatalf("read namespace %s: %v", env.Namespace, err)
	case err == nil && ns.GetLabels()[kubernetes.LabelManagedBy] == "paved":
		out = append(out, ns)
	}
	for _, gvr := range kinds {
		list, err := dyn.Resource(gvr).Namespace(env.Namespace).List(ctx, selector)
		if err != nil {
			t.Fatalf("list %s in %s: %v", gvr, env.Namespace, err)
		}
		for i := range list.Items {
			out = append(out, &list.Items[i])
		}
	}
	for _, o := range out {
		labels := o.GetLabels()
		if want := kubernetes.InventoryID(labels[kubernetes.LabelInstallation], env.App, env.Name); labels[kubernetes.LabelInventory] != want {
			t.Errorf("%s %s/%s carries inventory label %q, not app %s env %s's (%s)", o.GetKind(), o.GetNamespace(), o.GetName(),
				labels[kubernetes.LabelInventory], env.App, env.Name, want)
		}
	}
	return out
}
