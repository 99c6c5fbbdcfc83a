package render

import (
	"reflect"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/graph"
	"paved.dev/paved/scorek8s"
)

// identity is what tells objects apart in a cluster: the API group (not its
// version), the kind, the namespace and the name.
type identity struct{ group, kind, namespace, name string }

func identityOf(o paved.Object) identity {
	r := o.Ref()
	group, _, found := strings.Cut(r.APIVersion, "/")
	if !found {
		group = "" // the core group: "v1"
	}
	return identity{group: group, kind: r.Kind, namespace: r.Namespace, name: r.Name}
}

// unique merges the objects several resources render alike and refuses two
// different objects with one identity, since the second would silently
// replace the first in the target. Two routes of one workload from the
// community's ingress-with-netpol provisioner both render its NetworkPolicy:
// score-k8s keeps one, and so does paved, when they are the same but for
// paved's resource annotation; different ones are an error naming both
// resources and their provisioners. patched names, by identity, the patch
// template that added an object.
func unique(objs []paved.Object, g *graph.Graph, patched map[identity]string) ([]paved.Object, error) {
	first := make(map[identity]int, len(objs))
	out := objs[:0]
	for _, o := range objs {
		id := identityOf(o)
		i, seen := first[id]
		if !seen {
			first[id] = len(out)
			out = append(out, o)
			continue
		}
		prev := out[i]
		if fromResource(prev) && fromResource(o) && sameButResource(prev, o) {
			continue
		}
		return nil, paved.Errorf(paved.EINVALID, "two different objects are both %s (from %s and %s); rename a workload or resource, or make the provisioners render the same object", o.Ref(), origin(prev, g, patched), origin(o, g, patched))
	}
	return out, nil
}

func fromResource(o paved.Object) bool {
	a, _ := meta(o)["annotations"].(map[string]any)
	_, ok := a[AnnotationResource].(string)
	return ok
}

// sameButResource says whether a and b are the same object but for the
// resource paved's annotation names.
func sameButResource(a, b paved.Object) bool {
	strip := func(o paved.Object) paved.Object {
		c := paved.Object(deepCopy(map[string]any(o)).(map[string]any))
		if an, ok := meta(c)["annotations"].(map[string]any); ok {
			delete(an, AnnotationResource)
		}
		return c
	}
	return reflect.DeepEqual(strip(a), strip(b))
}

// origin names what rendered an object: a resource and its definition (the
// provisioner's uri when it is one), a workload, a patch template, or paved.
func origin(o paved.Object, g *graph.Graph, patched map[identity]string) string {
	md := meta(o)
	if a, ok := md["annotations"].(map[string]any); ok {
		if r, ok := a[AnnotationResource].(string); ok {
			s := "resource " + r
			if n := g.Node(paved.ResourceUID(r)); n != nil && n.Definition != nil {
				if uri := n.Definition.Metadata[scorek8s.URIKey]; uri != "" {
					s += " (provisioner " + uri + ")"
				} else {
					s += " (definition " + n.Definition.ID + ")"
				}
			}
			return s
		}
	}
	if l, ok := md["labels"].(map[string]any); ok {
		if w, ok := l[LabelWorkload].(string); ok {
			return "workload " + w
		}
	}
	id := identityOf(o)
	id.namespace = ""
	if src, ok := patched[id]; ok {
		return "patch template " + src
	}
	return "paved"
}
