package definition

import (
	"slices"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

// Shadow is a paved definition that a provisioner takes resources from.
type Shadow struct {
	// Provisioner is the translated provisioner's definition id; Definition
	// the paved definition it shadows; Where the criteria under which it
	// does ("any resource of the type" when the paved one has none).
	Provisioner, Definition, Where string
}

// Shadows lists the paved definitions of stored (neither translated nor
// deleted) from which one of the translated provisioners of applied would
// take a resource: for each criteria entry of the paved definition, the
// resource it matches (narrowed by the provisioner's class and id) is given
// to the provisioner by Match. Sorted by provisioner, then definition.
func Shadows(applied, stored []paved.ResourceDefinition) []Shadow {
	var out []Shadow
	for i := range applied {
		p := &applied[i]
		if !scorek8s.IsTranslated(p) {
			continue
		}
		for j := range stored {
			d := &stored[j]
			if d.Deleted || d.Type != p.Type || d.ID == p.ID || scorek8s.IsTranslated(d) {
				continue
			}
			if where, ok := shadows(p, d); ok {
				out = append(out, Shadow{Provisioner: p.ID, Definition: d.ID, Where: where})
			}
		}
	}
	slices.SortFunc(out, func(a, b Shadow) int {
		return strings.Compare(a.Provisioner+"\x00"+a.Definition, b.Provisioner+"\x00"+b.Definition)
	})
	return out
}

// shadows says whether p beats d for some resource d matches, and where.
func shadows(p, d *paved.ResourceDefinition) (string, bool) {
	crit := d.Criteria
	if len(crit) == 0 {
		crit = []paved.Criteria{{}}
	}
	pc := p.Criteria
	if len(pc) == 0 {
		pc = []paved.Criteria{{}}
	}
	for _, c := range crit {
		where := DescribeCriteria(c)
		if where == "" {
			where = "any resource of the type"
		}
		for _, q := range pc {
			w, ok := overlap(c, q)
			if !ok {
				continue
			}
			ps, _ := matchScore(p, w)
			ds, _ := matchScore(d, w)
			if ps < 0 || ds < 0 {
				continue
			}
			if moreSpecific(candidate{e: &entry{def: p}, score: ps}, candidate{e: &entry{def: d}, score: ds}) {
				return where, true
			}
		}
	}
	return "", false
}

// overlap is a resource both criteria match, if there is one.
func overlap(c, q paved.Criteria) (Want, bool) {
	pick := func(a, b string) (string, bool) {
		switch {
		case a == "":
			return b, true
		case b == "" || a == b:
			return a, true
		}
		return "", false
	}
	class, ok1 := pick(c.Class, q.Class)
	id, ok2 := pick(c.ResID, q.ResID)
	if !ok1 || !ok2 || q.Env != "" || q.App != "" || q.EnvType != "" {
		return Want{}, false
	}
	if class == "" {
		class = paved.DefaultClass
	}
	return Want{Class: class, ResID: id, Context: paved.DeployContext{App: c.App, Env: c.Env, EnvType: c.EnvType}}, true
}

// DescribeCriteria writes criteria as field=value pairs.
func DescribeCriteria(c paved.Criteria) string {
	var parts []string
	for _, kv := range [][2]string{{"class", c.Class}, {"res_id", c.ResID}, {"env_type", string(c.EnvType)}, {"env", c.Env}, {"app", c.App}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, ",")
}

// Stale lists the translated provisioners of stored (not deleted) that came
// from a file among those applied holds but that the file no longer holds:
// re-applying a provisioner file without one of its provisioners would
// otherwise leave the stale one matching. Sorted by id.
func Stale(applied, stored []paved.ResourceDefinition) []paved.ResourceDefinition {
	files := map[string]bool{}
	ids := map[string]bool{}
	for i := range applied {
		ids[applied[i].ID] = true
		if src := SourceFile(&applied[i]); src != "" {
			files[src] = true
		}
	}
	var out []paved.ResourceDefinition
	for _, d := range stored {
		if d.Deleted || ids[d.ID] || !scorek8s.IsTranslated(&d) || !files[SourceFile(&d)] {
			continue
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b paved.ResourceDefinition) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// SourceFile is the provisioner file a translated definition came from
// (its base name), or "".
func SourceFile(d *paved.ResourceDefinition) string {
	if !scorek8s.IsTranslated(d) {
		return ""
	}
	s, _ := d.Inputs["source"].(string)
	return s
}
