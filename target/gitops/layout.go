package gitops

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/manifest"
)

// Dir is the directory of an app's environment in the repository,
// "<env>/<app>": the path to give Argo CD or Flux.
func Dir(dc paved.DeployContext) (string, error) {
	if err := checkPathElem("environment", dc.Env); err != nil {
		return "", err
	}
	if err := checkPathElem("app", dc.App); err != nil {
		return "", err
	}
	return dc.Env + "/" + dc.App, nil
}

// checkPathElem refuses names that would escape or confuse the layout.
func checkPathElem(what, s string) error {
	if s == "" {
		return paved.Errorf(paved.EINVALID, "gitops: %s name is empty", what)
	}
	if s == "." || s == ".." || strings.HasPrefix(s, ".") || strings.ContainsAny(s, "/\\") || len(s) > 253 {
		return paved.Errorf(paved.EINVALID, "gitops: %s name %q cannot be a directory name", what, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return paved.Errorf(paved.EINVALID, "gitops: %s name %q contains control characters", what, s)
		}
	}
	return nil
}

// file is one object's file in an <env>/<app> directory.
type file struct {
	name string
	ref  paved.ObjectRef
	data []byte
	// seal is set for the SealedSecret a Secret becomes in SecretsSealed
	// mode; its data is left to sealer.sealFiles, which needs what the
	// repository holds to keep unchanged ciphertexts.
	seal *sealPlan
}

// render turns objects into files named <kind>-<name>.yaml, keeping Secrets
// out in SecretsOmit mode and planning their SealedSecret in SecretsSealed
// mode. A name shared by two objects (the same kind and name in two
// namespaces) gets the namespace too: <kind>-<namespace>-<name>.yaml.
func render(objs []paved.Object, mode SecretsMode) (files []file, skipped []paved.ObjectStatus, err error) {
	seen := make(map[paved.ObjectRef]bool, len(objs))
	// sealedFrom tells apart a Secret sealed into a SealedSecret that the
	// deployment also renders as such.
	sealedFrom := map[paved.ObjectRef]paved.ObjectRef{}
	for i, obj := range objs {
		ref := obj.Ref()
		if ref.APIVersion == "" || ref.Kind == "" || ref.Name == "" {
			return nil, nil, paved.Errorf(paved.EINVALID, "gitops: object %d (%s) lacks apiVersion, kind or metadata.name", i, ref)
		}
		if seen[ref] {
			if from, ok := sealedFrom[ref]; ok {
				return nil, nil, paved.Errorf(paved.EINVALID, "gitops: Secret %s is written as SealedSecret %s, which the deployment also renders; rename one of them", from, ref)
			}
			return nil, nil, paved.Errorf(paved.EINVALID, "gitops: object %s %s appears twice", ref.APIVersion, ref)
		}
		seen[ref] = true
		if mode == SecretsOmit && isSecret(ref) {
			skipped = append(skipped, paved.ObjectStatus{Ref: ref, State: paved.ObjectSkipped, Reason: skippedSecretReason})
			continue
		}
		if err := checkKind(ref.Kind); err != nil {
			return nil, nil, err
		}
		if err := checkPathElem("object", ref.Name); err != nil {
			return nil, nil, err
		}
		if mode == SecretsSealed && isSecret(ref) {
			plan, err := planSeal(obj)
			if err != nil {
				return nil, nil, err
			}
			sref := sealedRef(ref)
			if seen[sref] {
				return nil, nil, paved.Errorf(paved.EINVALID, "gitops: Secret %s is written as SealedSecret %s, which the deployment also renders; rename one of them", ref, sref)
			}
			seen[sref], sealedFrom[sref] = true, ref
			files = append(files, file{name: strings.ToLower(sref.Kind) + "-" + sref.Name + ".yaml", ref: sref, seal: plan})
			continue
		}
		data, err := manifest.Marshal(map[string]any(obj))
		if err != nil {
			return nil, nil, paved.Errorf(paved.EINVALID, "gitops: writing %s: %v", ref, err)
		}
		files = append(files, file{name: strings.ToLower(ref.Kind) + "-" + ref.Name + ".yaml", ref: ref, data: data})
	}

	count := make(map[string]int, len(files))
	for _, f := range files {
		count[f.name]++
	}
	for i, f := range files {
		if count[f.name] > 1 && f.ref.Namespace != "" {
			files[i].name = strings.ToLower(f.ref.Kind) + "-" + f.ref.Namespace + "-" + f.ref.Name + ".yaml"
		}
	}
	slices.SortFunc(files, func(a, b file) int { return cmp.Compare(a.name, b.name) })
	for i := 1; i < len(files); i++ {
		if files[i].name == files[i-1].name {
			return nil, nil, paved.Errorf(paved.EINVALID, "gitops: objects %s and %s would both be written to %s", files[i-1].ref, files[i].ref, files[i].name)
		}
	}
	sortStatuses(skipped)
	return files, skipped, nil
}

func checkKind(kind string) error {
	for _, r := range kind {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return paved.Errorf(paved.EINVALID, "gitops: object kind %q is not alphanumeric", kind)
		}
	}
	return nil
}

// kustomization lists the files of a directory so that Flux (and
// kustomize-based tools) build exactly them.
func kustomization(files []file) ([]byte, error) {
	names := make([]any, len(files))
	for i, f := range files {
		names[i] = f.name
	}
	return manifest.Marshal(map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"resources":  names,
	})
}

// decodeRef reads the identity of the object in a file written by render.
func decodeRef(data []byte) (paved.ObjectRef, error) {
	var obj struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name      string `yaml:"name"`
			Namespace string `yaml:"namespace"`
		} `yaml:"metadata"`
	}
	if err := yaml.Unmarshal(data, &obj); err != nil {
		return paved.ObjectRef{}, err
	}
	if obj.Kind == "" || obj.Metadata.Name == "" {
		return paved.ObjectRef{}, fmt.Errorf("not a Kubernetes object")
	}
	return paved.ObjectRef{APIVersion: obj.APIVersion, Kind: obj.Kind, Namespace: obj.Metadata.Namespace, Name: obj.Metadata.Name}, nil
}

func compareRefs(a, b paved.ObjectRef) int {
	return cmp.Or(
		cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.APIVersion, b.APIVersion),
	)
}

func sortRefs(refs []paved.ObjectRef) { slices.SortFunc(refs, compareRefs) }

func sortStatuses(s []paved.ObjectStatus) {
	slices.SortFunc(s, func(a, b paved.ObjectStatus) int {
		return cmp.Or(compareRefs(a.Ref, b.Ref), cmp.Compare(a.State, b.State))
	})
}
