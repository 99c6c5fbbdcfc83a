package kubernetes

import (
	"strings"
	"testing"

	"paved.dev/paved"
)

// TestEnvironmentsCannotOverwriteEachOther: each environment applies as its
// own field manager, so an object of one environment that another renders
// too (two environments deploying into one namespace) is a conflict for the
// second, not a silent takeover that its deletion would later remove.
func TestEnvironmentsCannotOverwriteEachOther(t *testing.T) {
	t.Parallel()
	a := newEnv(t)
	b := newEnv(t)
	b.dc.App, b.dc.Env, b.dc.Namespace = "blog", "pr-1", a.dc.Namespace
	shared := func(v string) paved.Object {
		return paved.Object{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "shared"}, "data": map[string]any{"k": v}}
	}
	a.mustApply(t, []paved.Object{shared("from-a")}, nil)
	_, err := b.apply(t, []paved.Object{shared("from-b")}, nil)
	if paved.ErrorCode(err) != paved.ECONFLICT || !strings.Contains(err.Error(), FieldManagerFor("", a.dc)) {
		t.Fatalf("another environment overwrote the object: %v", err)
	}
	live := a.get(t, paved.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: a.dc.Namespace, Name: "shared"})
	if v, _ := live.Object["data"].(map[string]any)["k"].(string); v != "from-a" {
		t.Errorf("the object holds %q, want the first environment's value", v)
	}
}
