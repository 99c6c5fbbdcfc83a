package kubernetes

import (
	"context"
	"encoding/json"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"paved.dev/paved"
)

// Objects applied by paved versions without an installation id carry the
// inventory label InventoryID("", app, env) and are owned by the field
// manager "paved/<app>/<env>". A target with an installation id adopts them
// (unless WithLegacyAdoption(false)): it prunes and deletes them like its own
// when they are in its inventory, reads their drift, and on the first apply
// moves the old manager's fields to its own manager, after which the object
// carries the new label. Without that move every apply would be a conflict:
// the old manager owns the inventory label, whose value changes.
//
// Adoption is limited to what this installation's own inventory lists (and
// to the environment's namespace), but a legacy label cannot tell which
// installation wrote it: two installations that both deployed the same app
// and env into the same namespace before ids existed were already sharing
// those objects. Once every installation has redeployed, nothing legacy is
// left and WithLegacyAdoption(false) closes the door.

// WithLegacyAdoption turns the adoption of objects applied before
// installation ids on (the default) or off. It matters only with
// WithInstallation.
func WithLegacyAdoption(on bool) Option { return func(o *options) { o.adoptLegacy = on } }

func (t *Target) adoptsLegacy() bool {
	return t.opts.installation != "" && t.opts.adoptLegacy
}

// legacyManager is the field manager of dc before installation ids.
func legacyManager(dc paved.DeployContext) string {
	return FieldManagerFor("", dc)
}

// adoptLive reads an object and adopts it when it carries the legacy label;
// it reports false, leaving the caller's conflict to stand, when not.
func (t *Target) adoptLive(ctx context.Context, ri dynamic.ResourceInterface, name string, dc paved.DeployContext, log *syncLog) (bool, error) {
	live, err := ri.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return false, t.apiError("read "+name+" to adopt it", err)
	}
	if t.ownerOf(live, dc) != legacy {
		return false, nil
	}
	return t.adopt(ctx, ri, live, dc, log)
}

// adopt moves a legacy object's fields from the old field manager to this
// installation's, so that the next apply owns them and may change the
// inventory label. It reports whether it changed anything.
func (t *Target) adopt(ctx context.Context, ri dynamic.ResourceInterface, live *unstructured.Unstructured, dc paved.DeployContext, log *syncLog) (bool, error) {
	entries, changed, err := renameManager(live.GetManagedFields(), legacyManager(dc), t.fieldManager(dc))
	if err != nil || !changed {
		return false, err
	}
	// As client-go's csaupgrade does: replace the managed fields, and the
	// resource version too, so that a concurrent change makes this a
	// conflict instead of losing it.
	patch, err := json.Marshal([]map[string]any{
		{"op": "replace", "path": "/metadata/managedFields", "value": entries},
		{"op": "replace", "path": "/metadata/resourceVersion", "value": live.GetResourceVersion()},
	})
	if err != nil {
		return false, paved.Errorf(paved.EINTERNAL, "%s: adopt %s: %w", t, refOf(live), err)
	}
	if _, err := ri.Patch(ctx, live.GetName(), types.JSONPatchType, patch, metav1.PatchOptions{FieldManager: t.fieldManager(dc)}); err != nil {
		return false, t.apiError("adopt "+refOf(live).String()+" from field manager "+legacyManager(dc), err)
	}
	log.printf("adopted %s from field manager %s (applied by a paved version without installation ids)", refOf(live), legacyManager(dc))
	return true, nil
}

// renameManager gives the apply entries of manager from to manager to,
// merging them into to's entry of the same subresource when there is one.
func renameManager(entries []metav1.ManagedFieldsEntry, from, to string) ([]metav1.ManagedFieldsEntry, bool, error) {
	out := slices.Clone(entries)
	changed := false
	for i := 0; i < len(out); i++ {
		e := out[i]
		if e.Manager != from || e.Operation != metav1.ManagedFieldsOperationApply {
			continue
		}
		changed = true
		j := slices.IndexFunc(out, func(o metav1.ManagedFieldsEntry) bool {
			return o.Manager == to && o.Operation == metav1.ManagedFieldsOperationApply && o.Subresource == e.Subresource
		})
		if j < 0 {
			out[i].Manager = to
			continue
		}
		merged, err := unionFields(out[j].FieldsV1, e.FieldsV1)
		if err != nil {
			return nil, false, err
		}
		out[j].FieldsV1 = merged
		out = slices.Delete(out, i, i+1)
		i--
	}
	return out, changed, nil
}

func unionFields(a, b *metav1.FieldsV1) (*metav1.FieldsV1, error) {
	var sa, sb fieldpath.Set
	if a != nil {
		if err := sa.FromJSON(a.GetRawReader()); err != nil {
			return nil, err
		}
	}
	if b != nil {
		if err := sb.FromJSON(b.GetRawReader()); err != nil {
			return nil, err
		}
	}
	raw, err := sa.Union(&sb).ToJSON()
	if err != nil {
		return nil, err
	}
	return metav1.NewFieldsV1(string(raw)), nil
}

func refOf(obj *unstructured.Unstructured) paved.ObjectRef {
	return paved.ObjectRef{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}
}
