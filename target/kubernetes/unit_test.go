package kubernetes

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"paved.dev/paved"
)

func TestStageOf(t *testing.T) {
	tests := []struct {
		gk   schema.GroupKind
		want int
	}{
		{schema.GroupKind{Kind: "Namespace"}, stageCluster},
		{schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}, stageCluster},
		{schema.GroupKind{Kind: "ServiceAccount"}, stageConfig},
		{schema.GroupKind{Kind: "ConfigMap"}, stageConfig},
		{schema.GroupKind{Kind: "Secret"}, stageConfig},
		{schema.GroupKind{Kind: "PersistentVolumeClaim"}, stageConfig},
		{schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}, stageConfig},
		{schema.GroupKind{Kind: "Service"}, stageService},
		{schema.GroupKind{Group: "apps", Kind: "Deployment"}, stageWorkload},
		{schema.GroupKind{Group: "batch", Kind: "CronJob"}, stageWorkload},
		{schema.GroupKind{Group: "postgres.example.com", Kind: "Database"}, stageWorkload},
		{schema.GroupKind{Group: "networking.k8s.io", Kind: "Ingress"}, stageRoute},
		{schema.GroupKind{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute"}, stageRoute},
		{schema.GroupKind{Group: "gateway.networking.k8s.io", Kind: "Gateway"}, stageWorkload},
	}
	for _, tt := range tests {
		if got := stageOf(tt.gk); got != tt.want {
			t.Errorf("stageOf(%v) = %d, want %d", tt.gk, got, tt.want)
		}
	}
}

func TestInventoryID(t *testing.T) {
	a := InventoryID("", "shop", "dev")
	if a != InventoryID("", "shop", "dev") {
		t.Error("InventoryID is not stable")
	}
	// The value of paved versions before installation ids, which their
	// objects carry: it must never change.
	if want := "paved-b753943597fa955911d36309460fe89b"; a != want {
		t.Errorf("InventoryID(\"\", shop, dev) = %q, want %q", a, want)
	}
	for _, other := range [][3]string{{"", "shop", "staging"}, {"", "shop-dev", ""}, {"", "sho", "pdev"},
		{"prod", "shop", "dev"}, {"shop", "dev", ""}} {
		if InventoryID(other[0], other[1], other[2]) == a {
			t.Errorf("InventoryID(%q, %q, %q) equals InventoryID(\"\", shop, dev)", other[0], other[1], other[2])
		}
	}
	if InventoryID("prod", "shop", "dev") == InventoryID("staging", "shop", "dev") {
		t.Error("two installations share an inventory id")
	}
	if len(a) > 63 || strings.ToLower(a) != a {
		t.Errorf("InventoryID %q is not a valid label value", a)
	}
}

func TestStampKeepsOwnLabels(t *testing.T) {
	obj := &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{
		"labels": map[string]any{"team": "checkout"}, "annotations": map[string]any{"note": "x"}}}}
	(&Target{}).stamp(obj, paved.DeployContext{App: "shop", Env: "dev"}, "d1")
	wantLabels := map[string]string{"team": "checkout", LabelManagedBy: "paved", LabelInventory: InventoryID("", "shop", "dev")}
	if got := obj.GetLabels(); fmt.Sprint(got) != fmt.Sprint(wantLabels) {
		t.Errorf("labels = %v, want %v", got, wantLabels)
	}
	wantAnn := map[string]string{"note": "x", AnnotationApp: "shop", AnnotationEnv: "dev", AnnotationDeployment: "d1"}
	if got := obj.GetAnnotations(); fmt.Sprint(got) != fmt.Sprint(wantAnn) {
		t.Errorf("annotations = %v, want %v", got, wantAnn)
	}
}

