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
// objects use, from the store as it is now (takeBack): every active
// resource of a UID it does not use is orphaned too.
func (p *Platform) reactivate(ctx context.Context, d *paved.Deployment, log func(string)) error {
	return p.takeBack(ctx, d.App, d.Env, d.Plan, d.Source, "rolled back to", true, takeAll, log)
}
