package engine

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"paved.dev/paved"
	"paved.dev/paved/manifest"
)

// httpRoute mirrors the Gateway API v1 HTTPRoute fields paved writes; the
// Gateway API types are not part of k8s.io/api.
type httpRoute struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		ParentRefs []struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace,omitempty"`
		} `json:"parentRefs"`
		Hostnames []string `json:"hostnames"`
		Rules     []struct {
			Matches []struct {
				Path struct {
					Type  string `json:"type"`
					Value string `json:"value"`
				} `json:"path"`
			} `json:"matches"`
			BackendRefs []struct {
				Name string `json:"name"`
				Port int32  `json:"port"`
			} `json:"backendRefs"`
		} `json:"rules"`
	} `json:"spec"`
}

// decodeStrict writes every object as YAML and reads it back strictly into
// its Kubernetes type: an unknown or mistyped field fails the test.
func decodeStrict(t *testing.T, objs []paved.Object) {
	t.Helper()
	for _, o := range objs {
		ref := o.Ref()
		var into any
		switch ref.APIVersion + "/" + ref.Kind {
		case "v1/Namespace":
			into = &corev1.Namespace{}
		case "v1/Secret":
			into = &corev1.Secret{}
		case "v1/ConfigMap":
			into = &corev1.ConfigMap{}
		case "v1/Service":
			into = &corev1.Service{}
		case "v1/PersistentVolumeClaim":
			into = &corev1.PersistentVolumeClaim{}
		case "apps/v1/Deployment":
			into = &appsv1.Deployment{}
		case "apps/v1/StatefulSet":
			into = &appsv1.StatefulSet{}
		case "batch/v1/Job":
			into = &batchv1.Job{}
		case "networking.k8s.io/v1/Ingress":
			into = &networkingv1.Ingress{}
		case "gateway.networking.k8s.io/v1/HTTPRoute":
			into = &httpRoute{}
		default:
			t.Errorf("%s: no type to check %s/%s against", ref, ref.APIVersion, ref.Kind)
			continue
		}
		y, err := manifest.Marshal(map[string]any(o))
		if err != nil {
			t.Errorf("%s: %v", ref, err)
			continue
		}
		if err := yaml.UnmarshalStrict(y, into); err != nil {
			t.Errorf("%s does not decode strictly into its type: %v\n%s", ref, err, y)
		}
	}
}
