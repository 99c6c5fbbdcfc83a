package kubernetes

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

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

// ErrClusterScopedKind is the cause (errors.Is) of the refusal of a
// cluster-scoped object whose kind WithClusterScopedKinds does not allow,
// so that a program that sets the option from its own settings can name
// the setting (paved's server names its flag).
var ErrClusterScopedKind = errors.New("cluster-scoped kind not allowed (WithClusterScopedKinds)")

// ValidateClusterScopedKinds checks entries for WithClusterScopedKinds, so
// that a program can refuse bad settings at start rather than when a
// target is built: each is "group/Kind", the group a DNS-1123 subdomain, or
// "Kind" alone for the core group; the Kind starts with an upper-case
// letter and has only letters and digits. The error names the first bad
// entry.
func ValidateClusterScopedKinds(kinds ...string) error {
	for _, k := range kinds {
		if _, err := parseClusterKind(k); err != nil {
			return err
		}
	}
	return nil
}

func parseClusterKinds(target string, kinds []string) (map[schema.GroupKind]bool, error) {
	out := map[schema.GroupKind]bool{}
	for _, k := range kinds {
		gk, err := parseClusterKind(k)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: WithClusterScopedKinds: %w", target, err)
		}
		out[gk] = true
	}
	return out, nil
}

// parseClusterKind reads one entry of WithClusterScopedKinds.
func parseClusterKind(s string) (schema.GroupKind, error) {
	gk := parseGroupKind(s)
	var problem string
	switch {
	case !validKind(gk.Kind):
		problem = fmt.Sprintf("the Kind %q does not start with an upper-case letter followed by letters and digits", gk.Kind)
	case strings.Contains(s, "/") && gk.Group == "":
		problem = "the group is empty (write the Kind alone for the core group)"
	case gk.Group != "":
		if errs := validation.IsDNS1123Subdomain(gk.Group); len(errs) > 0 {
			problem = fmt.Sprintf("the group %q is not a DNS subdomain: %s", gk.Group, strings.Join(errs, "; "))
		}
	}
	if problem != "" {
		return gk, paved.Errorf(paved.EINVALID, "cluster-scoped kind %q is not of the form group/Kind (e.g. rbac.authorization.k8s.io/ClusterRole) or Kind for the core group (e.g. PersistentVolume): %s", s, problem)
	}
	return gk, nil
}

// validKind is a Kind as Kubernetes writes them: "ClusterRole", "V1Thing".
func validKind(k string) bool {
	if k == "" || k[0] < 'A' || k[0] > 'Z' {
		return false
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
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
	err := paved.Errorf(paved.EFORBIDDEN, "%s: %s is cluster-scoped (%s), which reaches beyond the environment's namespace %q; %s",
		t, it.ref(), formatGroupKind(it.gk), dc.Namespace, t.allowedClusterKinds())
	err.Err = ErrClusterScopedKind
	return err
}

func (t *Target) allowedClusterKinds() string {
	const fix = "have the operator allow the kind (WithClusterScopedKinds, e.g. rbac.authorization.k8s.io/ClusterRole), or remove the object"
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
