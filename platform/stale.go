package platform

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"paved.dev/paved"
)

// maxStaleReasons bounds how many changes a stale plan's error lists.
const maxStaleReasons = 10

// A plan is computed against the environment's last successful deployment,
// its base. When another deployment succeeded since (two queued back to
// back), running the plan now may do what the plan did not show, and the
// plan is what the gates judged. The run goes on only when what changed
// since does not matter to it: resources are checked before anything is
// provisioned (baseResources), objects after rendering and before anything
// is applied (baseObjects). Anything else fails it, naming each change:
// deploy again to plan anew.

// movedBase returns the environment's last successful deployment (nil for
// none) and whether it is another than the plan's base.
func (p *Platform) movedBase(ctx context.Context, d *paved.Deployment, env *paved.Environment) (moved bool, last *paved.Deployment, err error) {
	if d.Plan == nil {
		return false, nil, paved.Errorf(paved.EINVALID, "this deployment has no plan; deploy again")
	}
	if last, err = p.lastSuccessful(ctx, env); err != nil {
		return false, nil, err
	}
	lastID := ""
	if last != nil {
		lastID = last.ID
	}
	return lastID != d.Plan.Base, last, nil
}

// baseResources fails a plan whose base moved when running it would do to
// the stored resources what the plan did not show.
func (p *Platform) baseResources(ctx context.Context, d *paved.Deployment, env *paved.Environment, last *paved.Deployment) error {
	if d.Kind == paved.KindRollback && len(d.Plan.Resources) == 0 {
		return nil // a rollback to a deployment from before plans leaves resources alone
	}
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: env.App, Env: env.Name})
	if err != nil {
		return err
	}
	return staleError(d, last, unplannedResourceChanges(d.Plan, stored), "nothing was changed")
}

// baseObjects fails a plan whose base moved when an object changed since
// (created, changed or deleted by the deployments in between) would now be
// written or deleted differently from what the plan showed; an object the
// run leaves exactly as it now is does not matter.
func (p *Platform) baseObjects(ctx context.Context, d *paved.Deployment, last *paved.Deployment, rendered []paved.Object, log func(string)) error {
	var then, now []paved.Object
	if d.Plan.Base != "" {
		base, err := p.cfg.Store.GetDeployment(ctx, d.Plan.Base)
		if err != nil {
			return err
		}
		if then, err = p.openObjects(base.ID, base.Objects); err != nil {
			return err
		}
	}
	if last != nil {
		var err error
		if now, err = p.openObjects(last.ID, last.Objects); err != nil {
			return err
		}
	}
	if err := staleError(d, last, changedSince(then, now, rendered), "nothing was applied"); err != nil {
		return err
	}
	log(fmt.Sprintf("deployment %s succeeded after this one was planned against %s; nothing it changed matters to this plan, so it runs as planned", last.ID, orNone(d.Plan.Base)))
	return nil
}

func staleError(d, last *paved.Deployment, reasons []string, done string) error {
	if len(reasons) == 0 {
		return nil
	}
	lastID := ""
	if last != nil {
		lastID = last.ID
	}
	more := ""
	if len(reasons) > maxStaleReasons {
		more = fmt.Sprintf("; and %d more", len(reasons)-maxStaleReasons)
		reasons = reasons[:maxStaleReasons]
	}
	return &paved.Error{Code: paved.ECONFLICT, Err: errStale, Message: fmt.Sprintf(
		"the plan is stale: it was planned against %s, but deployment %s succeeded since, and running it now would do what the plan did not show: %s%s; %s",
		orNone(d.Plan.Base), orNone(lastID), strings.Join(reasons, "; "), more, done)}
}

// errStale marks the error of a deployment whose plan went stale.
var errStale = errors.New("stale plan")

// replan decides what takes the place of a deployment whose plan went
// stale, and says so for its error: a newer deployment of the environment
// already queued (it runs next, planned against a later base), or else the
// same request planned again now, against the current base, through the
// gates like any deployment, queued behind it. So the newest of
// deployments queued back to back is what the environment ends with, and
// every plan that runs is the one the gates judged.
func (p *Platform) replan(ctx context.Context, d *paved.Deployment) (replacedBy, note string) {
	newer, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{EnvID: d.EnvID,
		Statuses: []paved.DeploymentStatus{paved.DeploymentQueued}, CreatedSince: &d.CreatedAt, Limit: 1})
	if err != nil {
		return "", "deploy again to plan anew (whether a newer deployment is queued could not be read: " + paved.ErrorMessage(err) + ")"
	}
	if len(newer) > 0 {
		return "", "a newer deployment, " + newer[0].ID + ", is queued and runs next: it takes its place"
	}
	in, err := p.intentOf(ctx, d)
	if err != nil {
		return "", "deploy again to plan anew (it could not be planned again: " + paved.ErrorMessage(err) + ")"
	}
	actor := paved.WithActor(ctx, in.author)
	again, err := p.submit(actor, in)
	p.audit(actor, "deploy.replan", d.App+"/"+d.Env+" "+d.ID, err)
	switch {
	case again != nil && err != nil:
		return again.ID, "planned again as " + again.ID + ", which the gates denied: " + paved.ErrorMessage(err)
	case err != nil:
		return "", "deploy again to plan anew (it could not be planned again: " + paved.ErrorMessage(err) + ")"
	}
	p.event(again.ID, paved.EventInfo, "planned again in place of "+d.ID+", whose plan went stale before it ran")
	return again.ID, "planned again as " + again.ID + " against the current base; it runs next"
}

