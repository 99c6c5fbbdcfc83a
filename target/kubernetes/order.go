package kubernetes

import "k8s.io/apimachinery/pkg/runtime/schema"

// Apply stages, in order. Objects of one stage are applied in parallel; a
// stage starts when the one before has been applied, so that a Deployment
// never arrives before the ConfigMap it mounts or a CR before its CRD.
// Pruning and Delete go the other way.
const (
	stageCluster  = iota // namespaces, CRDs
	stageConfig          // service accounts, RBAC, config, secrets, volumes
	stageService         // services
	stageWorkload        // workloads and anything not listed
	stageRoute           // ingress and routes, which point at services
	numStages
)

// stageOf returns the apply stage of a kind; workloads and unknown kinds
// (custom resources) come after services and before routes.
func stageOf(gk schema.GroupKind) int {
	switch gk.Group {
	case "":
		switch gk.Kind {
		case "Namespace":
			return stageCluster
		case "ServiceAccount", "ConfigMap", "Secret", "PersistentVolumeClaim", "PersistentVolume", "ResourceQuota", "LimitRange":
			return stageConfig
		case "Service":
			return stageService
		}
	case "apiextensions.k8s.io":
		if gk.Kind == "CustomResourceDefinition" {
			return stageCluster
		}
	case "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io":
		return stageConfig
	case "networking.k8s.io":
		switch gk.Kind {
		case "NetworkPolicy":
			return stageConfig
		case "Ingress":
			return stageRoute
		}
	case "gateway.networking.k8s.io":
		switch gk.Kind {
		case "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute":
			return stageRoute
		}
	}
	return stageWorkload
}
