package kubernetes

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"paved.dev/paved"
)

// An environment deploys into its own namespace and nowhere else: a
// namespaced object without a namespace is put there, one that names another
// namespace is refused, and so is a cluster-scoped object, whose effect
// reaches beyond the environment, unless the operator allows its kind. The
// environment's own Namespace object is always allowed. The checks run on
// every object before anything is written.

// WithClusterScopedKinds allows cluster-scoped kinds, named "group/Kind"
// ("apiextensions.k8s.io/CustomResourceDefinition",
// "rbac.authorization.k8s.io/ClusterRole") or "Kind" for the core group
// ("PersistentVolume", "Namespace" for namespaces other than the
// environment's). Repeated calls add to the list.
func WithClusterScopedKinds(kinds ...string) Option {
	return func(o *options) { o.clusterKinds = append(o.clusterKinds, kinds...) }
}

func parseClusterKinds(target string, kinds []string) (map[schema.GroupKind]bool, error) {
	out := map[schema.GroupKind]bool{}
	for _, k := range kinds {
		gk := parseGroupKind(k)
		if gk.Kind == "" || strings.ContainsAny(gk.Kind, "/.") || strings.ToUpper(gk.Kind[:1]) != gk.Kind[:1] {
			return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: cluster-scoped kind %q is not of the form group/Kind (e.g. rbac.authorization.k8s.io/ClusterRole) or Kind for the core group (e.g. PersistentVolume)", target, k)
		}
		out[gk] = true
	}
	return out, nil
}

// parseGroupKind reads "group/Kind" or "Kind".
func parseGroupKind(s string) schema.GroupKind {
	group, kind, ok := strings.Cut(s, "/")
	if !ok {
		return schema.GroupKind{Kind: s}
	}
	return schema.GroupKind{Group: group, Kind: kind}
}

func formatGroupKind(gk schema.GroupKind) string {
	if gk.Group == "" {
		return gk.Kind
	}
	return gk.Group + "/" + gk.Kind
}

// confine settles an item's namespace, given whether its kind is
// namespaced, or refuses it.
func (t *Target) confine(it *item, namespaced bool, dc paved.DeployContext) error {
	if namespaced {
		switch ns := it.obj.GetNamespace(); ns {
		case "":
			it.obj.SetNamespace(dc.Namespace)
		case dc.Namespace:
		default:
			return paved.Errorf(paved.EINVALID, "%s: %s names namespace %q, but app %s env %s deploys only into namespace %q: remove metadata.namespace from the object",
				t, it.ref(), ns, dc.App, dc.Env, dc.Namespace)
		}
		return nil
	}
	it.obj.SetNamespace("")
	if it.gk == (schema.GroupKind{Kind: "Namespace"}) && it.obj.GetName() == dc.Namespace {
		return nil
	}
	if t.opts.clusterScoped[it.gk] {
		return nil
	}
	return paved.Errorf(paved.EFORBIDDEN, "%s: %s is cluster-scoped (%s), which reaches beyond the environment's namespace %q; %s",
		t, it.ref(), formatGroupKind(it.gk), dc.Namespace, t.allowedClusterKinds())
}

func (t *Target) allowedClusterKinds() string {
	const fix = "have the operator allow the kind (server flag --cluster-scoped-kinds, e.g. rbac.authorization.k8s.io/ClusterRole), or remove the object"
	if len(t.opts.clusterScoped) == 0 {
		return "this target allows no cluster-scoped kinds: " + fix
	}
	names := make([]string, 0, len(t.opts.clusterScoped))
	for gk := range t.opts.clusterScoped {
		names = append(names, formatGroupKind(gk))
	}
	slices.Sort(names)
	return fmt.Sprintf("this target allows only %s: %s", strings.Join(names, ", "), fix)
}
