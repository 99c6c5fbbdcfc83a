package render

import (
	"encoding/json"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/graph"
	"paved.dev/paved/score"
	"paved.dev/paved/scorek8s"
)

// Patch applies score-k8s patch templates, in order, to the rendered
// objects. Objects a patch adds get the environment's namespace (when they
// are namespaced and name none) and paved's labels, as the rendered ones
// have; the result is sorted and checked again. A patch's substituteValue
// resolves a workload's placeholders, but refuses secret outputs: a patched
// field is not a Secret.
func Patch(objs []paved.Object, g *graph.Graph, workloads []*score.Workload, patches []*scorek8s.PatchTemplate) ([]paved.Object, error) {
	if len(patches) == 0 {
		return objs, nil
	}
	specs := map[string]any{}
	for _, w := range workloads {
		b, err := json.Marshal(w.Spec)
		if err != nil {
			return nil, fmt.Errorf("workload %s: %w", w.Name, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("workload %s: %w", w.Name, err)
		}
		specs[w.Name] = m
	}
	substitute := func(workload, value string) (string, error) {
		if _, ok := specs[workload]; !ok {
			return "", fmt.Errorf("substituteValue: no workload %q", workload)
		}
		s, secret, err := g.Expand(workload, value)
		if err != nil {
			return "", fmt.Errorf("substituteValue %q: %w", value, err)
		}
		if secret {
			return "", fmt.Errorf("substituteValue %q: it holds a secret output, which a patch would write in clear; use it in a container variable or file instead", value)
		}
		return s, nil
	}
	manifests := make([]map[string]any, len(objs))
	for i, o := range objs {
		manifests[i] = o
	}
	// patched names the patch template that added each identity, for
	// errors.
	patched := map[identity]string{}
	for _, p := range patches {
		before := counts(manifests)
		var err error
		manifests, err = p.Apply(scorek8s.PatchInput{Manifests: manifests, Workloads: specs, Namespace: g.Context.Namespace}, substitute)
		if err != nil {
			return nil, err
		}
		for id, n := range counts(manifests) {
			if n > before[id] {
				patched[id] = p.Source
			}
		}
	}
	dc := g.Context
	common := commonLabels(dc)
	out := make([]paved.Object, len(manifests))
	for i, m := range manifests {
		o := paved.Object(m)
		md := meta(o)
		if kind, _ := o["kind"].(string); !ClusterScoped(kind) {
			if ns, _ := md["namespace"].(string); ns == "" {
				md["namespace"] = dc.Namespace
			}
		}
		setLabels(o, common)
		out[i] = o
	}
	Sort(out)
	return unique(out, g, patched)
}

// counts counts the manifests of each identity; the namespace is left out,
// since a patch's new objects get theirs only afterwards.
func counts(manifests []map[string]any) map[identity]int {
	out := make(map[identity]int, len(manifests))
	for _, m := range manifests {
		id := identityOf(paved.Object(m))
		id.namespace = ""
		out[id]++
	}
	return out
}
