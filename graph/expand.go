package graph

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"paved.dev/paved/score"
)

// Expand substitutes the placeholders in s for a workload and reports
// whether any secret output went into the result: such a value must be
// delivered as a Kubernetes Secret, never inline.
func (g *Graph) Expand(workload, s string) (string, bool, error) {
	secret := false
	out, err := score.Expand(s, func(parts []string) (string, error) {
		v, sec, err := g.Lookup(workload, parts)
		if err != nil {
			return "", err
		}
		secret = secret || sec
		switch t := v.(type) {
		case string:
			return t, nil
		case nil:
			return "", nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	})
	return out, secret, err
}

// Lookup resolves one placeholder of a workload to its value, and says
// whether it is secret.
func (g *Graph) Lookup(workload string, parts []string) (any, bool, error) {
	w := g.workloads[workload]
	switch parts[0] {
	case "metadata":
		v, err := dig(map[string]any(w.Spec.Metadata), parts[1:])
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", score.JoinRef(parts), err)
		}
		return v, false, nil
	case "resources":
		n := g.refs[workload][parts[1]]
		if n == nil {
			return nil, false, fmt.Errorf("%s: unknown resource %q", score.JoinRef(parts), parts[1])
		}
		if n.Outputs == nil {
			return nil, false, fmt.Errorf("%s: resource %s is not provisioned yet", score.JoinRef(parts), n.UID)
		}
		if len(parts) == 2 {
			secret := false
			for k := range n.Outputs {
				if o, _ := n.Definition.Output(k); o.Secret {
					secret = true
				}
			}
			return n.Outputs, secret, nil
		}
		spec, declared := n.Definition.Output(parts[2])
		if _, ok := n.Outputs[parts[2]]; !ok {
			have := slices.Sorted(maps.Keys(n.Outputs))
			if declared {
				return nil, false, fmt.Errorf("%s: resource %s (definition %s) did not return output %q; it returned %s", score.JoinRef(parts), n.UID, n.Definition.ID, parts[2], strings.Join(have, ", "))
			}
			return nil, false, fmt.Errorf("%s: resource %s has no output %q; its outputs are %s", score.JoinRef(parts), n.UID, parts[2], strings.Join(have, ", "))
		}
		v, err := dig(n.Outputs, parts[2:])
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", score.JoinRef(parts), err)
		}
		return v, spec.Secret, nil
	}
	return nil, false, fmt.Errorf("%s: unknown placeholder root %q", score.JoinRef(parts), parts[0])
}

func dig(m map[string]any, keys []string) (any, error) {
	var v any = m
	for i, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is not a mapping", strings.Join(keys[:i], "."))
		}
		if v, ok = mm[k]; !ok {
			return nil, fmt.Errorf("no key %q", strings.Join(keys[:i+1], "."))
		}
	}
	return v, nil
}
