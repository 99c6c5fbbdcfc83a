package render

import (
	"maps"
	"slices"
	"strings"

	"paved.dev/paved"
)

// Label and annotation keys paved writes.
const (
	LabelApp       = "paved.dev/app"
	LabelEnv       = "paved.dev/env"
	LabelWorkload  = "paved.dev/workload"
	LabelTeam      = "paved.dev/team"
	AnnotationKind = "paved.dev/kind"
	// ScoreK8sKind is score-k8s' annotation for the workload kind, honoured
	// so that Score files written for it render the same here.
	ScoreK8sKind         = "k8s.score.dev/kind"
	AnnotationConfigHash = "paved.dev/config-hash"
	AnnotationResource   = "paved.dev/resource"
)

// clusterScoped are the kinds that live outside namespaces.
var clusterScoped = map[string]bool{
	"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true, "CustomResourceDefinition": true,
	"PersistentVolume": true, "StorageClass": true, "PriorityClass": true, "IngressClass": true,
	"GatewayClass": true, "ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"APIService": true, "RuntimeClass": true, "ClusterIssuer": true,
}

// ClusterScoped reports whether objects of kind live outside namespaces.
func ClusterScoped(kind string) bool { return clusterScoped[kind] }

// kindRank orders objects the way they must be applied: namespaces and
// definitions first, then what workloads read, then workloads, then routes.
func kindRank(kind string) int {
	switch kind {
	case "Namespace":
		return 0
	case "CustomResourceDefinition":
		return 1
	case "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding":
		return 2
	case "Secret", "ConfigMap":
		return 3
	case "PersistentVolumeClaim", "PersistentVolume", "StorageClass":
		return 4
	case "Service":
		return 5
	case "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod":
		return 6
	case "HTTPRoute", "Ingress", "GRPCRoute", "TCPRoute":
		return 8
	}
	return 7
}

// Sort puts objects in apply order: by kind rank, kind, namespace, name.
func Sort(objs []paved.Object) {
	slices.SortStableFunc(objs, func(a, b paved.Object) int {
		ra, rb := a.Ref(), b.Ref()
		if d := kindRank(ra.Kind) - kindRank(rb.Kind); d != 0 {
			return d
		}
		if c := strings.Compare(ra.Kind, rb.Kind); c != 0 {
			return c
		}
		if c := strings.Compare(ra.Namespace, rb.Namespace); c != 0 {
			return c
		}
		return strings.Compare(ra.Name, rb.Name)
	})
}

func meta(o paved.Object) map[string]any {
	m, ok := o["metadata"].(map[string]any)
	if !ok {
		m = map[string]any{}
		o["metadata"] = m
	}
	return m
}

// setLabels merges labels into an object's metadata.labels.
func setLabels(o paved.Object, labels map[string]string) {
	md := meta(o)
	l, _ := md["labels"].(map[string]any)
	if l == nil {
		l = make(map[string]any, len(labels))
		md["labels"] = l
	}
	for k, v := range labels {
		if _, ok := l[k]; !ok {
			l[k] = v
		}
	}
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
