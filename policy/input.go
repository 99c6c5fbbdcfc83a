package policy

import (
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

// Input is the document a deployment policy sees as input
// (docs/policies.md): what is deployed, where, by whom, and what it will
// do. Objects come with Secret values redacted.
func Input(in *paved.GateInput) map[string]any {
	doc := map[string]any{}
	if in.App != nil {
		doc["app"] = map[string]any{"name": in.App.Name, "team": in.App.Team}
	}
	if in.Env != nil {
		env := map[string]any{"name": in.Env.Name, "type": string(in.Env.Type), "target": in.Env.Target, "namespace": in.Env.Namespace}
		if in.Env.ExpiresAt != nil {
			env["expires_at"] = in.Env.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z")
			env["ttl_hours"] = in.Env.ExpiresAt.Sub(in.Env.CreatedAt).Hours()
		}
		doc["environment"] = env
	}
	if in.Author != nil {
		doc["author"] = map[string]any{"name": in.Author.Name, "role": string(in.Author.Role), "teams": anyStrings(in.Author.Teams)}
	}
	specs := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(in.Specs)) {
		var spec map[string]any
		if err := yaml.Unmarshal([]byte(in.Specs[name]), &spec); err == nil {
			specs[name] = spec
		}
	}
	doc["specs"] = specs
	var resources []any
	if in.Plan != nil {
		doc["kind"] = string(in.Plan.Kind)
		for _, r := range in.Plan.Resources {
			typ, class, id := splitUID(r.UID)
			def := map[string]any{"id": r.Definition.ID, "version": r.Definition.Version, "driver": r.Definition.Driver, "metadata": map[string]any{}}
			if d, ok := in.Definitions[r.Definition.String()]; ok {
				md := map[string]any{}
				for k, v := range d.Metadata {
					md[k] = v
				}
				def["metadata"] = md
				def["description"] = d.Description
			}
			resources = append(resources, map[string]any{
				"uid": string(r.UID), "type": typ, "class": class, "id": id, "action": string(r.Action), "definition": def,
			})
		}
	}
	doc["resources"] = orEmpty(resources)
	objects := make([]any, 0, len(in.Objects))
	for _, o := range in.Objects {
		objects = append(objects, map[string]any(o))
	}
	doc["objects"] = objects
	settings := map[string]any{"allowed_registries": []any{}, "regions": map[string]any{}}
	for k, v := range in.Settings {
		settings[k] = v
	}
	doc["settings"] = settings
	if c := in.Plan; c != nil && c.Cost != nil {
		items := make([]any, 0, len(c.Cost.Items))
		for _, it := range c.Cost.Items {
			items = append(items, map[string]any{"what": it.What, "monthly": it.Monthly})
		}
		cost := map[string]any{"currency": c.Cost.Currency, "monthly": c.Cost.Monthly, "items": items, "estimate": true}
		if c.CostBefore != nil {
			cost["before"] = *c.CostBefore
		}
		if in.Team != nil {
			team := map[string]any{"name": in.Team.Name, "other_environments": in.TeamMonthly, "monthly": in.TeamMonthly + c.Cost.Monthly}
			if b := in.Team.Budget; b != nil && b.Monthly > 0 {
				warnAt := b.WarnAt
				if warnAt <= 0 {
					warnAt = 0.8
				}
				team["budget"] = map[string]any{"monthly": b.Monthly, "warn_at": warnAt, "hard": b.Hard}
			}
			cost["team"] = team
		}
		doc["cost"] = cost
	}
	if d := in.Previous; d != nil {
		prev := map[string]any{"id": d.ID, "kind": string(d.Kind), "status": string(d.Status), "author": d.Author, "commit_sha": d.CommitSHA,
			"created_at": d.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), "objects": len(d.Inventory)}
		doc["previous"] = prev
	}
	return doc
}

// splitUID reads a resource UID ("postgres.default#api.db"): its type,
// class and id (the workload and name, or a shared resource's id).
func splitUID(uid paved.ResourceUID) (typ, class, id string) {
	head, id, _ := strings.Cut(string(uid), "#")
	typ, class, _ = strings.Cut(head, ".")
	return typ, class, id
}

func anyStrings(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func orEmpty(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}
