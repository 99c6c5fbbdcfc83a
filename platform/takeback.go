package platform

import (
	"context"
	"fmt"

	"paved.dev/paved"
)

// takeSteps says which of takeBack's steps to take.
type takeSteps int

const (
	// takeActive makes each resource the plan uses the active one of its
	// UID, orphaning nothing: what may still be in use stays active.
	takeActive takeSteps = 1 << iota
	// takeOrphan orphans the other active resources of those UIDs (and,
	// with orphanUnused, of UIDs the plan does not use).
	takeOrphan
	takeAll = takeActive | takeOrphan
)

// takeBack records that an environment's objects are those of deployment
// src again, whose plan is pl (a rollback to it, or the environment brought
// back to it), from the store as it is now: each resource the plan uses is
// the active one of its UID (taken back from orphaned if a deployment in
// between dropped it), and every other active one of that UID is
// orphaned. With orphanUnused, so is every active resource of a UID the
// plan does not use. steps limits it to one of the two: resources are made
// active before the target holds src's objects, and others orphaned only
// once it does (reconcile). how says what happened, for the reasons
// ("rolled back to", "brought back to"). It is idempotent: run again, it
// changes nothing.
func (p *Platform) takeBack(ctx context.Context, app, env string, pl *paved.Plan, src, how string, orphanUnused bool, steps takeSteps, log func(string)) error {
	if pl == nil || len(pl.Resources) == 0 {
		return nil // a deployment from before plans leaves resources alone
	}
	uses := planUses(pl)
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: app, Env: env})
	if err != nil {
		return err
	}
	orphan := func(r paved.StoredResource, reason string) error {
		if err := p.cfg.Store.SetResourceStatus(ctx, r.Key(), paved.ResourceOrphaned, reason); err != nil {
			return err
		}
		log(fmt.Sprintf("resource %s (definition %s) is orphaned: %s; it keeps its data until the environment is deleted", r.UID, r.DefinitionID, reason))
		return nil
	}
	for _, r := range stored {
		def, used := uses[r.UID]
		mine := used && provides(def, &r)
		switch {
		case mine && r.Status != paved.ResourceActive && steps&takeActive != 0:
			if err := p.cfg.Store.SetResourceStatus(ctx, r.Key(), paved.ResourceActive, ""); err != nil {
				return err
			}
			log(fmt.Sprintf("resource %s (definition %s) is in use again, as in %s", r.UID, r.DefinitionID, src))
		case mine || r.Status != paved.ResourceActive || steps&takeOrphan == 0:
		case used:
			if err := orphan(r, fmt.Sprintf("%s %s, which used definition %s", how, src, def.ID)); err != nil {
				return err
			}
		case orphanUnused:
			if err := orphan(r, how+" "+src+", which does not use it"); err != nil {
				return err
			}
		}
	}
	return nil
}

// planUses is what a plan uses, by UID: the definition of each resource it
// does not orphan. A stored resource is the one it uses when the
// definition provides it (takeBack; prune keeps such an orphan).
func planUses(pl *paved.Plan) map[paved.ResourceUID]paved.DefinitionRef {
	uses := map[paved.ResourceUID]paved.DefinitionRef{}
	if pl == nil {
		return uses
	}
	for _, r := range pl.Resources {
		if r.Action != paved.PlanOrphan {
			uses[r.UID] = r.Definition
		}
	}
	return uses
}

// provides says whether r is the resource of def: its definition and driver.
func provides(def paved.DefinitionRef, r *paved.StoredResource) bool {
	return r.DefinitionID == def.ID && r.Driver == def.Driver
}
