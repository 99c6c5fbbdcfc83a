package kubernetes

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"paved.dev/paved"
)

func TestParseClusterKinds(t *testing.T) {
	good := map[string]schema.GroupKind{
		"Namespace":                                     {Kind: "Namespace"},
		"PersistentVolume":                              {Kind: "PersistentVolume"},
		"rbac.authorization.k8s.io/ClusterRole":         {Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"},
		"apiextensions.k8s.io/CustomResourceDefinition": {Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"},
	}
	for s, want := range good {
		got, err := parseClusterKinds("x", []string{s})
		if err != nil || !got[want] || len(got) != 1 {
			t.Errorf("parseClusterKinds(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	bad := map[string]string{
		"":            `the Kind ""`,
		"clusterrole": `the Kind "clusterrole"`,
		"rbac.authorization.k8s.io/v1/ClusterRole": `the Kind "v1/ClusterRole"`,
		"ClusterRole.rbac.authorization.k8s.io":    `the Kind "ClusterRole.rbac.authorization.k8s.io"`,
		"rbac.authorization.k8s.io/":               `the Kind ""`,
		"apps/Deploy-ment":                         `the Kind "Deploy-ment"`,
		"apps/Déploiement":                         `the Kind "Déploiement"`,
		"/PersistentVolume":                        "the group is empty",
		"RBAC.authorization.k8s.io/ClusterRole":    `the group "RBAC.authorization.k8s.io" is not a DNS subdomain`,
		"rbac_authorization/ClusterRole":           `the group "rbac_authorization" is not a DNS subdomain`,
		" apps/Deployment":                         `the group " apps" is not a DNS subdomain`,
		"-apps/Deployment":                         `the group "-apps" is not a DNS subdomain`,
	}
	for s, problem := range bad {
		_, err := New(nil, WithName("x"), WithClusterScopedKinds(s))
		assertError(t, err, paved.EINVALID, `kubernetes target "x": WithClusterScopedKinds: cluster-scoped kind "`+s+`"`, "group/Kind", problem)
		err = ValidateClusterScopedKinds("Namespace", s)
		assertError(t, err, paved.EINVALID, `cluster-scoped kind "`+s+`" is not of the form group/Kind`, problem)
	}
	if err := ValidateClusterScopedKinds(slices.Collect(maps.Keys(good))...); err != nil {
		t.Errorf("ValidateClusterScopedKinds: %v", err)
	}
}

// Every object is confined to the environment's namespace before anything
// is written: not even the namespace is made for a refused request.
func TestApplyConfinesObjectsToTheNamespace(t *testing.T) {
	t.Parallel()
	cm := func(ns string) paved.Object {
		md := map[string]any{"name": "app-config"}
		if ns != "" {
			md["namespace"] = ns
		}
		return paved.Object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": map[string]any{"a": "b"}}
	}
	clusterRole := paved.Object{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
		"metadata": map[string]any{"name": "paved-test-reader"},
		"rules":    []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"pods"}, "verbs": []any{"get"}}}}
	otherNS := paved.Object{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "kube-public"}}
	// A cluster-scoped custom kind whose CRD comes in the same request: the
	// CRD is allowed, its kind is not, and the CRD must not be applied.
	group := "confine.paved.test"
	crd := paved.Object{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "gadgets." + group},
		"spec": map[string]any{"group": group, "scope": "Cluster",
			"names": map[string]any{"plural": "gadgets", "singular": "gadget", "kind": "Gadget", "listKind": "GadgetList"},
			"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}}
	gadget := paved.Object{"apiVersion": group + "/v1", "kind": "Gadget", "metadata": map[string]any{"name": "g"}}

	tests := []struct {
		name     string
		opts     []Option
		objs     func(ns string) []paved.Object
		code     string
		contains []string
	}{
		{"another namespace", nil, func(string) []paved.Object { return []paved.Object{cm("kube-system")} },
			paved.EINVALID, []string{`names namespace "kube-system"`, "deploys only into namespace", "remove metadata.namespace"}},
		{"cluster-scoped kind", nil, func(string) []paved.Object { return []paved.Object{cm(""), clusterRole} },
			paved.EFORBIDDEN, []string{"ClusterRole/paved-test-reader is cluster-scoped (rbac.authorization.k8s.io/ClusterRole)", "allows no cluster-scoped kinds", "(WithClusterScopedKinds, e.g. rbac.authorization.k8s.io/ClusterRole)"}},
		{"another Namespace", []Option{WithClusterScopedKinds("rbac.authorization.k8s.io/ClusterRole")},
			func(string) []paved.Object { return []paved.Object{otherNS} },
			paved.EFORBIDDEN, []string{"Namespace/kube-public is cluster-scoped (Namespace)", "allows only rbac.authorization.k8s.io/ClusterRole"}},
		{"custom kind of a CRD in the request", []Option{WithClusterScopedKinds("apiextensions.k8s.io/CustomResourceDefinition")},
			func(string) []paved.Object { return []paved.Object{crd, gadget} },
			paved.EFORBIDDEN, []string{"Gadget/g is cluster-scoped (" + group + "/Gadget)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.opts...)
			_, err := e.apply(t, tt.objs(e.dc.Namespace), nil)
			assertError(t, err, tt.code, tt.contains...)
			if cs := tt.code == paved.EFORBIDDEN; errors.Is(err, ErrClusterScopedKind) != cs {
				t.Errorf("errors.Is(err, ErrClusterScopedKind) = %v, want %v", !cs, cs)
			}
			for _, r := range []paved.ObjectRef{
				{APIVersion: "v1", Kind: "Namespace", Name: e.dc.Namespace},
				{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition", Name: "gadgets." + group},
			} {
				if e.get(t, r) != nil {
					t.Errorf("%s was applied although the request was refused", r)
				}
			}
		})
	}
}

func TestApplyAllowedClusterScopedKind(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithClusterScopedKinds("rbac.authorization.k8s.io/ClusterRole"))
	name := e.dc.Namespace + "-reader" // cluster-wide: one of its own per test
	role := paved.Object{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
		"metadata": map[string]any{"name": name, "namespace": "ignored"},
		"rules":    []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"pods"}, "verbs": []any{"get"}}}}
	objs := append(representative(e.dc.Namespace, "hi"), role)
	res := e.mustApply(t, objs, nil)
	ref := paved.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: name}
	if !slices.Contains(res.Inventory, ref) || e.get(t, ref) == nil {
		t.Fatalf("ClusterRole not applied or not in the inventory %v", res.Inventory)
	}
	// Pruned like any other object when it leaves the deployment.
	e.mustApply(t, objs[:len(objs)-1], res.Inventory)
	if e.get(t, ref) != nil {
		t.Error("the ClusterRole was not pruned")
	}
	if err := e.target.Delete(context.Background(), e.dc, res.Inventory, ""); err != nil {
		t.Fatal(err)
	}
}