// intentOf rebuilds the request of a deployment, as its author made it.
func (p *Platform) intentOf(ctx context.Context, d *paved.Deployment) (*intent, error) {
	author, err := p.cfg.Store.GetUser(ctx, d.Author)
	if err != nil {
		return nil, err
	}
	if author.Disabled {
		return nil, paved.Errorf(paved.EFORBIDDEN, "its author %s is disabled", author.Name)
	}
	app, err := p.cfg.Store.GetApp(ctx, d.App)
	if err != nil {
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, d.App, d.Env)
	if err != nil {
		return nil, err
	}
	in := &intent{kind: d.Kind, author: author, app: app, env: env, specs: d.Specs,
		commitSHA: d.CommitSHA, commitTime: d.CommitTime, fix: d.Fix, source: d.Source}
	if d.Kind == paved.KindRollback {
		if in.snapshot, err = p.openObjects(d.ID, d.Objects); err != nil {
			return nil, err
		}
		if in.rollbackOf, err = p.cfg.Store.GetDeployment(ctx, d.Source); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// changedSince lists the objects that differ between then (the plan's
// base) and now (the current base) and that the run, which makes the
// target hold rendered, would not leave as they now are.
func changedSince(then, now, rendered []paved.Object) []string {
	t, refs := indexObjects(then)
	n, nrefs := indexObjects(now)
	r, _ := indexObjects(rendered)
	maps.Copy(refs, nrefs)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(refs)) {
		tv, inT := t[k]
		nv, inN := n[k]
		rv, inR := r[k]
		if inT == inN && tv == nv {
			continue // as it was when planned
		}
		if inR == inN && rv == nv {
			continue // already what this run makes it
		}
		ref := refs[k].String()
		switch {
		case !inT && !inR:
			out = append(out, "object "+ref+" was created since and would be deleted")
		case !inT:
			out = append(out, "object "+ref+" was created since and would be overwritten")
		case !inN:
			out = append(out, "object "+ref+" was deleted since and would be created again")
		case !inR:
			out = append(out, "object "+ref+" was changed since and would be deleted")
		default:
			out = append(out, "object "+ref+" was changed since and would be overwritten")
		}
	}
	return out
}

// unplannedResourceChanges lists what the run would do to the stored
// resources that the plan did not show: a resource another definition, or
// another version of its definition, provisions now switched back; a
// resource provisioned since orphaned; a resource the plan kept made anew.
func unplannedResourceChanges(pl *paved.Plan, stored []paved.StoredResource) []string {
	active := map[paved.ResourceUID][]*paved.StoredResource{}
	known := map[paved.ResourceKey]bool{}
	for i := range stored {
		r := &stored[i]
		known[r.Key()] = true
		if r.Status == paved.ResourceActive {
			active[r.UID] = append(active[r.UID], r)
		}
	}
	planned := make(map[paved.ResourceUID]bool, len(pl.Resources))
	var out []string
	for _, r := range pl.Resources {
		planned[r.UID] = true
		if r.Action == paved.PlanOrphan {
			continue
		}
		pin := r.Definition
		isWas := func(s *paved.StoredResource) bool {
			return r.Was != nil && r.Was.ID == s.DefinitionID && r.Was.Driver == s.Driver
		}
		var match *paved.StoredResource
		for _, s := range active[r.UID] {
			switch {
			case s.DefinitionID == pin.ID && s.Driver == pin.Driver:
				match = s
			case r.Action == paved.PlanReprovision && isWas(s):
				// the definition the plan re-provisions from
			default:
				out = append(out, fmt.Sprintf("resource %s, now provisioned by definition %s, would be re-provisioned by %s", r.UID, s.DefinitionID, pin.ID))
			}
		}
		switch {
		case match != nil && match.DefinitionVersion != pin.Version && !(isWas(match) && r.Was.Version == match.DefinitionVersion):
			out = append(out, fmt.Sprintf("resource %s, now provisioned by definition %s version %d, would be provisioned by version %d", r.UID, pin.ID, match.DefinitionVersion, pin.Version))
		case match == nil && (r.Action == paved.PlanUnchanged || r.Action == paved.PlanUpdate):
			key := paved.ResourceKey{App: pl.App, Env: pl.Env, UID: r.UID, Definition: pin.ID, Driver: pin.Driver}
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
