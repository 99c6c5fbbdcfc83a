package kubernetes

import (
	"context"
	"testing"

	"paved.dev/paved"
)

func TestDeleteRemovesWhatPavedApplied(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		nsExists    bool // the namespace was there before paved
		nsDeleted   bool
		renderNSObj bool
	}{
		{name: "namespace created by paved", nsDeleted: true},
		{name: "namespace created by paved and rendered", nsDeleted: true, renderNSObj: true},
		{name: "namespace that existed before", nsExists: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ns := e.dc.Namespace
			nsRef := paved.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: ns}
			if tt.nsExists {
				e.applyAs(t, "platform-team", false, paved.Object{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}})
			}
			objs := representative(ns, "hello")
			if !tt.renderNSObj {
				objs = without(objs, "Namespace", ns)
			}
			res := e.mustApply(t, objs, nil)
			foreign := paved.Object{"apiVersion": "v1", "kind": "ConfigMap",
				"metadata": map[string]any{"name": "ops-notes", "namespace": ns}, "data": map[string]any{"owner": "ops"}}
			e.applyAs(t, "ops", false, foreign)
			inventory := append(res.Inventory, foreign.Ref())

			if err := e.target.Delete(context.Background(), e.dc, inventory, "environment removed"); err != nil {
				t.Fatalf("delete: %v", err)
			}
			for _, r := range res.Inventory {
				if r == nsRef {
					continue
				}
				if e.get(t, r) != nil {
					t.Errorf("%s still exists", r)
				}
			}
			if e.get(t, foreign.Ref()) == nil {
				t.Errorf("foreign ConfigMap was deleted")
			}
			live := e.get(t, nsRef)
			// No namespace controller runs: a deleted namespace stays Terminating.
			deleted := live == nil || live.GetDeletionTimestamp() != nil
			if deleted != tt.nsDeleted {
				t.Errorf("namespace deleted = %v, want %v", deleted, tt.nsDeleted)
			}
			if tt.nsExists && live.GetLabels()[LabelApp] != "shop" {
				t.Errorf("existing namespace was not labelled for the app: %v", live.GetLabels())
			}
			// Deleting again finds nothing to do and does not fail.
			if err := e.target.Delete(context.Background(), e.dc, inventory, ""); err != nil {
				t.Errorf("second delete: %v", err)
			}
		})
	}
}

func TestApplyLeavesNamespaceOfAnotherEnvironmentAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustApply(t, []paved.Object{byKindName(representative(e.dc.Namespace, "x"), "ConfigMap", "web-config")}, nil)

	other := e.dc
	other.Env = "staging"
	_, err := e.target.Apply(context.Background(), &paved.ApplyRequest{Context: other, Objects: []paved.Object{
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "staging-config"}}}})
	if err != nil {
		t.Fatalf("apply other env: %v", err)
	}
	ns := e.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: e.dc.Namespace})
	if got := ns.GetLabels()[LabelEnv]; got != "dev" {
		t.Errorf("namespace env label = %q, want it left at dev", got)
	}
	// The other environment cannot delete the namespace either.
	if err := e.target.Delete(context.Background(), other, nil, ""); err != nil {
		t.Fatal(err)
	}
	ns = e.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: e.dc.Namespace})
	if ns == nil || ns.GetDeletionTimestamp() != nil {
		t.Errorf("namespace of dev was deleted by staging's Delete")
	}
}
