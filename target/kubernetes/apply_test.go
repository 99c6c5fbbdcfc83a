package kubernetes

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"paved.dev/paved"
)

func TestApplyCreatesEveryObjectAsGiven(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	objs := representative(e.dc.Namespace, "hello")
	res := e.mustApply(t, objs, nil)

	if got, want := len(res.Inventory), len(objs); got != want {
		t.Fatalf("inventory has %d refs, want %d: %v", got, want, res.Inventory)
	}
	for _, o := range objs {
		r := o.Ref()
		if r.Kind != "Namespace" {
			r.Namespace = e.dc.Namespace
		}
		if !slices.Contains(res.Inventory, r) {
			t.Errorf("inventory lacks %s", r)
		}
		live := e.get(t, r)
		if live == nil {
			t.Errorf("%s was not created", r)
			continue
		}
		want := map[string]any(o)
		if d := subset(without1(want, "metadata"), live.Object, ""); d != "" {
			t.Errorf("%s differs from what was applied: %s", r, d)
		}
		l := live.GetLabels()
		if l[LabelInventory] != InventoryID("", "shop", "dev") || l[LabelManagedBy] != "paved" {
			t.Errorf("%s labels = %v, want paved's inventory labels", r, l)
		}
		a := live.GetAnnotations()
		if a[AnnotationApp] != "shop" || a[AnnotationEnv] != "dev" || a[AnnotationDeployment] != "d-"+t.Name() {
			t.Errorf("%s annotations = %v, want app, env and deployment", r, a)
		}
	}
	ns := e.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: e.dc.Namespace})
	for k, v := range map[string]string{LabelApp: "shop", LabelEnv: "dev", LabelManagedBy: "paved", "team": "checkout"} {
		if got := ns.GetLabels()[k]; got != v {
			t.Errorf("namespace label %s = %q, want %q", k, got, v)
		}
	}

	// Without controllers nothing rolls out; with no wait the workloads
	// are reported progressing and the rest applied.
	states := map[string]paved.ObjectState{}
	for _, s := range res.Statuses {
		states[s.Ref.Kind] = s.State
	}
	want := map[string]paved.ObjectState{
		"Namespace": paved.ObjectApplied, "ConfigMap": paved.ObjectApplied, "Secret": paved.ObjectApplied, "Service": paved.ObjectApplied,
		"Deployment": paved.ObjectProgressing, "StatefulSet": paved.ObjectProgressing, "Ingress": paved.ObjectApplied,
	}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("state of %s = %q, want %q", k, states[k], v)
		}
	}
	if !slices.ContainsFunc(e.logs, func(s string) bool { return strings.Contains(s, "applied Deployment/"+e.dc.Namespace+"/web") }) {
		t.Errorf("log does not tell that the Deployment was applied: %q", e.logs)
	}
}

func without1(m map[string]any, key string) map[string]any {
	out := omit(m, key)
	if md, ok := m["metadata"].(map[string]any); ok {
		// Compare labels the fixture sets; name and namespace are settled.
		if l, ok := md["labels"]; ok {
			out["metadata"] = map[string]any{"labels": l}
		}
	}
	return out
}

func TestApplyAgainUpdatesPrunesAndLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.mustApply(t, representative(e.dc.Namespace, "hello"), nil)
	ns := e.dc.Namespace

	// Someone else's ConfigMap in the same namespace, and one that is even
	// listed in paved's previous inventory (a stale record): neither carries
	// paved's label, so neither may be deleted.
	foreign := paved.Object{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "ops-notes", "namespace": ns}, "data": map[string]any{"owner": "ops"}}
	e.applyAs(t, "ops", false, foreign)
	stale := paved.Object{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "listed-but-foreign", "namespace": ns}, "data": map[string]any{"a": "b"}}
	e.applyAs(t, "ops", false, stale)
	previous := append(slices.Clone(first.Inventory), stale.Ref())

	second := representative(ns, "bonjour")
	second = without(second, "Secret", "db-credentials", "Ingress", "web")
	cm := byKindName(second, "ConfigMap", "web-config")
	cm["data"] = map[string]any{"GREETING": "bonjour"} // MODE removed
	res := e.mustApply(t, second, previous)

	live := e.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: ns, Name: "web-config"})
	if got, want := live.Object["data"], map[string]any{"GREETING": "bonjour"}; !sameJSON(got, want) {
		t.Errorf("web-config data = %v, want %v (changed key updated, removed key gone)", got, want)
	}
	tests := []struct {
		ref    paved.ObjectRef
		exists bool
	}{
		{paved.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: ns, Name: "db-credentials"}, false},
		{paved.ObjectRef{APIVersion: "networking.k8s.io/v1", Kind: "Ingress", Namespace: ns, Name: "web"}, false},
		{paved.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: ns, Name: "ops-notes"}, true},
		{paved.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: ns, Name: "listed-but-foreign"}, true},
		{paved.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Name: "web"}, true},
	}
	for _, tt := range tests {
		if got := e.get(t, tt.ref) != nil; got != tt.exists {
			t.Errorf("%s exists = %v, want %v", tt.ref, got, tt.exists)
		}
	}
	var pruned []string
	for _, s := range res.Statuses {
		if s.State == paved.ObjectPruned {
			pruned = append(pruned, s.Ref.String())
		}
	}
	slices.Sort(pruned)
	if want := []string{"Ingress/" + ns + "/web", "Secret/" + ns + "/db-credentials"}; !slices.Equal(pruned, want) {
		t.Errorf("pruned = %v, want %v", pruned, want)
	}
	if slices.ContainsFunc(res.Inventory, func(r paved.ObjectRef) bool { return r.Kind == "Secret" }) {
		t.Errorf("new inventory still lists the pruned Secret: %v", res.Inventory)
	}
	if !slices.ContainsFunc(e.logs, func(s string) bool { return strings.Contains(s, "not deleting ConfigMap/"+ns+"/listed-but-foreign") }) {
		t.Errorf("log does not say why listed-but-foreign was kept: %q", e.logs)
	}
}

