package platform

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

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
	// A UID may have more than one active resource for a while (a
	// deployment that switched its definition failed): all are kept.
	active := map[paved.ResourceUID][]*paved.StoredResource{}
	for i := range stored {
		r := &stored[i]
		byKey[r.Key()] = r
		if r.Status == paved.ResourceActive {
			active[r.UID] = append(active[r.UID], r)
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
		var others []string
		mine := false
		for _, now := range active[r.UID] {
			if now.DefinitionID == r.Definition.ID && now.Driver == r.Definition.Driver {
				mine = true
				continue
			}
			if pr.Was == nil {
				was := paved.DefinitionRef{ID: now.DefinitionID, Version: now.DefinitionVersion, Driver: now.Driver}
				pr.Was = &was
			}
			others = append(others, now.DefinitionID)
		}
		if !mine || len(others) > 0 {
			pr.Action = paved.PlanReprovision
			pr.Reason = fmt.Sprintf("back to definition %s, which deployment %s used", r.Definition.ID, src.ID)
			if len(others) > 0 {
				pr.Reason += fmt.Sprintf("; the resource of definition %s is kept, orphaned", strings.Join(others, ", "))
			}
		}
		out = append(out, pr)
	}
	for _, uid := range slices.Sorted(maps.Keys(active)) {
		if used[uid] {
			continue
		}
		for _, r := range active[uid] {
			out = append(out, paved.PlannedResource{UID: uid, Action: paved.PlanOrphan,
				Definition: paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver},
				Reason:     "not used by deployment " + src.ID + "; kept with its data"})
		}
	}
	return out, nil
}

// reactivate records, after a rollback succeeded, which resources its
// objects use, from the store as it is now: each resource its plan uses
// is the active one of its UID (taken back from orphaned if a deployment in
// between dropped it), every other active one of that UID is orphaned, and
// so is every active resource of a UID it does not use.
func (p *Platform) reactivate(ctx context.Context, d *paved.Deployment, log func(string)) error {
	if len(d.Plan.Resources) == 0 {
		return nil // a rollback to a deployment from before plans leaves resources alone
	}
	uses := map[paved.ResourceUID]paved.DefinitionRef{}
	for _, r := range d.Plan.Resources {
		if r.Action != paved.PlanOrphan {
			uses[r.UID] = r.Definition
		}
	}
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: d.App, Env: d.Env})
	if err != nil {
		return err
	}
	for _, r := range stored {
		def, used := uses[r.UID]
		mine := used && r.DefinitionID == def.ID && r.Driver == def.Driver
		switch {
		case mine && r.Status != paved.ResourceActive:
			if err := p.cfg.Store.SetResourceStatus(ctx, r.Key(), paved.ResourceActive, ""); err != nil {
				return err
			}
			log(fmt.Sprintf("resource %s (definition %s) is in use again, as in %s", r.UID, r.DefinitionID, d.Source))
		case mine || r.Status != paved.ResourceActive:
		case used:
			reason := fmt.Sprintf("rolled back to %s, which used definition %s", d.Source, def.ID)
			if err := p.cfg.Store.SetResourceStatus(ctx, r.Key(), paved.ResourceOrphaned, reason); err != nil {
				return err
			}
			log(fmt.Sprintf("resource %s (definition %s) is orphaned: %s; it keeps its data until the environment is deleted", r.UID, r.DefinitionID, reason))
		default:
			reason := "rolled back to " + d.Source + ", which does not use it"
			if err := p.cfg.Store.SetResourceStatus(ctx, r.Key(), paved.ResourceOrphaned, reason); err != nil {
				return err
			}
			log(fmt.Sprintf("resource %s (definition %s) is orphaned: %s; it keeps its data until the environment is deleted", r.UID, r.DefinitionID, reason))
		}
	}
	return nil
}
