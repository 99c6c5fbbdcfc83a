package gitops

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"paved.dev/paved"
)

func TestDrift(t *testing.T) {
	dir := t.TempDir()
	tg, err := New(Config{Path: filepath.Join(dir, "repo")})
	if err != nil {
		t.Fatal(err)
	}
	dc := paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Namespace: "shop-dev"}
	objs := []paved.Object{
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "a", "namespace": "shop-dev"}, "data": map[string]any{"k": "v"}},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "b", "namespace": "shop-dev"}},
	}
	if _, err := tg.Apply(context.Background(), &paved.ApplyRequest{Context: dc, DeploymentID: "d1", Objects: objs, Log: func(string) {}}); err != nil {
		t.Fatal(err)
	}
	drift, err := tg.Drift(context.Background(), dc, objs)
	if err != nil || len(drift) != 0 {
		t.Fatalf("right after apply: %v %v", drift, err)
	}
	// Someone edits one object by hand and adds another.
	changed := []paved.Object{
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "a", "namespace": "shop-dev"}, "data": map[string]any{"k": "edited"}},
		objs[1],
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "hand", "namespace": "shop-dev"}},
	}
	if _, err := tg.Apply(context.Background(), &paved.ApplyRequest{Context: dc, DeploymentID: "by-hand", Objects: changed, Log: func(string) {}}); err != nil {
		t.Fatal(err)
	}
	drift, err = tg.Drift(context.Background(), dc, append(objs, paved.Object{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "gone"}}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]paved.DriftState{}
	for _, d := range drift {
		got[d.Ref.Name] = d.State
	}
	want := map[string]paved.DriftState{"a": "changed", "hand": "extra", "gone": "missing"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("drift %v, want %v", got, want)
	}
	_ = os.RemoveAll(dir)
}
