package scorek8s

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"paved.dev/paved"
)

// score-k8s provisioners return a secret output not as its value but as a
// reference to a key of a Kubernetes Secret, "🔐💬<secret>_<key>💬🔐", which
// score-k8s turns into a secretKeyRef where a workload uses it. paved has no
// such references: it puts the values of outputs the definition declares
// secret into the workload's own Secret. So the drivers replace each
// reference by the value it names in a Secret among the provisioner's
// manifests, and require the output to be declared secret, so that the value
// is sealed at rest, redacted and rendered into a Secret, never into a plain
// env value.
const (
	SecretRefPrefix = "🔐💬"
	SecretRefSuffix = "💬🔐"
)

// EncodeSecretRef is score-k8s' encodeSecretRef template function: the
// reference to key of the Secret named secret.
func EncodeSecretRef(secret, key string) string {
	return SecretRefPrefix + secret + "_" + key + SecretRefSuffix
}

// ResolveSecretRefs returns outputs with every secret reference replaced by
// its value; who names the provisioner in errors ("cmd", "template
// template://x"). Errors name the output, the Secret and the key, never a
// value.
func ResolveSecretRefs(who string, outputs map[string]any, manifests []map[string]any, def *paved.ResourceDefinition) (map[string]any, error) {
	out := make(map[string]any, len(outputs))
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		v, found, err := resolveValue(who, outputs[name], "resource_outputs."+name, manifests)
		if err != nil {
			return nil, err
		}
		if err := checkClear(who, name, v, def); err != nil {
			return nil, err
		}
		if found {
			if spec, ok := def.Output(name); !ok || !spec.Secret {
				return nil, paved.Errorf(paved.EINVALID, "%s: output %q holds a reference to a Kubernetes Secret (score-k8s' 🔐💬secret_key💬🔐 form): declare it in definition %s's outputs with secret: true, so that paved keeps its value secret",
					who, name, def.ID)
			}
		}
		out[name] = v
	}
	return out, nil
}

// resolveValue resolves the references in v and says whether it held any.
func resolveValue(who string, v any, path string, manifests []map[string]any) (any, bool, error) {
	switch t := v.(type) {
	case string:
		return resolveString(who, t, path, manifests)
	case map[string]any:
		out := make(map[string]any, len(t))
		held := false
		for k, e := range t {
			r, found, err := resolveValue(who, e, path+"."+k, manifests)
			if err != nil {
				return nil, false, err
			}
			out[k], held = r, held || found
		}
		return out, held, nil
	case []any:
		out := make([]any, len(t))
		held := false
		for i, e := range t {
			r, found, err := resolveValue(who, e, path+"."+strconv.Itoa(i), manifests)
			if err != nil {
				return nil, false, err
			}
			out[i], held = r, held || found
		}
		return out, held, nil
	}
	return v, false, nil
}

// resolveString replaces each complete reference in s; a prefix without a
// suffix after it is text, as score-k8s reads it.
func resolveString(who, s, path string, manifests []map[string]any) (string, bool, error) {
	var b strings.Builder
	found := false
	for {
		i := strings.Index(s, SecretRefPrefix)
		if i < 0 {
			break
		}
		rest := s[i+len(SecretRefPrefix):]
		j := strings.Index(rest, SecretRefSuffix)
		if j < 0 {
			break
		}
		name, key, ok := strings.Cut(rest[:j], "_")
		if !ok {
			return "", false, paved.Errorf(paved.EINTERNAL, "%s: %s holds a secret reference without \"_\" between the Secret's name and the key", who, path)
		}
		val, err := secretValue(manifests, name, key)
		if err != nil {
			return "", false, paved.Errorf(paved.EINTERNAL, "%s: %s refers to key %q of Secret %q: %v", who, path, key, name, err)
		}
		b.WriteString(s[:i])
		b.WriteString(val)
		s = rest[j+len(SecretRefSuffix):]
		found = true
	}
	b.WriteString(s)
	return b.String(), found, nil
}

// secretValue finds a key of a Secret among the manifests, in stringData
// (which Kubernetes lets win) or in data, base64-encoded.
func secretValue(manifests []map[string]any, name, key string) (string, error) {
	for _, m := range manifests {
		if m["kind"] != "Secret" {
			continue
		}
		meta, _ := m["metadata"].(map[string]any)
		if meta["name"] != name {
			continue
		}
		if sd, ok := m["stringData"].(map[string]any); ok {
			if v, ok := sd[key].(string); ok {
				return v, nil
			}
		}
		if d, ok := m["data"].(map[string]any); ok {
			if v, ok := d[key].(string); ok {
				raw, err := base64.StdEncoding.DecodeString(v)
				if err != nil {
					return "", fmt.Errorf("its data is not base64")
				}
				return string(raw), nil
			}
		}
		return "", fmt.Errorf("the Secret among the manifests has no such key in data or stringData")
	}
	return "", fmt.Errorf("no such Secret is among the provisioner's manifests: paved can use a Secret the provisioner deploys, not one made some other way; put the Secret in its manifests, or return the value itself and declare the output secret")
}

// checkClear refuses, for a translated provisioner, an output that would be
// kept in clear though it holds a secret: one the translation could not
// see (covered by "*" only) whose name looks secret, or a URL with a
// password in it. Errors name the output, never its value.
func checkClear(who, name string, v any, def *paved.ResourceDefinition) error {
	if !IsTranslated(def) {
		return nil
	}
	spec, _ := def.Output(name)
	if spec.Secret {
		return nil
	}
	declared := slices.ContainsFunc(def.Outputs, func(o paved.OutputSpec) bool { return o.Name == name })
	if !declared && paved.SecretName(name) {
		return paved.Errorf(paved.EINVALID, "%s: output %q looks secret but the provisioner does not declare it; list it in its expected_outputs (paved then keeps it secret), or write a paved definition that declares it secret: true", who, name)
	}
	if s, ok := v.(string); ok {
		if u, err := url.Parse(s); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				return paved.Errorf(paved.EINVALID, "%s: output %q is an address with a password in it, which paved would keep and render in clear; write a paved definition that declares it secret: true", who, name)
			}
		}
	}
	return nil
}