func TestApplyReportsFieldConflictWithOtherManager(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	objs := representative(e.dc.Namespace, "hello")
	e.mustApply(t, objs, nil)

	// An operator takes .data.GREETING over with a forced apply.
	e.applyAs(t, "ops-console", true, paved.Object{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "web-config", "namespace": e.dc.Namespace},
		"data":     map[string]any{"GREETING": "hijacked"}})

	_, err := e.apply(t, objs, nil)
	if got, want := paved.ErrorCode(err), paved.ECONFLICT; got != want {
		t.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
	msg := paved.ErrorMessage(err)
	for _, want := range []string{`kubernetes target "test"`, "ConfigMap/" + e.dc.Namespace + "/web-config", ".data.GREETING", `"ops-console"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("conflict message %q does not name %s", msg, want)
		}
	}
	live := e.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: e.dc.Namespace, Name: "web-config"})
	if got := live.Object["data"].(map[string]any)["GREETING"]; got != "hijacked" {
		t.Errorf("GREETING = %v: paved overwrote the other manager's field", got)
	}
}

func TestApplyRejectsBadRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	route := paved.Object{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		"metadata": map[string]any{"name": "web"}, "spec": map[string]any{}}
	cm := paved.Object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x"}}
	tests := []struct {
		name     string
		dc       paved.DeployContext
		objs     []paved.Object
		code     string
		contains string
	}{
		{"kind not served", e.dc, []paved.Object{cm, route}, paved.EINVALID, "does not serve kind HTTPRoute"},
		{"duplicate", e.dc, []paved.Object{cm, cm}, paved.EINVALID, "appears twice"},
		{"no name", e.dc, []paved.Object{{"apiVersion": "v1", "kind": "ConfigMap"}}, paved.EINVALID, "needs apiVersion, kind and metadata.name"},
		{"no namespace", paved.DeployContext{App: "a", Env: "b"}, []paved.Object{cm}, paved.EINVALID, "needs an app, an env and a namespace"},
		{"invalid object", e.dc, []paved.Object{{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "Not_A_Name"}}}, paved.EINVALID, "rejected as invalid"},
		{"misspelt field", e.dc, []paved.Object{{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "y"}, "dta": map[string]any{"a": "b"}}}, paved.EINVALID, ".dta: field not declared in schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.target.Apply(context.Background(), &paved.ApplyRequest{Context: tt.dc, Objects: tt.objs})
			if got := paved.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.code)
			}
			if !strings.Contains(paved.ErrorMessage(err), tt.contains) {
				t.Errorf("message %q does not contain %q", paved.ErrorMessage(err), tt.contains)
			}
		})
	}
	// Nothing was applied: the checks come before the first write, except
	// for the invalid object, which the server rejects.
	if e.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: e.dc.Namespace, Name: "x"}) != nil {
		t.Error("ConfigMap x was applied although the request was refused")
	}
}

func TestApplyCustomResourceWithItsDefinition(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithClusterScopedKinds("apiextensions.k8s.io/CustomResourceDefinition"))
	// A group of its own per test: CRDs are cluster-wide.
	group := e.dc.Namespace + ".paved.test"
	crd := paved.Object{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "widgets." + group},
		"spec": map[string]any{
			"group": group, "scope": "Namespaced",
			"names": map[string]any{"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
			"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object",
					"x-kubernetes-preserve-unknown-fields": true}}}},
		}}
	widget := paved.Object{"apiVersion": group + "/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w"}, "spec": map[string]any{"size": "large"}}
	res := e.mustApply(t, []paved.Object{widget, crd}, nil)
	live := e.get(t, paved.ObjectRef{APIVersion: group + "/v1", Kind: "Widget", Namespace: e.dc.Namespace, Name: "w"})
	if live == nil || !sameJSON(live.Object["spec"], widget["spec"]) {
		t.Fatalf("widget = %v, want its spec applied", live)
	}
	if got := res.Inventory[0].Kind; got != "CustomResourceDefinition" {
		t.Errorf("first in inventory = %s, want the CRD (applied first)", got)
	}
}

// TestApplyTellsItsIntentFirst: the target names every object it is about
// to write before it writes any, and writes none when that is refused.
func TestApplyTellsItsIntentFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	objs := representative(e.dc.Namespace, "hello")
	var told []paved.ObjectRef
	_, err := e.target.Apply(context.Background(), &paved.ApplyRequest{
		Context: e.dc, DeploymentID: "d-" + t.Name(), Objects: objs,
		Intent: func(refs []paved.ObjectRef) error {
			told = refs
			return errors.New("the store is down")
		},
	})
	if err == nil || !strings.Contains(err.Error(), "the store is down") {
		t.Fatalf("Apply with a refused intent = %v, want the refusal", err)
	}
	if len(told) != len(objs) {
		t.Fatalf("intent named %d objects, want %d: %v", len(told), len(objs), told)
	}
	if ns := e.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: e.dc.Namespace}); ns != nil {
		t.Errorf("the namespace was created although the intent was refused")
	}
	for _, r := range told {
		if r.Kind != "Namespace" && e.get(t, r) != nil {
			t.Errorf("%s was written although the intent was refused", r)
		}
	}
	// Accepted, the intent is what the result's inventory lists.
	res, err := e.target.Apply(context.Background(), &paved.ApplyRequest{
		Context: e.dc, DeploymentID: "d-" + t.Name(), Objects: objs,
		Intent: func(refs []paved.ObjectRef) error { told = refs; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sortedRefs(told), sortedRefs(res.Inventory)) {
		t.Errorf("intent %v, inventory %v; want the same objects", told, res.Inventory)
	}
}

func sortedRefs(refs []paved.ObjectRef) []paved.ObjectRef {
	out := slices.Clone(refs)
	slices.SortFunc(out, func(a, b paved.ObjectRef) int { return strings.Compare(a.String(), b.String()) })
	return out
}
