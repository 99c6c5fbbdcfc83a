package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"paved.dev/paved"
)

// countingTransport counts the requests of each path.
type countingTransport struct {
	next  http.RoundTripper
	mu    sync.Mutex
	paths map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.paths[r.URL.Path]++
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

func (c *countingTransport) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[path]
}

func TestRESTMapper(t *testing.T) {
	t.Parallel()
	c := cluster.Get(t)
	counter := &countingTransport{paths: map[string]int{}}
	cfg := c.Config()
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter })
	target, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		gk         schema.GroupKind
		version    string
		resource   string
		namespaced bool
	}{
		{schema.GroupKind{Kind: "ConfigMap"}, "v1", "configmaps", true},
		{schema.GroupKind{Kind: "Namespace"}, "v1", "namespaces", false},
		{schema.GroupKind{Group: "apps", Kind: "Deployment"}, "v1", "deployments", true},
		{schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}, "v1", "clusterroles", false},
		{schema.GroupKind{Group: "networking.k8s.io", Kind: "Ingress"}, "v1", "ingresses", true},
	}
	for _, tt := range tests {
		m, err := target.mapper.RESTMapping(ctx, tt.gk, tt.version)
		if err != nil {
			t.Errorf("%v: %v", tt.gk, err)
			continue
		}
		want := tt.gk.WithVersion(tt.version).GroupVersion().WithResource(tt.resource)
		if m.Resource != want || namespaced(m) != tt.namespaced || m.GroupVersionKind != tt.gk.WithVersion(tt.version) {
			t.Errorf("%v: mapping = %+v, want %v namespaced=%v", tt.gk, m, want, tt.namespaced)
		}
	}
	for _, miss := range []struct {
		gk      schema.GroupKind
		version string
	}{
		{schema.GroupKind{Group: "apps", Kind: "Widget"}, "v1"},                         // served group-version, no such kind
		{schema.GroupKind{Group: "apps", Kind: "Deployment"}, "v1beta1"},                // no longer served
		{schema.GroupKind{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute"}, "v1"}, // no CRD
		{schema.GroupKind{Group: "autoscaling", Kind: "Scale"}, "v1"},                   // only a subresource (deployments/scale)
		{schema.GroupKind{Group: "apps", Kind: "Scale"}, "v1"},
	} {
		if _, err := target.mapper.RESTMapping(ctx, miss.gk, miss.version); !meta.IsNoMatchError(err) {
			t.Errorf("%v %s: err = %v, want no match", miss.gk, miss.version, err)
		}
	}

	// Many at once ask once; a cached list answers later calls.
	before := counter.count("/apis/batch/v1")
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 20 {
		wg.Go(func() {
			if _, err := target.mapper.RESTMapping(ctx, schema.GroupKind{Group: "batch", Kind: "Job"}, "v1"); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if _, err := target.mapper.RESTMapping(ctx, schema.GroupKind{Group: "batch", Kind: "CronJob"}, "v1"); err != nil || failed.Load() > 0 {
		t.Errorf("batch mappings failed: %v (%d concurrent)", err, failed.Load())
	}
	if got := counter.count("/apis/batch/v1") - before; got != 1 {
		t.Errorf("%d requests for /apis/batch/v1, want 1", got)
	}

	// Errors of the server come back as they are, for apiError.
	bad, err := FromKubeconfig(c.KubeconfigData("not-a-token"), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.mapper.RESTMapping(ctx, schema.GroupKind{Kind: "ConfigMap"}, "v1")
	assertError(t, bad.apiError("discover", err), paved.EUNAUTHORIZED, "unauthorized")
}

// A CRD added after its group-version was listed is found: a kind missing
// from a cached list is looked up in a fresh one.
func TestRESTMapperSeesNewCRDsOfAListedGroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	group := e.dc.Namespace + ".paved.test"
	ctx := context.Background()
	crds := e.dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	create := func(kind, plural string) {
		t.Helper()
		crd := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
			"metadata": map[string]any{"name": plural + "." + group},
			"spec": map[string]any{"group": group, "scope": "Namespaced",
				"names": map[string]any{"plural": plural, "kind": kind},
				"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true,
					"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object"}}}}}}}
		if _, err := crds.Create(ctx, crd, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitMapped := func(kind, resource string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			m, err := e.target.mapper.RESTMapping(ctx, schema.GroupKind{Group: group, Kind: kind}, "v1")
			if err == nil {
				if m.Resource.Resource != resource {
					t.Fatalf("%s maps to %v", kind, m.Resource)
				}
				return
			}
			if !meta.IsNoMatchError(err) || time.Now().After(deadline) {
				t.Fatalf("map %s: %v", kind, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	create("Apple", "apples")
	waitMapped("Apple", "apples")
	create("Pear", "pears")
	waitMapped("Pear", "pears")
}

// slowTransport holds requests of one path until released.
type slowTransport struct {
	next    http.RoundTripper
	path    string
	release chan struct{}
}

func (s *slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == s.path {
		<-s.release
	}
	return s.next.RoundTrip(r)
}

// TestRESTMapperFetchOutlivesItsFirstCaller: the caller that started a
// resource list fetch gives up (its context ends); it gets its own
// cancellation at once, and a second caller waiting on the same fetch gets
// the list, not the first caller's error.
func TestRESTMapperFetchOutlivesItsFirstCaller(t *testing.T) {
	t.Parallel()
	c := cluster.Get(t)
	slow := &slowTransport{path: "/apis/apps/v1", release: make(chan struct{})}
	cfg := c.Config()
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { slow.next = rt; return slow })
	target, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gk := schema.GroupKind{Group: "apps", Kind: "Deployment"}
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := target.mapper.RESTMapping(first, gk, "v1")
		firstErr <- err
	}()
	time.Sleep(50 * time.Millisecond) // the first caller started the fetch
	second := make(chan error, 1)
	go func() {
		m, err := target.mapper.RESTMapping(context.Background(), gk, "v1")
		if err == nil && m.Resource.Resource != "deployments" {
			err = errors.New("mapped to " + m.Resource.Resource)
		}
		second <- err
	}()
	cancel()
	select {
	case err := <-firstErr:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the first caller: %v, want its own cancellation", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first caller still waits on the fetch after its context ended")
	}
	close(slow.release)
	if err := <-second; err != nil {
		t.Fatalf("the second caller: %v, want the list", err)
	}
}

