package platform

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"paved.dev/paved"
)

// rollbackResources plans what a rollback to src does to the stored
// resources. Its objects are src's snapshot, which reach the resources src
// used: each becomes the active one of its UID again (an unchanged one when
// it still is; a "reprovision" back to src's definition when another
// definition provisions it now, that one kept, orphaned), and a resource src
// did not use is orphaned. Nothing is provisioned, so a resource src used
// that no longer exists makes the rollback impossible.
func rollbackResources(src *paved.Deployment, stored []paved.StoredResource) ([]paved.PlannedResource, error) {
	out := []paved.PlannedResource{}
	if src.Plan == nil {
		return out, nil // a deployment from before plans: resources are left as they are
	}
	byKey := make(map[paved.ResourceKey]*paved.StoredResource, len(stored))
	active := map[paved.ResourceUID]*paved.StoredResource{}
	for i := range stored {
		r := &stored[i]
		byKey[r.Key()] = r
		if r.Status == paved.ResourceActive {
			active[r.UID] = r
		}
	}
	used := map[paved.ResourceUID]bool{}
	for _, r := range src.Plan.Resources {
		if r.Action == paved.PlanOrphan {
			continue
		}
		used[r.UID] = true
		key := paved.ResourceKey{App: src.App, Env: src.Env, UID: r.UID, Definition: r.Definition.ID, Driver: r.Definition.Driver}
		if byKey[key] == nil {
			return nil, paved.Errorf(paved.EINVALID, "resource %s, which deployment %s used (definition %s), no longer exists, and a rollback provisions nothing: deploy the specs of %s instead", r.UID, src.ID, r.Definition, src.ID)
		}
		pr := paved.PlannedResource{UID: r.UID, Action: paved.PlanUnchanged, Definition: r.Definition, DependsOn: r.DependsOn}
		if now := active[r.UID]; now == nil || now.DefinitionID != r.Definition.ID || now.Driver != r.Definition.Driver {
			pr.Action = paved.PlanReprovision
			pr.Reason = fmt.Sprintf("back to definition %s, which deployment %s used (its resource was kept, orphaned)", r.Definition.ID, src.ID)
			if now != nil {
				was := paved.DefinitionRef{ID: now.DefinitionID, Version: now.DefinitionVersion, Driver: now.Driver}
				pr.Was = &was
				pr.Reason += fmt.Sprintf("; the one of definition %s is kept, orphaned", now.DefinitionID)
			}
		}
		out = append(out, pr)
	}
	for _, uid := range slices.Sorted(maps.Keys(active)) {
		if used[uid] {
			continue
		}
		r := active[uid]
		out = append(out, paved.PlannedResource{UID: uid, Action: paved.PlanOrphan,
			Definition: paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver},
			Reason:     "not used by deployment " + src.ID + "; kept with its data"})
	}
	return out, nil
}

// reactivate records, after a rollback succeeded, which resources its
// objects use: what its plan said.
func (p *Platform) reactivate(ctx context.Context, d *paved.Deployment, log func(string)) error {
	key := func(uid paved.ResourceUID, def paved.DefinitionRef) paved.ResourceKey {
		return paved.ResourceKey{App: d.App, Env: d.Env, UID: uid, Definition: def.ID, Driver: def.Driver}
	}
	for _, r := range d.Plan.Resources {
		switch r.Action {
		case paved.PlanOrphan:
			if err := p.cfg.Store.SetResourceStatus(ctx, key(r.UID, r.Definition), paved.ResourceOrphaned, "rolled back to "+d.Source+", which does not use it"); err != nil {
				return err
			}
			log(fmt.Sprintf("resource %s (definition %s) is orphaned: %s does not use it; it keeps its data until the environment is deleted", r.UID, r.Definition.ID, d.Source))
		case paved.PlanReprovision:
			if r.Was != nil {
				reason := fmt.Sprintf("rolled back to %s, which used definition %s", d.Source, r.Definition.ID)
				if err := p.cfg.Store.SetResourceStatus(ctx, key(r.UID, *r.Was), paved.ResourceOrphaned, reason); err != nil {
					return err
				}
			}
			if err := p.cfg.Store.SetResourceStatus(ctx, key(r.UID, r.Definition), paved.ResourceActive, ""); err != nil {
				return err
			}
			log(fmt.Sprintf("resource %s is definition %s's again, as in %s", r.UID, r.Definition.ID, d.Source))
		}
	}
	return nil
}
