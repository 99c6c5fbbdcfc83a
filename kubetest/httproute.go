package kubetest

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// HTTPRoutes is the resource of the Gateway API's HTTPRoute, which
// InstallHTTPRoute makes the cluster serve.
var HTTPRoutes = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}

// InstallHTTPRoute installs a minimal HTTPRoute CRD (any fields accepted),
// because the Gateway API is not part of a bare apiserver, and waits until
// the cluster serves it (at most 20 s). Installing it again is harmless.
func (c *Cluster) InstallHTTPRoute(ctx context.Context) error {
	dyn, err := dynamic.NewForConfig(c.Config())
	if err != nil {
		return fmt.Errorf("kubetest: install the HTTPRoute CRD: %w", err)
	}
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "httproutes.gateway.networking.k8s.io",
			"annotations": map[string]any{"api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/2466"}},
		"spec": map[string]any{
			"group": "gateway.networking.k8s.io", "scope": "Namespaced",
			"names": map[string]any{"plural": "httproutes", "singular": "httproute", "kind": "HTTPRoute", "listKind": "HTTPRouteList"},
			"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
		},
	}}
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := dyn.Resource(crds).Apply(ctx, crd.GetName(), crd, metav1.ApplyOptions{FieldManager: "kubetest", Force: true}); err != nil {
		return fmt.Errorf("kubetest: install the HTTPRoute CRD: %w", err)
	}
	var last error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, last = dyn.Resource(HTTPRoutes).Namespace("default").List(ctx, metav1.ListOptions{}); last == nil {
			return nil
		}
	}
	return fmt.Errorf("kubetest: the HTTPRoute CRD was not served within 20 s: %w", last)
}
