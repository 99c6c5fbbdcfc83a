package kubernetes

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Probe tells whether paved can deploy to the cluster: it is reachable, the
// credentials are accepted, and they may create a namespace and server-side
// apply a ConfigMap. The writes are dry runs, so nothing is left behind.
// Errors name the target and say why: unreachable, unauthorized, forbidden.
func (t *Target) Probe(ctx context.Context) error {
	// /version answers anonymous callers too, so it proves reachability only.
	if err := t.api.Get().AbsPath("/version").Do(ctx).Error(); err != nil {
		return t.apiError("probe", err)
	}
	dryRun := []string{metav1.DryRunAll}
	ns := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": "paved-probe-" + randomSuffix()},
	}}
	if _, err := t.dyn.Resource(namespaces()).Create(ctx, ns, metav1.CreateOptions{DryRun: dryRun}); err != nil {
		return t.apiError("probe: create a namespace (dry run)", err)
	}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "paved-probe", "namespace": t.opts.probeNS},
		"data":     map[string]any{"probe": "ok"},
	}}
	cms := t.dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace(t.opts.probeNS)
	if _, err := cms.Apply(ctx, "paved-probe", cm, metav1.ApplyOptions{FieldManager: FieldManager, DryRun: dryRun}); err != nil {
		return t.apiError("probe: apply a ConfigMap in namespace "+t.opts.probeNS+" (dry run)", err)
	}
	return nil
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
