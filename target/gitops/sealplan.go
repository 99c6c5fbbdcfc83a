package gitops

import (
	"encoding/base64"
	"fmt"
	"maps"

	"paved.dev/paved"
)

// The SealedSecret custom resource of Bitnami sealed-secrets, built as a
// map following the CRD (bitnami.com/v1alpha1) rather than with the
// project's Go types, which would bring k8s.io/api into the binary.
const (
	sealedSecretAPIVersion = "bitnami.com/v1alpha1"
	sealedSecretKind       = "SealedSecret"

	// The controller decides the scope of a SealedSecret from these
	// annotations on the SealedSecret itself, set to exactly "true".
	annoNamespaceWide = "sealedsecrets.bitnami.com/namespace-wide"
	annoClusterWide   = "sealedsecrets.bitnami.com/cluster-wide"
)

// lastApplied are annotations that kubectl and kubecfg fill with a full copy
// of the object: in a Secret, the values in clear. kubeseal drops them from
// the template, and so does paved.
var lastApplied = []string{
	"kubectl.kubernetes.io/last-applied-configuration",
	"kubecfg.ksonnet.io/last-applied-configuration",
}

type sealScope int

const (
	scopeStrict sealScope = iota
	scopeNamespaceWide
	scopeClusterWide
)

func (s sealScope) String() string {
	switch s {
	case scopeNamespaceWide:
		return "namespace-wide"
	case scopeClusterWide:
		return "cluster-wide"
	}
	return "strict"
}

// secretScope reads the scope a Secret asks for, as the controller does:
// cluster-wide wins over namespace-wide, anything but "true" is strict.
func secretScope(annotations map[string]string) sealScope {
	switch {
	case annotations[annoClusterWide] == "true":
		return scopeClusterWide
	case annotations[annoNamespaceWide] == "true":
		return scopeNamespaceWide
	}
	return scopeStrict
}

// encryptionLabel is the RSA-OAEP label that binds a ciphertext to where it
// may be unsealed: "namespace/name" (strict), "namespace", or nothing
// (cluster-wide). The controller computes it from the SealedSecret's own
// metadata and refuses to decrypt anywhere else.
func encryptionLabel(namespace, name string, scope sealScope) []byte {
	switch scope {
	case scopeClusterWide:
		return []byte{}
	case scopeNamespaceWide:
		return []byte(namespace)
	}
	return []byte(namespace + "/" + name)
}

// sealPlan is a Secret checked and decoded, ready to be sealed: everything
// about its SealedSecret except the ciphertexts. Planning is pure, so that a
// Secret paved cannot seal fails the deployment before anything is
// fetched or committed.
type sealPlan struct {
	secret paved.ObjectRef
	scope  sealScope
	label  []byte
	// values are the plaintexts by key: data decoded, stringData as is,
	// stringData winning over data for a key in both (as the API server
	// merges them).
	values map[string][]byte
	// metadata and template are the SealedSecret's metadata and
	// spec.template, without paved's annotations.
	metadata map[string]any
	template map[string]any
}

// planSeal checks a v1 Secret and decodes its values.
func planSeal(obj paved.Object) (*sealPlan, error) {
	ref := obj.Ref()
	fail := func(format string, args ...any) error {
		return paved.Errorf(paved.EINVALID, "gitops: sealing Secret %s: %s", ref, fmt.Sprintf(format, args...))
	}
	md, _ := obj["metadata"].(map[string]any)
	labels, err := stringMap(md["labels"])
	if err != nil {
		return nil, fail("metadata.labels: %v", err)
	}
	annotations, err := stringMap(md["annotations"])
	if err != nil {
		return nil, fail("metadata.annotations: %v", err)
	}
	scope := secretScope(annotations)
	if scope != scopeClusterWide && ref.Namespace == "" {
		return nil, fail("it has no metadata.namespace, and a %s SealedSecret is bound to its namespace; set the namespace, or annotate the Secret %s: \"true\"", scope, annoClusterWide)
	}

	values := map[string][]byte{}
	data, err := anyMap(obj["data"])
	if err != nil {
		return nil, fail("data: %v", err)
	}
	for k, v := range data {
		var b []byte
		switch v := v.(type) {
		case string:
			if b, err = base64.StdEncoding.DecodeString(v); err != nil {
				return nil, fail("data.%s is not base64: %v", k, err)
			}
		case []byte:
			b = v
		default:
			return nil, fail("data.%s is a %T, not a base64 string", k, v)
		}
		values[k] = b
	}
	stringData, err := stringMap(obj["stringData"])
	if err != nil {
		return nil, fail("stringData: %v", err)
	}
	for k, v := range stringData {
		values[k] = []byte(v)
	}

	// The template is what the controller turns into the Secret: the
	// Secret's metadata and type, never its values.
	tmd := map[string]any{"name": ref.Name}
	if ref.Namespace != "" {
		tmd["namespace"] = ref.Namespace
	}
	if len(labels) > 0 {
		tmd["labels"] = labels
	}
	if ta := maps.Clone(annotations); len(ta) > 0 {
		for _, k := range lastApplied {
			delete(ta, k)
		}
		if len(ta) > 0 {
			tmd["annotations"] = ta
		}
	}
	template := map[string]any{"metadata": tmd}
	if t, ok := obj["type"].(string); ok && t != "" {
		template["type"] = t
	}
	if imm, ok := obj["immutable"].(bool); ok {
		template["immutable"] = imm
	}

	// The SealedSecret's own metadata: where it lives, the labels (so that
	// selectors find it like the rest of the app) and the scope
	// annotations the controller reads to compute the label.
	smd := map[string]any{"name": ref.Name}
	if ref.Namespace != "" {
		smd["namespace"] = ref.Namespace
	}
	if len(labels) > 0 {
		smd["labels"] = labels
	}
	switch scope {
	case scopeNamespaceWide:
		smd["annotations"] = map[string]string{annoNamespaceWide: "true"}
	case scopeClusterWide:
		smd["annotations"] = map[string]string{annoClusterWide: "true"}
	}

	return &sealPlan{
		secret:   ref,
		scope:    scope,
		label:    encryptionLabel(ref.Namespace, ref.Name, scope),
		values:   values,
		metadata: smd,
		template: template,
	}, nil
}

// sealedRef is the identity of the SealedSecret a Secret is written as.
func sealedRef(secret paved.ObjectRef) paved.ObjectRef {
	return paved.ObjectRef{APIVersion: sealedSecretAPIVersion, Kind: sealedSecretKind, Namespace: secret.Namespace, Name: secret.Name}
}

func isSecret(ref paved.ObjectRef) bool { return ref.APIVersion == "v1" && ref.Kind == "Secret" }

// anyMap accepts a JSON-shaped object or nothing.
func anyMap(v any) (map[string]any, error) {
	switch m := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return m, nil
	case map[string]string:
		out := make(map[string]any, len(m))
		for k, s := range m {
			out[k] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("is a %T, not an object", v)
}

// stringMap accepts an object of strings or nothing.
func stringMap(v any) (map[string]string, error) {
	m, err := anyMap(v)
	if err != nil || m == nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("%s is a %T, not a string", k, x)
		}
		out[k] = s
	}
	return out, nil
}
