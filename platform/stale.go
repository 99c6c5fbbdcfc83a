package platform

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"paved.dev/paved"
)

// maxStaleReasons bounds how many changes a stale plan's error lists.
const maxStaleReasons = 10

// checkBase runs before anything is provisioned. A plan is computed against
// the environment's last successful deployment (its base); when another
// deployment succeeded since, what the plan said may no longer be what the
// run does. The run goes on only when it does nothing the plan did not
// show (the gates judged that plan): no object pruned that the plan did not
// list for deletion, no resource switched to another definition or
// orphaned that the plan left alone. Anything else fails it, naming the
// changes: deploy again to plan anew.
func (p *Platform) checkBase(ctx context.Context, d *paved.Deployment, env *paved.Environment, log func(string)) error {
	if d.Plan == nil {
		return paved.Errorf(paved.EINVALID, "this deployment has no plan; deploy again")
	}
	last, err := p.lastSuccessful(ctx, env)
	switch {
	case paved.ErrorCode(err) == paved.ENOTFOUND:
		last = nil
	case err != nil:
		return err
	}
	lastID := ""
	if last != nil {
		lastID = last.ID
	}
	if lastID == d.Plan.Base {
		return nil
	}
	var reasons []string
	if last != nil {
		objs, err := p.openObjects(last.ID, last.Objects)
		if err != nil {
			return err
		}
		reasons = append(reasons, unplannedPrunes(d.Plan, objs)...)
	}
	if d.Kind != paved.KindRollback || len(d.Plan.Resources) > 0 {
		stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: env.App, Env: env.Name})
		if err != nil {
			return err
		}
		reasons = append(reasons, unplannedResourceChanges(d.Plan, stored)...)
	}
	if len(reasons) == 0 {
		log(fmt.Sprintf("deployment %s ran after this one was planned against %s; it changes nothing this plan did not show, so it runs as planned", lastID, orNone(d.Plan.Base)))
		return nil
	}
	more := ""
	if len(reasons) > maxStaleReasons {
		more = fmt.Sprintf("; and %d more", len(reasons)-maxStaleReasons)
		reasons = reasons[:maxStaleReasons]
	}
	return paved.Errorf(paved.ECONFLICT, "the plan is stale: it was planned against %s, but deployment %s succeeded since, and running it now would do what the plan did not show: %s%s; nothing was changed: deploy again to plan anew",
		orNone(d.Plan.Base), orNone(lastID), strings.Join(reasons, "; "), more)
}

// unplannedPrunes lists the objects of the current base that the run would
// prune although the plan did not list them for deletion.
func unplannedPrunes(pl *paved.Plan, base []paved.Object) []string {
	listed := make(map[paved.ObjectRef]bool, len(pl.Objects))
	for _, o := range pl.Objects {
		listed[o.Ref] = true
	}
	var out []string
	for _, o := range base {
		if r := o.Ref(); !listed[r] {
			out = append(out, "object "+r.String()+" would be deleted")
		}
	}
	return out
}

// unplannedResourceChanges lists what the run would do to the stored
// resources that the plan did not show: a resource another definition now
// provisions switched back, a resource provisioned since orphaned, a
// resource the plan kept made anew.
func unplannedResourceChanges(pl *paved.Plan, stored []paved.StoredResource) []string {
	active := map[paved.ResourceUID]*paved.StoredResource{}
	known := map[paved.ResourceKey]bool{}
	for i := range stored {
		r := &stored[i]
		known[r.Key()] = true
		if r.Status == paved.ResourceActive {
			active[r.UID] = r
		}
	}
	planned := make(map[paved.ResourceUID]bool, len(pl.Resources))
	var out []string
	for _, r := range pl.Resources {
		planned[r.UID] = true
		if r.Action == paved.PlanOrphan {
			continue
		}
		now := active[r.UID]
		switch {
		case now != nil && (now.DefinitionID != r.Definition.ID || now.Driver != r.Definition.Driver):
			if r.Action == paved.PlanReprovision && r.Was != nil && r.Was.ID == now.DefinitionID && r.Was.Driver == now.Driver {
				continue // as planned
			}
			out = append(out, fmt.Sprintf("resource %s, now provisioned by definition %s, would be re-provisioned by %s", r.UID, now.DefinitionID, r.Definition.ID))
		case now == nil && (r.Action == paved.PlanUnchanged || r.Action == paved.PlanUpdate):
			key := paved.ResourceKey{App: pl.App, Env: pl.Env, UID: r.UID, Definition: r.Definition.ID, Driver: r.Definition.Driver}
			if !known[key] {
				out = append(out, fmt.Sprintf("resource %s, which the plan kept, is gone and would be provisioned anew", r.UID))
			}
		}
	}
	for _, uid := range slices.Sorted(maps.Keys(active)) {
		if !planned[uid] {
			out = append(out, fmt.Sprintf("resource %s, provisioned since, would be orphaned", uid))
		}
	}
	return out
}
