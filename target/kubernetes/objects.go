package kubernetes

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"paved.dev/paved"
)

// item is one object on its way to the cluster.
type item struct {
	obj     *unstructured.Unstructured
	gk      schema.GroupKind
	stage   int
	mapping *meta.RESTMapping // nil until the kind is known to the cluster
}

func (it *item) ref() paved.ObjectRef {
	return paved.ObjectRef{
		APIVersion: it.obj.GetAPIVersion(),
		Kind:       it.obj.GetKind(),
		Namespace:  it.obj.GetNamespace(),
		Name:       it.obj.GetName(),
	}
}

// objKey identifies an object regardless of the API version it was written
// in: apps/v1 and apps/v1beta1 Deployments of one name are the same object.
type objKey struct {
	group, kind, namespace, name string
}

func keyOf(r paved.ObjectRef) objKey {
	gv, _ := schema.ParseGroupVersion(r.APIVersion)
	return objKey{gv.Group, r.Kind, r.Namespace, r.Name}
}

// toItems copies the rendered objects (the caller's stay untouched), checks
// that each names itself, stamps paved's metadata, confines each to the
// environment's namespace (confine.go), and sorts them by stage and name.
// A kind the cluster does not serve is an error unless a CRD among the
// objects defines it (those are confined by the CRD's scope now and mapped
// after the CRDs are applied) or unserved is set: such items are then left
// unmapped, in dc.Namespace when they name no namespace.
func (t *Target) toItems(ctx context.Context, objs []paved.Object, dc paved.DeployContext, deploymentID string, unserved bool) ([]*item, error) {
	crdScopes := map[schema.GroupKind]string{}
	items := make([]*item, 0, len(objs))
	for i, o := range objs {
		obj, err := copyObject(o)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "%s: object %d (%s): %w", t, i, paved.Object(o).Ref(), err)
		}
		if obj.GetAPIVersion() == "" || obj.GetName() == "" {
			return nil, paved.Errorf(paved.EINVALID, "%s: object %d (%s) needs apiVersion, kind and metadata.name", t, i, paved.Object(o).Ref())
		}
		gk := obj.GroupVersionKind().GroupKind()
		if gk == (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
			group, _, _ := unstructured.NestedString(obj.Object, "spec", "group")
			kind, _, _ := unstructured.NestedString(obj.Object, "spec", "names", "kind")
			scope, _, _ := unstructured.NestedString(obj.Object, "spec", "scope")
			crdScopes[schema.GroupKind{Group: group, Kind: kind}] = scope
		}
		t.stamp(obj, dc, deploymentID)
		items = append(items, &item{obj: obj, gk: gk, stage: stageOf(gk)})
	}
	since := time.Now()
	for _, it := range items {
		err := t.mapItem(ctx, it, since)
		if meta.IsNoMatchError(err) {
			if scope, ok := crdScopes[it.gk]; ok {
				if err := t.confine(it, scope != "Cluster", dc); err != nil {
					return nil, err
				}
				continue
			}
			if unserved {
				if it.obj.GetNamespace() == "" {
					it.obj.SetNamespace(dc.Namespace)
				}
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		if err := t.confine(it, namespaced(it.mapping), dc); err != nil {
			return nil, err
		}
	}
	seen := map[objKey]bool{}
	for _, it := range items {
		k := keyOf(it.ref())
		if seen[k] {
			return nil, paved.Errorf(paved.EINVALID, "%s: %s appears twice among the objects to apply", t, it.ref())
		}
		seen[k] = true
	}
	sortItems(items)
	return items, nil
}

// mapItem finds the REST resource of the item's kind in what the server
// served at since or later (restMapper.mappingSince): the items of one round
// share since, so that the round lists each group-version at most once.
func (t *Target) mapItem(ctx context.Context, it *item, since time.Time) error {
	gvk := it.obj.GroupVersionKind()
	m, err := t.mapper.mappingSince(ctx, it.gk, gvk.Version, since)
	if meta.IsNoMatchError(err) {
		return paved.Errorf(paved.EINVALID, "%s: %s: the cluster does not serve kind %s in %s (is its CRD installed?): %w", t, it.ref(), gvk.Kind, gvk.GroupVersion(), err)
	}
	if err != nil {
		return t.apiError("discover "+gvk.String(), err)
	}
	it.mapping = m
	return nil
}

func namespaced(m *meta.RESTMapping) bool {
	return m.Scope.Name() == meta.RESTScopeNameNamespace
}

// mapLate maps the kinds that CRDs applied in this request define. A new
// CRD takes a moment to be served, so this retries for a while. The items
// were confined by their CRD's scope; they are confined again by the served
// one before any of them is applied.
func (t *Target) mapLate(ctx context.Context, items []*item, dc paved.DeployContext) error {
	if !slices.ContainsFunc(items, func(it *item) bool { return it.mapping == nil }) {
		return nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		// A kind missing from a list fetched before the round is looked up
		// in a fresh one, once per group-version.
		var missing error
		since := time.Now()
		for _, it := range items {
			if it.mapping != nil {
				continue
			}
			if err := t.mapItem(ctx, it, since); err != nil {
				missing = err
				continue
			}
			if err := t.confine(it, namespaced(it.mapping), dc); err != nil {
				return err
			}
		}
		if missing == nil || time.Now().After(deadline) {
			return missing
		}
		select {
		case <-ctx.Done():
			return t.apiError("wait for new custom resource kinds", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// copyObject deep-copies a rendered object through JSON, which also turns
// any Go numbers and slices into the types unstructured code expects.
func copyObject(o paved.Object) (*unstructured.Unstructured, error) {
	data, err := json.Marshal(map[string]any(o))
	if err != nil {
		return nil, err
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return obj, nil
}

func sortItems(items []*item) {
	slices.SortStableFunc(items, func(a, b *item) int {
		return cmp.Or(cmp.Compare(a.stage, b.stage), compareRefs(a.ref(), b.ref()))
	})
}

func compareRefs(a, b paved.ObjectRef) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.Name, b.Name), cmp.Compare(a.APIVersion, b.APIVersion))
}
