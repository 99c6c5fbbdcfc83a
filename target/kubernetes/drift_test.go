package kubernetes

import (
	"context"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"paved.dev/paved"
)

func TestDriftFindsChangedRemovedAndMissing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ns := e.dc.Namespace
	objs := representative(ns, "hello")
	e.mustApply(t, objs, nil)

	drift, err := e.target.Drift(context.Background(), e.dc, objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) != 0 {
		t.Fatalf("drift right after apply: %+v", drift)
	}

	// Someone edits the live objects the way kubectl edit and scale do, and
	// deletes the Secret. A label added by someone else is not drift.
	e.update(t, paved.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Name: "web"}, func(o *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(o.Object, int64(5), "spec", "replicas")
		containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
		delete(containers[1].(map[string]any), "args")
		_ = unstructured.SetNestedSlice(o.Object, containers, "spec", "template", "spec", "containers")
		o.SetLabels(map[string]string{"added-by-ops": "yes", LabelInventory: o.GetLabels()[LabelInventory], LabelManagedBy: "paved"})
	})
	e.update(t, paved.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: ns, Name: "web-config"}, func(o *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(o.Object, "changed", "data", "GREETING")
	})
	secret := paved.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: ns, Name: "db-credentials"}
	if err := e.dyn.Resource(gvrOf(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret"}})).
		Namespace(ns).Delete(context.Background(), secret.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	// An object whose kind the cluster does not serve (its CRD is gone).
	route := paved.Object{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		"metadata": map[string]any{"name": "web"}, "spec": map[string]any{}}
	drift, err = e.target.Drift(context.Background(), e.dc, append(slices.Clone(objs), route))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Drift{}
	for _, d := range drift {
		got[d.Ref.String()] = d
	}
	if len(got) != 4 {
		t.Errorf("drift in %d objects, want 4: %+v", len(got), drift)
	}
	if d := got["HTTPRoute/"+ns+"/web"]; !d.Missing {
		t.Errorf("HTTPRoute drift = %+v, want missing", d)
	}
	if d := got[secret.String()]; !d.Missing {
		t.Errorf("Secret drift = %+v, want missing", d)
	}
	tests := []struct {
		ref    string
		fields []FieldDrift
	}{
		{"Deployment/" + ns + "/web", []FieldDrift{
			{Path: ".spec.replicas", Applied: int64(2), Live: int64(5), Manager: "kubectl-edit"},
			{Path: ".spec.template.spec.containers[name=proxy].args", Applied: []any{"--config-path", "/etc/envoy/envoy.yaml"}},
		}},
		{"ConfigMap/" + ns + "/web-config", []FieldDrift{
			{Path: ".data.GREETING", Applied: "hello", Live: "changed", Manager: "kubectl-edit"},
		}},
	}
	for _, tt := range tests {
		d := got[tt.ref]
		if !sameJSON(d.Fields, tt.fields) {
			t.Errorf("%s drift =\n%+v\nwant\n%+v", tt.ref, d.Fields, tt.fields)
		}
	}
}

// update changes a live object with a plain update, as kubectl edit does.
func (e *env) update(t *testing.T, r paved.ObjectRef, change func(*unstructured.Unstructured)) {
	t.Helper()
	ri, err := e.target.resourceFor(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := ri.Get(context.Background(), r.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	change(obj)
	if _, err := ri.Update(context.Background(), obj, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatalf("update %s: %v", r, err)
	}
}