func TestAPIErrorCodes(t *testing.T) {
	target := &Target{name: "dev", host: "https://k8s.example"}
	gr := schema.GroupResource{Resource: "configmaps"}
	conflict := apierrors.NewApplyConflict([]metav1.StatusCause{
		{Type: metav1.CauseTypeFieldManagerConflict, Field: ".data.a", Message: `conflict with "ops" using v1`},
		{Type: metav1.CauseTypeFieldManagerConflict, Field: ".data.b", Message: `conflict with "ops" using v1`},
		{Type: metav1.CauseTypeFieldManagerConflict, Field: ".spec.replicas", Message: `conflict with "hpa" with subresource "scale"`},
	}, "Apply failed with 3 conflicts")
	tests := []struct {
		name     string
		err      error
		code     string
		contains string
	}{
		{"unauthorized", apierrors.NewUnauthorized("no"), paved.EUNAUTHORIZED, "unauthorized"},
		{"forbidden", apierrors.NewForbidden(gr, "x", errors.New("no")), paved.EFORBIDDEN, "forbidden"},
		{"field conflict", conflict, paved.ECONFLICT, `.data.a, .data.b owned by field manager "ops"; .spec.replicas owned by field manager "hpa"`},
		{"other conflict", apierrors.NewConflict(gr, "x", errors.New("changed")), paved.ECONFLICT, "conflict"},
		{"invalid", apierrors.NewBadRequest("bad"), paved.EINVALID, "rejected as invalid"},
		{"server busy", apierrors.NewTooManyRequests("busy", 1), paved.EUNAVAILABLE, "unavailable"},
		{"refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, paved.EUNAVAILABLE, "unreachable"},
		{"untrusted", fmt.Errorf("tls: %w", x509.UnknownAuthorityError{}), paved.EUNAVAILABLE, "certificate is not trusted"},
		{"cancelled", context.Canceled, paved.EUNAVAILABLE, "gave up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := target.apiError("apply ConfigMap/ns/x", tt.err)
			if got := paved.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q", got, tt.code)
			}
			msg := paved.ErrorMessage(err)
			if !strings.HasPrefix(msg, `kubernetes target "dev" (https://k8s.example): apply ConfigMap/ns/x: `) || !strings.Contains(msg, tt.contains) {
				t.Errorf("message %q does not name target and object or lacks %q", msg, tt.contains)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("the cause is not kept for errors.Is")
			}
		})
	}
}

func TestCombine(t *testing.T) {
	if combine([]error{nil, nil}) != nil {
		t.Error("combine of no errors is not nil")
	}
	one := paved.Errorf(paved.EINVALID, "one")
	if combine([]error{nil, one}) != one {
		t.Error("combine of one error is not that error")
	}
	err := combine([]error{one, nil, paved.Errorf(paved.ECONFLICT, "two")})
	if got, want := paved.ErrorMessage(err), "2 objects failed:\n- one\n- two"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("code = %q, want the first error's", paved.ErrorCode(err))
	}
}

// The managed fields below are what an apiserver records; the cases check
// the walk, including atomic maps and lists owned whole.
func TestFieldDrift(t *testing.T) {
	applied := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "labels": map[string]any{"a": "1"}},
		"spec": map[string]any{
			"replicas": int64(2),
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{"spec": map[string]any{"containers": []any{
				map[string]any{"name": "app", "image": "app:1", "args": []any{"-v"}},
				map[string]any{"name": "proxy", "image": "envoy"},
			}}},
		},
	}}
	live := applied.DeepCopy()
	_ = unstructured.SetNestedField(live.Object, int64(5), "spec", "replicas")
	live.SetManagedFields([]metav1.ManagedFieldsEntry{
		{Manager: "paved", Operation: metav1.ManagedFieldsOperationApply, FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(`{
			"f:metadata":{"f:labels":{"f:a":{}}},
			"f:spec":{"f:selector":{},"f:template":{"f:spec":{"f:containers":{
				"k:{\"name\":\"app\"}":{".":{},"f:name":{},"f:image":{},"f:args":{}}}}}}}`)},
		{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationUpdate, Subresource: "scale", FieldsType: "FieldsV1",
			FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:replicas":{}}}`)},
	})
	got := fieldDrift(applied, live, FieldManager)
	want := []FieldDrift{
		{Path: ".spec.replicas", Applied: int64(2), Live: int64(5), Manager: "kubectl (scale)"},
		{Path: ".spec.template.spec.containers[name=proxy]", Applied: map[string]any{"name": "proxy", "image": "envoy"},
			Live: map[string]any{"name": "proxy", "image": "envoy"}},
	}
	if !sameJSON(got, want) {
		t.Errorf("fieldDrift =\n%+v\nwant\n%+v", got, want)
	}
}

// A list key field the applied element leaves out is one the server
// defaulted (a port's protocol), and the element still matches its entry.
func TestFieldDriftDefaultedKeyField(t *testing.T) {
	applied := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "web"},
		"spec": map[string]any{"ports": []any{map[string]any{"port": int64(80)}}},
	}}
	live := applied.DeepCopy()
	live.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "paved", Operation: metav1.ManagedFieldsOperationApply,
		FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:ports":{
			"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}}}}`)}})
	if got := fieldDrift(applied, live, FieldManager); len(got) != 0 {
		t.Errorf("drift for a defaulted key field: %+v", got)
	}
	_ = unstructured.SetNestedSlice(applied.Object, []any{map[string]any{"port": int64(81)}}, "spec", "ports")
	if got := fieldDrift(applied, live, FieldManager); len(got) != 1 || got[0].Path != `.spec.ports[{"port":81}]` {
		t.Errorf("drift for another port = %+v, want the port reported", got)
	}
}
