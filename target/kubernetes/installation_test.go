package kubernetes

import (
	"context"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"paved.dev/paved"
)

// Two paved installations deploy the same app and env into the same
// namespace of one cluster: neither may prune, delete, overwrite or read
// the drift of the other's objects, whatever its inventory says.
func TestInstallationsSharingAClusterStayApart(t *testing.T) {
	t.Parallel()
	prod := newEnv(t, WithInstallation("prod"))
	staging := prod.with(t, WithInstallation("staging"))
	ns := prod.dc.Namespace
	objs := representative(ns, "hello")
	prodRes := prod.mustApply(t, objs, nil)

	cm := byKindName(objs, "ConfigMap", "web-config")
	live := prod.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: ns, Name: "web-config"})
	if l := live.GetLabels(); l[LabelInventory] != InventoryID("prod", "shop", "dev") || l[LabelInstallation] != "prod" {
		t.Errorf("labels = %v, want prod's inventory and installation", l)
	}

	// staging's inventory lists prod's objects (a store copied from prod):
	// its apply prunes none of them.
	own := paved.Object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "staging-only"}}
	stagingRes := staging.mustApply(t, []paved.Object{own}, prodRes.Inventory)
	for _, r := range prodRes.Inventory {
		if staging.get(t, r) == nil {
			t.Errorf("staging pruned prod's %s", r)
		}
	}
	if !containsLog(staging.logs, "not deleting ConfigMap/"+ns+"/web-config: it does not carry paved's inventory label for app shop env dev of installation staging") {
		t.Errorf("log does not say why prod's objects were kept: %q", staging.logs)
	}

	// Rendering an object of the same name is a conflict with prod's manager.
	_, err := staging.apply(t, []paved.Object{own, cm}, stagingRes.Inventory)
	assertError(t, err, paved.ECONFLICT, `field manager "paved/prod/shop/dev"`)

	// Drift sees prod's objects as not there, and shows none of their fields.
	drift, err := staging.target.Drift(context.Background(), staging.dc, objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) != len(objs) {
		t.Errorf("staging drift has %d objects, want all %d missing: %+v", len(drift), len(objs), drift)
	}
	for _, d := range drift {
		if !d.Missing || len(d.Fields) != 0 || !strings.Contains(d.Reason, "another environment's or paved installation's") {
			t.Errorf("staging drift of %s = %+v, want missing without fields", d.Ref, d)
		}
	}
	if drift, err := prod.target.Drift(context.Background(), prod.dc, objs); err != nil || len(drift) != 0 {
		t.Errorf("prod drift = %+v, %v; want none", drift, err)
	}

	// staging's Delete with prod's inventory leaves prod's objects and the
	// namespace prod made; prod's Delete leaves staging's object.
	if err := staging.target.Delete(context.Background(), staging.dc, prodRes.Inventory, ""); err != nil {
		t.Fatal(err)
	}
	for _, r := range prodRes.Inventory {
		if l := staging.get(t, r); l == nil || l.GetDeletionTimestamp() != nil {
			t.Errorf("staging's Delete removed prod's %s", r)
		}
	}
	if err := prod.target.Delete(context.Background(), prod.dc, append(slices.Clone(prodRes.Inventory), stagingRes.Inventory...), ""); err != nil {
		t.Fatal(err)
	}
	if prod.get(t, stagingRes.Inventory[0]) == nil {
		t.Error("prod's Delete removed staging's ConfigMap")
	}
	if prod.get(t, paved.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Name: "web"}) != nil {
		t.Error("prod's Delete left its own Deployment")
	}
}

