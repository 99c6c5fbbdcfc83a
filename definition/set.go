package definition

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

// Drivers are the drivers definitions may name, by id (a registry's).
type Drivers map[string]paved.Driver

// Matcher finds the definition that provides a resource: a Set matches by
// criteria; a deployment's run matches by what its plan pinned.
type Matcher interface {
	Match(w Want) (*paved.ResourceDefinition, error)
}

// Set is the definitions in force for a render or deployment. Definitions a
// platform team adds take precedence over the built-in defaults when they
// match a resource equally well.
type Set struct {
	byType map[string][]entry
}

type entry struct {
	def     *paved.ResourceDefinition
	builtin bool
}

// NewSet checks defs against drivers and indexes them. Definitions given
// later with the same id as a builtin replace it.
func NewSet(drivers Drivers, builtin, defs []paved.ResourceDefinition) (*Set, error) {
	s := &Set{byType: map[string][]entry{}}
	ids := map[string]bool{}
	for i := range defs {
		d := &defs[i]
		if ids[d.ID] {
			return nil, paved.Errorf(paved.EINVALID, "definition %s: the id is used twice; ids must be unique", d.ID)
		}
		ids[d.ID] = true
	}
	add := func(d *paved.ResourceDefinition, isBuiltin bool) error {
		if err := Validate(drivers, d); err != nil {
			return err
		}
		s.byType[d.Type] = append(s.byType[d.Type], entry{def: d, builtin: isBuiltin})
		return nil
	}
	for i := range builtin {
		if ids[builtin[i].ID] {
			continue
		}
		if err := add(&builtin[i], true); err != nil {
			return nil, err
		}
	}
	for i := range defs {
		if err := add(&defs[i], false); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Validate checks a definition against the driver it names and completes
// its declared outputs when the driver derives them from its inputs.
func Validate(drivers Drivers, d *paved.ResourceDefinition) error {
	if err := checkShape(d); err != nil {
		return paved.Errorf(paved.EINVALID, "definition %s: %s", d.ID, err)
	}
	drv, ok := drivers[d.Driver]
	if !ok {
		return paved.Errorf(paved.EINVALID, "definition %s: driver: unknown driver %q; known drivers are %s", d.ID, d.Driver, strings.Join(slices.Sorted(maps.Keys(drivers)), ", "))
	}
	if v, ok := drv.(paved.InputValidator); ok {
		if err := v.ValidateInputs(d.Inputs); err != nil {
			return paved.Errorf(paved.EINVALID, "definition %s: driver_inputs: %w", d.ID, err)
		}
	}
	if od, ok := drv.(paved.OutputDeclarer); ok && len(d.Outputs) == 0 {
		d.Outputs = od.DeclaredOutputs(d.Inputs)
	}
	return nil
}

// Types lists the resource types the set can provide, sorted.
func (s *Set) Types() []string {
	return slices.Sorted(maps.Keys(s.byType))
}

// Definitions lists every definition of the set, by type then id.
func (s *Set) Definitions() []*paved.ResourceDefinition {
	var out []*paved.ResourceDefinition
	for _, t := range s.Types() {
		for _, e := range s.byType[t] {
			out = append(out, e.def)
		}
	}
	slices.SortStableFunc(out, func(a, b *paved.ResourceDefinition) int {
		return strings.Compare(a.Type+"\x00"+a.ID, b.Type+"\x00"+b.ID)
	})
	return out
}

// Want is what a resource asks of a definition.
type Want struct {
	Type, Class, ResID string
	Context            paved.DeployContext
}

// Match returns the definition that provides the resource, the most
// specific first:
//
//   - the definitions translated from score-k8s provisioner files compete
//     among themselves as score-k8s lets them: the first that matches in
//     file order (the highest priority) is their candidate, however
//     specific a later one is;
//   - every other definition competes by specificity (its best matching
//     criteria), then priority, then a platform team's beats a builtin,
//     then the lower id;
//   - of the two candidates the more specific wins; at equal specificity
//     the higher priority (so the provisioner: its priority is at least 1),
//     then a platform team's over a builtin, then the lower id.
//
// So a paved definition whose criteria match more specifically (such as
// {env_type: production, app: shop}) beats a provisioner without criteria,
// and score-k8s' default provisioners never shadow paved's production
// definitions.
func (s *Set) Match(w Want) (*paved.ResourceDefinition, error) {
	if w.Class == "" {
		w.Class = paved.DefaultClass
	}
	var prov, other candidate
	var tried []string
	for i := range s.byType[w.Type] {
		e := &s.byType[w.Type][i]
		score, why := matchScore(e.def, w)
		if score < 0 {
			tried = append(tried, fmt.Sprintf("%s (%s)", e.def.ID, why))
			continue
		}
		c := candidate{e: e, score: score}
		if scorek8s.IsTranslated(e.def) {
			if prov.e == nil || firstMatch(c, prov) {
				prov = c
			}
			continue
		}
		if other.e == nil || moreSpecific(c, other) {
			other = c
		}
	}
	switch {
	case prov.e != nil && (other.e == nil || moreSpecific(prov, other)):
		return prov.e.def, nil
	case other.e != nil:
		return other.e.def, nil
	}
	ctx := fmt.Sprintf("type %s, class %s, id %s in app %s, environment %s of type %s", w.Type, w.Class, w.ResID, w.Context.App, w.Context.Env, w.Context.EnvType)
	if len(tried) == 0 {
		return nil, paved.Errorf(paved.EINVALID, "no resource definition provides %s: there is no definition of type %q; add one (paved definitions apply) or pick a type of %s", ctx, w.Type, strings.Join(s.Types(), ", "))
	}
	slices.Sort(tried)
	return nil, paved.Errorf(paved.EINVALID, "no resource definition matches %s; tried %s", ctx, strings.Join(tried, "; "))
}

// candidate is a definition that matches, with its specificity.
type candidate struct {
	e     *entry
	score int
}

// firstMatch orders provisioners as score-k8s does: priority (file order)
// first; provisioners of separate applies with one priority by specificity.
func firstMatch(a, b candidate) bool {
	if a.e.def.Priority != b.e.def.Priority {
		return a.e.def.Priority > b.e.def.Priority
	}
	return moreSpecific(a, b)
}

// moreSpecific orders definitions by specificity, then priority, then a
// platform team's over a builtin, then the lower id.
func moreSpecific(a, b candidate) bool {
	switch {
	case a.score != b.score:
		return a.score > b.score
	case a.e.def.Priority != b.e.def.Priority:
		return a.e.def.Priority > b.e.def.Priority
	case a.e.builtin != b.e.builtin:
		return !a.e.builtin
	}
	return a.e.def.ID < b.e.def.ID
}

// Weights of each criterion field: an exact resource beats an explicit
// class, which beats an environment, an app, then an environment type.
const (
	weightResID   = 32
	weightClass   = 16
	weightEnv     = 8
	weightApp     = 4
	weightEnvType = 2
)

// matchScore returns the specificity of d's best matching criteria, or -1
// and why none matches. A definition without criteria matches everywhere,
// with the lowest specificity.
func matchScore(d *paved.ResourceDefinition, w Want) (int, string) {
	if len(d.Criteria) == 0 {
		return 0, ""
	}
	best := -1
	var whys []string
	for _, c := range d.Criteria {
		score, why := criteriaScore(c, w)
		if score > best {
			best = score
		}
		if why != "" {
			whys = append(whys, why)
		}
	}
	if best < 0 {
		return -1, strings.Join(whys, " / ")
	}
	return best, ""
}

func criteriaScore(c paved.Criteria, w Want) (int, string) {
	score := 0
	var miss []string
	check := func(field, want, got string, weight int) {
		if want == "" {
			return
		}
		if want != got {
			miss = append(miss, fmt.Sprintf("%s %s≠%s", field, want, got))
			return
		}
		score += weight
	}
	check("class", c.Class, w.Class, weightClass)
	check("res_id", c.ResID, w.ResID, weightResID)
	check("env", c.Env, w.Context.Env, weightEnv)
	check("app", c.App, w.Context.App, weightApp)
	check("env_type", string(c.EnvType), string(w.Context.EnvType), weightEnvType)
	if len(miss) > 0 {
		return -1, strings.Join(miss, ", ")
	}
	return score, ""
}
