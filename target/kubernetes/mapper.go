package kubernetes

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
)

// restMapper finds the REST resource of a kind in an API version from the
// server's resource list of that group-version (GET /api/v1 or
// /apis/<group>/<version>), one request per group-version, cached.
//
// It stands in for client-go's discovery, memory and restmapper packages
// because discovery imports k8s.io/client-go/kubernetes/scheme, for one
// codec, and with it every typed API group: 141 of the 713 packages of
// paved's binary and about 40% of its cold-build CPU time (measured; see
// README.md). The target needs a small part of what those packages do:
// objects always name their version, so there are no preferred versions,
// group priorities, short names or plural guessing to settle. The HTTP
// client, credentials, error decoding and types stay client-go's.
type restMapper struct {
	client *rest.RESTClient
	mu     sync.Mutex
	lists  map[schema.GroupVersion]*resourceList
}

// resourceList is one group-version's resources, fetched once by whoever
// asks first while the others wait.
type resourceList struct {
	done      chan struct{}
	started   time.Time // when the fetch began: the list is no older
	resources []metav1.APIResource
	err       error
}

// newAPIClient is a REST client for the server's discovery paths. Its
// scheme knows only the metav1 types those paths and errors return.
func newAPIClient(cfg *rest.Config, hc *http.Client) (*rest.RESTClient, error) {
	c := rest.CopyConfig(cfg)
	scheme := runtime.NewScheme()
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	c.NegotiatedSerializer = serializer.NewCodecFactory(scheme).WithoutConversion()
	c.GroupVersion, c.APIPath = nil, ""
	c.AcceptContentTypes, c.ContentType = runtime.ContentTypeJSON, runtime.ContentTypeJSON
	return rest.UnversionedRESTClientForConfigAndClient(c, hc)
}

func newRESTMapper(client *rest.RESTClient) *restMapper {
	return &restMapper{client: client, lists: map[schema.GroupVersion]*resourceList{}}
}

// RESTMapping maps a kind in version to its resource and scope. A kind
// missing from a cached list is looked up once more in a fresh one, since
// a CRD may have been added since, unless the list is younger than
// refetchAfter; a kind still missing, or a group-version the server does
// not serve, is a meta.NoKindMatchError.
func (m *restMapper) RESTMapping(ctx context.Context, gk schema.GroupKind, version string) (*meta.RESTMapping, error) {
	return m.mappingSince(ctx, gk, version, time.Now().Add(-refetchAfter))
}

// refetchAfter is how old a list must be before a missing kind refetches
// it: many objects of a kind not yet served cost one request, not one each.
const refetchAfter = 250 * time.Millisecond

// mappingSince is RESTMapping for lookups that want what the server served
// at since or later: a kind missing from a list fetched before since is
// looked up in a fresh one, and one missing from a list fetched since is
// not. A round of lookups that shares its start as since costs at most one
// request per group-version.
func (m *restMapper) mappingSince(ctx context.Context, gk schema.GroupKind, version string, since time.Time) (*meta.RESTMapping, error) {
	gv := schema.GroupVersion{Group: gk.Group, Version: version}
	for retried := false; ; retried = true {
		l, err := m.list(ctx, gv)
		if err != nil {
			return nil, err
		}
		for _, r := range l.resources {
			if r.Kind != gk.Kind || strings.Contains(r.Name, "/") { // a subresource
				continue
			}
			scope := meta.RESTScopeRoot
			if r.Namespaced {
				scope = meta.RESTScopeNamespace
			}
			return &meta.RESTMapping{Resource: gv.WithResource(r.Name), GroupVersionKind: gv.WithKind(gk.Kind), Scope: scope}, nil
		}
		if retried || !l.started.Before(since) {
			return nil, &meta.NoKindMatchError{GroupKind: gk, SearchedVersions: []string{version}}
		}
		m.forget(gv, l)
	}
}

// list returns gv's resources. Failed fetches are not kept; a
// group-version the server does not serve is kept as an empty list. The
// fetch runs on its own, bounded by discoveryTimeout and not by any
// caller's context: every caller, the one that started it too, waits for
// it or for its own context, so that one caller giving up neither hands
// the others its cancellation nor is held up itself.
func (m *restMapper) list(ctx context.Context, gv schema.GroupVersion) (*resourceList, error) {
	m.mu.Lock()
	l, cached := m.lists[gv]
	if !cached {
		l = &resourceList{done: make(chan struct{}), started: time.Now()}
		m.lists[gv] = l
		go m.fetch(context.WithoutCancel(ctx), gv, l)
	}
	m.mu.Unlock()
	select {
	case <-l.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if l.err != nil {
		return nil, l.err
	}
	return l, nil
}

// fetch reads gv's resource list into l and closes l.done.
func (m *restMapper) fetch(ctx context.Context, gv schema.GroupVersion, l *resourceList) {
	defer close(l.done)
	path := "/apis/" + gv.Group + "/" + gv.Version
	if gv.Group == "" {
		path = "/api/" + gv.Version
	}
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	var got metav1.APIResourceList
	err := m.client.Get().AbsPath(path).Do(ctx).Into(&got)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		l.err = err
		m.forget(gv, l)
	default:
		l.resources = got.APIResources
	}
}

// discoveryTimeout bounds one group-version's resource list fetch.
const discoveryTimeout = 30 * time.Second

// forget drops gv's list if it is still l, so that the next call fetches it.
func (m *restMapper) forget(gv schema.GroupVersion, l *resourceList) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lists[gv] == l {
		delete(m.lists, gv)
	}
}