// A paved version without installation ids deployed the environment; the
// new version, with an id, adopts what its own inventory lists.
func TestInstallationAdoptsObjectsOfTheVersionBefore(t *testing.T) {
	t.Parallel()
	old := newEnv(t) // no installation: labels and manager as before ids
	objs := representative(old.dc.Namespace, "hello")
	oldRes := old.mustApply(t, objs, nil)
	secret := paved.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: old.dc.Namespace, Name: "db-credentials"}

	// Refused without adoption, and without the inventory that lists them.
	for _, tt := range []struct {
		name     string
		e        *env
		previous []paved.ObjectRef
	}{
		{"adoption off", old.with(t, WithInstallation("prod"), WithLegacyAdoption(false)), oldRes.Inventory},
		{"not in the inventory", old.with(t, WithInstallation("prod")), nil},
	} {
		_, err := tt.e.apply(t, objs, tt.previous)
		if paved.ErrorCode(err) != paved.ECONFLICT || !strings.Contains(err.Error(), `"paved/shop/dev"`) {
			t.Errorf("%s: apply = %v, want a conflict with the old manager", tt.name, err)
		}
	}

	e := old.with(t, WithInstallation("prod"))
	if drift, err := e.target.Drift(context.Background(), e.dc, objs); err != nil || len(drift) != 0 {
		t.Fatalf("drift of the old version's objects = %+v, %v; want none", drift, err)
	}
	res := e.mustApply(t, without(objs, "Secret", "db-credentials"), oldRes.Inventory)
	if !containsLog(e.logs, "adopted Deployment/"+e.dc.Namespace+"/web from field manager paved/shop/dev") {
		t.Errorf("log does not tell of the adoption: %q", e.logs)
	}
	if e.get(t, secret) != nil {
		t.Error("the old version's Secret, no longer rendered, was not pruned")
	}
	for _, r := range res.Inventory {
		live := e.get(t, r)
		if l := live.GetLabels(); l[LabelInventory] != InventoryID("prod", "shop", "dev") || l[LabelInstallation] != "prod" {
			t.Errorf("%s labels = %v, want prod's", r, l)
		}
		for _, mf := range live.GetManagedFields() {
			if mf.Manager == "paved/shop/dev" {
				t.Errorf("%s is still managed by the old manager: %+v", r, mf)
			}
		}
	}
	if drift, err := e.target.Drift(context.Background(), e.dc, without(objs, "Secret", "db-credentials")); err != nil || len(drift) != 0 {
		t.Errorf("drift after adoption = %+v, %v; want none", drift, err)
	}
	// A field the new deployment drops goes: the adopted manager owned it.
	objs2 := without(objs, "Secret", "db-credentials")
	byKindName(objs2, "ConfigMap", "web-config")["data"] = map[string]any{"GREETING": "hello"}
	e.mustApply(t, objs2, res.Inventory)
	cm := e.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: e.dc.Namespace, Name: "web-config"})
	if !sameJSON(cm.Object["data"], map[string]any{"GREETING": "hello"}) {
		t.Errorf("data = %v, want MODE removed", cm.Object["data"])
	}
	// The namespace the old version made is the new one's to delete.
	if err := e.target.Delete(context.Background(), e.dc, res.Inventory, ""); err != nil {
		t.Fatal(err)
	}
	ns := e.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: e.dc.Namespace})
	if ns != nil && ns.GetDeletionTimestamp() == nil {
		t.Error("the namespace the old version made was not deleted")
	}
}

func TestRenameManager(t *testing.T) {
	fields := func(s string) *metav1.FieldsV1 { return metav1.NewFieldsV1(s) }
	apply, update := metav1.ManagedFieldsOperationApply, metav1.ManagedFieldsOperationUpdate
	entries := []metav1.ManagedFieldsEntry{
		{Manager: "paved/shop/dev", Operation: apply, FieldsV1: fields(`{"f:data":{"f:a":{}}}`)},
		{Manager: "kubectl", Operation: update, FieldsV1: fields(`{"f:data":{"f:b":{}}}`)},
		{Manager: "paved/prod/shop/dev", Operation: apply, FieldsV1: fields(`{"f:data":{"f:c":{}}}`)},
		{Manager: "paved/shop/dev", Operation: update, FieldsV1: fields(`{"f:data":{"f:d":{}}}`)},
	}
	got, changed, err := renameManager(entries, "paved/shop/dev", "paved/prod/shop/dev")
	if err != nil || !changed {
		t.Fatalf("renameManager = %v, %v", changed, err)
	}
	if len(got) != 3 || got[1].Manager != "paved/prod/shop/dev" || got[2].Operation != update {
		t.Fatalf("entries = %+v", got)
	}
	if s := got[1].FieldsV1.GetRawString(); s != `{"f:data":{"f:a":{},"f:c":{}}}` {
		t.Errorf("merged fields = %s", s)
	}
	if _, changed, _ := renameManager(got, "paved/shop/dev", "paved/prod/shop/dev"); changed {
		t.Error("a second rename changed something")
	}
}
