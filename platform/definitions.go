package platform

import (
	"context"
	"reflect"
	"slices"

	"paved.dev/paved"
	"paved.dev/paved/definition"
)

// ApplyDefinitions stores new versions of definitions (admin); one that has
// not changed keeps its version.
func (p *Platform) ApplyDefinitions(ctx context.Context, defs []paved.ResourceDefinition) (out []paved.ResourceDefinition, err error) {
	if _, err := requireAdmin(ctx, "changing resource definitions"); err != nil {
		p.audit(ctx, "definitions.apply", "", err)
		return nil, err
	}
	for i := range defs {
		defs[i].Deleted = false // only DeleteDefinition deletes
		if err := definition.Validate(p.cfg.Engine.Drivers, &defs[i]); err != nil {
			p.audit(ctx, "definitions.apply", defs[i].ID, err)
			return nil, err
		}
	}
	current, err := p.storedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]paved.ResourceDefinition{}
	for _, d := range current {
		byID[d.ID] = d
	}
	for i := range defs {
		d := defs[i]
		if old, ok := byID[d.ID]; ok {
			d.Version = old.Version
			if reflect.DeepEqual(normal(old), normal(d)) {
				out = append(out, p.redactInputs(old))
				continue
			}
		}
		sealed, err := p.sealInputs(d)
		if err != nil {
			return out, err
		}
		v, err := p.cfg.Store.PutDefinition(ctx, &sealed)
		p.audit(ctx, "definitions.apply", d.ID, err)
		if err != nil {
			return out, err
		}
		d.Version = v
		out = append(out, p.redactInputs(d))
	}
	return out, nil
}

// normal makes two definitions comparable whatever their JSON round trips.
func normal(d paved.ResourceDefinition) paved.ResourceDefinition {
	d.Version = 0
	if len(d.Inputs) == 0 {
		d.Inputs = nil
	}
	if len(d.Criteria) == 0 {
		d.Criteria = nil
	}
	if len(d.Outputs) == 0 {
		d.Outputs = nil
	}
	if len(d.Metadata) == 0 {
		d.Metadata = nil
	}
	return d
}

// ListDefinitions lists the latest version of every stored definition.
func (p *Platform) ListDefinitions(ctx context.Context) ([]paved.ResourceDefinition, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	defs, err := p.liveDefinitions(ctx)
	for i := range defs {
		defs[i] = p.redactInputs(defs[i])
	}
	return defs, err
}

// liveDefinitions lists the latest version of every stored definition that
// is not deleted, inputs sealed.
func (p *Platform) liveDefinitions(ctx context.Context) ([]paved.ResourceDefinition, error) {
	defs, err := p.cfg.Store.ListDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(defs, func(d paved.ResourceDefinition) bool { return d.Deleted }), nil
}

// DeleteDefinition stops a stored definition from matching (admin): it
// stores a version marked deleted that repeats the last one, so that the
// history shows what was removed and the resources it provisioned are
// still deprovisioned with the version that made them. The next deployment
// of an environment that used it matches another definition and shows the
// switch in its plan.
func (p *Platform) DeleteDefinition(ctx context.Context, id string) (out *paved.ResourceDefinition, err error) {
	defer func() { p.audit(ctx, "definitions.delete", id, err) }()
	if _, err := requireAdmin(ctx, "deleting a resource definition"); err != nil {
		return nil, err
	}
	defs, err := p.liveDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(defs, func(d paved.ResourceDefinition) bool { return d.ID == id })
	if i < 0 {
		if slices.ContainsFunc(p.cfg.Engine.Builtin, func(d paved.ResourceDefinition) bool { return d.ID == id }) {
			return nil, paved.Errorf(paved.EINVALID, "definition %s is built in and cannot be deleted; apply a definition with the same type and narrower criteria to take its place", id)
		}
		return nil, paved.Errorf(paved.ENOTFOUND, "no definition %q (paved definitions list)", id)
	}
	d := defs[i]
	d.Deleted = true
	v, err := p.cfg.Store.PutDefinition(ctx, &d)
	if err != nil {
		return nil, err
	}
	d.Version = v
	red := p.redactInputs(d)
	return &red, nil
}

// DefinitionHistory lists every version of a definition.
func (p *Platform) DefinitionHistory(ctx context.Context, id string) ([]paved.ResourceDefinition, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	defs, err := p.cfg.Store.DefinitionHistory(ctx, id)
	for i := range defs {
		defs[i] = p.redactInputs(defs[i])
	}
	return defs, err
}

// definitions returns the set in force: the store's definitions over the
// built-in ones.
func (p *Platform) definitions(ctx context.Context) (*definition.Set, error) {
	defs, err := p.storedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	return definition.NewSet(p.cfg.Engine.Drivers, p.cfg.Engine.Builtin, defs)
}

// definitionAt returns one version of a definition, inputs opened: a
// stored version, or a built-in one (version 0), checked against its
// driver so that its declared outputs are complete.
func (p *Platform) definitionAt(ctx context.Context, ref paved.DefinitionRef) (*paved.ResourceDefinition, error) {
	var d paved.ResourceDefinition
	if ref.Version == 0 {
		found := false
		for _, b := range p.cfg.Engine.Builtin {
			if b.ID == ref.ID {
				d, found = b, true
			}
		}
		if !found {
			return nil, paved.Errorf(paved.ENOTFOUND, "definition %s is not built in", ref.ID)
		}
	} else {
		stored, err := p.cfg.Store.GetDefinition(ctx, ref.ID, ref.Version)
		if err != nil {
			return nil, err
		}
		if d, err = p.openInputs(*stored); err != nil {
			return nil, err
		}
	}
	if err := definition.Validate(p.cfg.Engine.Drivers, &d); err != nil {
		return nil, err
	}
	return &d, nil
}
