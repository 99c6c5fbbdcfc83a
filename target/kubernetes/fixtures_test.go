package kubernetes

import (
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"paved.dev/paved"
)

func isNotFound(err error) bool { return apierrors.IsNotFound(err) }

// representative is what an app with a web workload and a database renders
// to: the namespace, config, a secret, a service, a Deployment with two
// containers, a StatefulSet and an Ingress (the cluster has no Gateway API
// CRDs, so no HTTPRoute). Objects carry no namespace: the target fills it.
func representative(ns, greeting string) []paved.Object {
	return []paved.Object{
		{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
			"name": ns, "labels": map[string]any{"team": "checkout"}}},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "web-config"},
			"data": map[string]any{"GREETING": greeting, "MODE": "dev"}},
		{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "db-credentials"},
			"type": "Opaque", "data": map[string]any{"password": "c2VjcmV0"}},
		{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "web"},
			"spec": map[string]any{
				"selector": map[string]any{"app": "web"},
				"ports":    []any{map[string]any{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}},
			}},
		deployment("web", 2),
		{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": map[string]any{"name": "db"},
			"spec": map[string]any{
				"serviceName": "db",
				"replicas":    1,
				"selector":    map[string]any{"matchLabels": map[string]any{"app": "db"}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"app": "db"}},
					"spec": map[string]any{"containers": []any{map[string]any{
						"name": "postgres", "image": "postgres:17",
						"env": []any{map[string]any{"name": "POSTGRES_PASSWORD", "valueFrom": map[string]any{
							"secretKeyRef": map[string]any{"name": "db-credentials", "key": "password"}}}},
						"ports": []any{map[string]any{"name": "pg", "containerPort": 5432, "protocol": "TCP"}},
					}}},
				},
			}},
		{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": map[string]any{"name": "web"},
			"spec": map[string]any{"rules": []any{map[string]any{
				"host": "web.example.test",
				"http": map[string]any{"paths": []any{map[string]any{
					"path": "/", "pathType": "Prefix",
					"backend": map[string]any{"service": map[string]any{"name": "web", "port": map[string]any{"number": 80}}},
				}}},
			}}}},
	}
}

func deployment(name string, replicas int) paved.Object {
	return paved.Object{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": name},
		"spec": map[string]any{
			"replicas": replicas,
			"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": name}},
				"spec": map[string]any{"containers": []any{
					map[string]any{
						"name": "app", "image": "ghcr.io/example/" + name + ":1.0",
						"ports":     []any{map[string]any{"name": "http", "containerPort": 8080, "protocol": "TCP"}},
						"envFrom":   []any{map[string]any{"configMapRef": map[string]any{"name": name + "-config"}}},
						"resources": map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "128Mi"}},
					},
					map[string]any{
						"name": "proxy", "image": "envoyproxy/envoy:v1.31",
						"args": []any{"--config-path", "/etc/envoy/envoy.yaml"},
					},
				}},
			},
		}}
}

// byKindName finds an object of the fixture.
func byKindName(objs []paved.Object, kind, name string) paved.Object {
	for _, o := range objs {
		if r := o.Ref(); r.Kind == kind && r.Name == name {
			return o
		}
	}
	panic(fmt.Sprintf("no %s %s in fixture", kind, name))
}

// without returns objs minus the named ones.
func without(objs []paved.Object, kindNames ...string) []paved.Object {
	var out []paved.Object
	for _, o := range objs {
		drop := false
		for i := 0; i < len(kindNames); i += 2 {
			if r := o.Ref(); r.Kind == kindNames[i] && r.Name == kindNames[i+1] {
				drop = true
			}
		}
		if !drop {
			out = append(out, o)
		}
	}
	return out
}

// subset reports the first place where want is not contained in got: every
// field of want must be in got with an equal value; lists must have equal
// length and each element must contain want's. The server adds defaults, so
// equality would be wrong; containment is what "applied as given" means.
func subset(want, got any, path string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %T, want a map", path, got)
		}
		for k, v := range w {
			if d := subset(v, g[k], path+"."+k); d != "" {
				return d
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: got %v, want %v", path, got, want)
		}
		for i := range w {
			if d := subset(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	default:
		if !sameJSON(want, got) {
			return fmt.Sprintf("%s: got %v, want %v", path, got, want)
		}
	}
	return ""
}
