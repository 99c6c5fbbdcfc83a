package policy

import (
	"maps"

	"paved.dev/paved"
	"paved.dev/paved/graph"
)

// Redact returns objects with the values of Secrets replaced, as the
// server hands them to gates.
func Redact(objs []paved.Object) []paved.Object {
	out := make([]paved.Object, len(objs))
	for i, o := range objs {
		if !o.IsSecret() {
			out[i] = o
			continue
		}
		c := maps.Clone(o)
		for _, field := range []string{"data", "stringData"} {
			if m, ok := o[field].(map[string]any); ok {
				r := make(map[string]any, len(m))
				for k := range m {
					r[k] = paved.Redacted
				}
				c[field] = r
			}
		}
		out[i] = c
	}
	return out
}

// PlanOf is the plan of a graph rendered without a server: every resource
// to create, with its definition and dependencies, and those definitions
// (without their inputs), for policies that read input.resources.
func PlanOf(g *graph.Graph) (*paved.Plan, map[string]paved.ResourceDefinition) {
	p := &paved.Plan{App: g.Context.App, Env: g.Context.Env, EnvType: g.Context.EnvType, Kind: paved.KindDeploy}
	defs := map[string]paved.ResourceDefinition{}
	for _, n := range g.Nodes {
		r := paved.PlannedResource{UID: n.UID, Action: paved.PlanCreate, DependsOn: n.Deps}
		if n.Definition != nil {
			r.Definition = n.Definition.Ref()
			d := *n.Definition
			d.Inputs = nil
			defs[r.Definition.String()] = d
		}
		p.Resources = append(p.Resources, r)
	}
	return p, defs
}