// Kinds missing from a young list do not refetch it: many objects of a
// kind not yet served cost one request per refetchAfter, not one each.
func TestRESTMapperRefetchesAMissingKindOncePerInterval(t *testing.T) {
	t.Parallel()
	c := cluster.Get(t)
	counter := &countingTransport{paths: map[string]int{}}
	cfg := c.Config()
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter })
	target, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const group = "unserved.paved.test"
	path := "/apis/" + group + "/v1"
	round := func() {
		t.Helper()
		start := time.Now()
		for i := range 20 {
			gk := schema.GroupKind{Group: group, Kind: fmt.Sprintf("Kind%d", i)}
			if _, err := target.mapper.RESTMapping(ctx, gk, "v1"); !meta.IsNoMatchError(err) {
				t.Fatalf("%v: err = %v, want no match", gk, err)
			}
		}
		if time.Since(start) >= refetchAfter {
			t.Skipf("20 lookups took %v, longer than refetchAfter (%v): the machine is too busy to tell", time.Since(start), refetchAfter)
		}
	}
	round()
	if got := counter.count(path); got != 1 {
		t.Errorf("20 missing kinds: %d requests for %s, want 1", got, path)
	}
	time.Sleep(refetchAfter + 50*time.Millisecond)
	round()
	if got := counter.count(path); got != 2 {
		t.Errorf("20 missing kinds again after %v: %d requests for %s in all, want 2", refetchAfter, got, path)
	}
}

// One CRD and many of its custom resources in a request: each round of
// mapping the not-yet-served kind lists its group-version once, not once
// per object.
func TestApplyManyCustomResourcesListTheirGroupOncePerRound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	counter := &countingTransport{paths: map[string]int{}}
	cfg := e.c.Config()
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter })
	target, err := New(cfg, WithName("test"), WithWaitTimeout(0),
		WithClusterScopedKinds("apiextensions.k8s.io/CustomResourceDefinition"))
	if err != nil {
		t.Fatal(err)
	}
	e.target = target
	group := e.dc.Namespace + ".paved.test"
	objs := []paved.Object{{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "gizmos." + group},
		"spec": map[string]any{
			"group": group, "scope": "Namespaced",
			"names": map[string]any{"plural": "gizmos", "kind": "Gizmo"},
			"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object",
					"x-kubernetes-preserve-unknown-fields": true}}}},
		}}}
	for i := range 20 {
		objs = append(objs, paved.Object{"apiVersion": group + "/v1", "kind": "Gizmo",
			"metadata": map[string]any{"name": fmt.Sprintf("g%d", i)}})
	}
	start := time.Now()
	e.mustApply(t, objs, nil)
	took := time.Since(start)
	// One list while building the items, then one per round of mapLate,
	// which waits 500 ms between rounds.
	rounds := 1 + int(took/(500*time.Millisecond))
	if got := counter.count("/apis/" + group + "/v1"); got > 1+rounds {
		t.Errorf("%d requests for /apis/%s/v1 in %v, want at most %d (one per round)", got, group, took, 1+rounds)
	}
}
