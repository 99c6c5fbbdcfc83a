package platform

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"paved.dev/paved"
)

var _ paved.ResourcePruner = (*Platform)(nil)

// PruneResources deprovisions the environment's orphaned resources through
// their drivers (a database and its role dropped, a bucket removed...) and
// forgets them; those that hold data only with IncludeData. It runs under
// the environment's lease and not while a deployment of it is queued or
// running, so that a deployment never takes back a resource being removed.
// Active resources are never touched. Admins and the app's team may prune;
// include_data (dropping data) outside the environment types developers may
// create needs the admin role, as deleting the environment does. With UIDs
// the prune removes exactly what was confirmed or nothing (ECONFLICT).
// Every prune, dry runs aside, is audited with what it removed and kept.
func (p *Platform) PruneResources(ctx context.Context, app, env string, opt paved.PruneOptions) (out *paved.PruneResult, err error) {
	u, _, err := p.requireTeam(ctx, app, "pruning resources")
	if err != nil {
		return nil, err
	}
	if opt.DryRun {
		// A dry run reads and removes nothing: no lease.
		e, err := p.cfg.Store.GetEnvironment(ctx, app, env)
		if err != nil {
			return nil, err
		}
		return p.prune(ctx, e, opt)
	}
	defer func() { p.audit(ctx, "resource.prune", pruneAudit(app, env, opt, out), err) }()
	err = p.withLease(ctx, app, env, func(ctx context.Context) error {
		e, err := p.cfg.Store.GetEnvironment(ctx, app, env)
		if err != nil {
			return err
		}
		// Dropping data is deleting part of the environment: the same rule
		// as deleting it.
		if opt.IncludeData && u.Role != paved.RoleAdmin && !p.developerMay(e.Type) {
			return paved.Errorf(paved.EFORBIDDEN, "pruning resources that hold data in a %s environment needs the admin role, as deleting the environment does; prune without include_data to keep them", e.Type)
		}
		busy, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{EnvID: e.ID,
			Statuses: []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning}, Limit: 1})
		if err != nil {
			return err
		}
		if len(busy) > 0 {
			return paved.Errorf(paved.ECONFLICT, "deployment %s of %s/%s is %s; prune when it has ended", busy[0].ID, app, env, busy[0].Status)
		}
		if opt.UIDs != nil {
			dry := opt
			dry.DryRun = true
			plan, err := p.prune(ctx, e, dry)
			if err != nil {
				return err
			}
			if got, want := plan.Removed(), sortedUIDs(opt.UIDs); !slices.Equal(got, want) {
				return paved.Errorf(paved.ECONFLICT, "what the prune would remove changed since it was confirmed: now %s, confirmed %s; list it again (--dry-run) and confirm anew", uidList(got), uidList(want))
			}
		}
		out, err = p.prune(ctx, e, opt)
		return err
	})
	return out, err
}

func sortedUIDs(uids []paved.ResourceUID) []paved.ResourceUID {
	out := slices.Clone(uids)
	slices.Sort(out)
	return slices.Compact(out)
}

func uidList(uids []paved.ResourceUID) string {
	if len(uids) == 0 {
		return "nothing"
	}
	s := make([]string, len(uids))
	for i, u := range uids {
		s[i] = string(u)
	}
	return strings.Join(s, ", ")
}

func (p *Platform) prune(ctx context.Context, env *paved.Environment, opt paved.PruneOptions) (*paved.PruneResult, error) {
	out := &paved.PruneResult{App: env.App, Env: env.Name, DryRun: opt.DryRun, Pruned: []paved.PrunedResource{}}
	orphans, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: env.App, Env: env.Name, Status: paved.ResourceOrphaned})
	if err != nil {
		return nil, err
	}
	dc, err := p.contextOf(ctx, env)
	if err != nil {
		return nil, err
	}
	inUse, err := p.usedByLastSuccess(ctx, env)
	if err != nil {
		return nil, err
	}
	var errs []error
	for i := range orphans {
		r := &orphans[i]
		ref := paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver}
		if last := inUse(r); last != "" {
			out.InUse = append(out.InUse, paved.PrunedResource{UID: r.UID, Definition: ref, Reason: fmt.Sprintf(
				"orphaned, but the environment's last successful deployment, %s, uses it (a deployment that did not succeed orphaned it): never pruned; deploy the environment to settle it", last)})
			continue
		}
		def, err := p.definitionAt(ctx, ref)
		if err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
			return out, err
		}
		item := paved.PrunedResource{UID: r.UID, Definition: ref, Reason: r.StatusReason}
		if paved.HoldsData(r.UID, def) && !opt.IncludeData {
			item.Reason = "holds data; prune with --include-data to remove it"
			out.Kept = append(out.Kept, item)
			continue
		}
		removes, note := p.removes(r.Driver, def)
		if !opt.DryRun {
			if err := p.deprovisionOne(ctx, env, dc, r); err != nil {
				errs = append(errs, err)
				continue
			}
			p.log.Info("pruned an orphaned resource", "app", env.App, "env", env.Name, "resource", r.UID, "definition", ref.String(), "removed", removes)
		}
		if removes {
			out.Pruned = append(out.Pruned, item)
			continue
		}
		item.Reason = note
		out.Forgotten = append(out.Forgotten, item)
	}
	return out, errors.Join(errs...)
}

// usedByLastSuccess returns, for a stored resource, the id of the
// environment's last successful deployment when that deployment's plan
// uses it (same UID, definition and driver), and "" otherwise.
func (p *Platform) usedByLastSuccess(ctx context.Context, env *paved.Environment) (func(*paved.StoredResource) string, error) {
	last, err := p.lastSuccessful(ctx, env)
	if err != nil {
		return nil, err
	}
	if last == nil {
		return func(*paved.StoredResource) string { return "" }, nil
	}
	uses := planUses(last.Plan)
	return func(r *paved.StoredResource) string {
		if def, ok := uses[r.UID]; ok && provides(def, r) {
			return last.ID
		}
		return ""
	}, nil
}

// removes says whether deprovisioning a resource of the driver and
// definition removes something, and if not, why, for the result.
func (p *Platform) removes(driver string, def *paved.ResourceDefinition) (bool, string) {
	dp, ok := p.cfg.Engine.Drivers[driver].(paved.Deprovisioner)
	if !ok {
		return false, fmt.Sprintf("forgotten only: the %s driver makes nothing but the deployment's objects, which the deployment that orphaned it removed from the target", driver)
	}
	if c, ok := dp.(paved.DeprovisionChecker); ok && def != nil && !c.Deprovisions(def) {
		return false, fmt.Sprintf("forgotten only: its definition does not have the %s driver deprovision, so what it made outside the deployment's objects stays; remove that by hand", driver)
	}
	return true, ""
}

// pruneAudit is the audit entry's detail: what was asked, removed and kept.
func pruneAudit(app, env string, opt paved.PruneOptions, out *paved.PruneResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s", app, env)
	if opt.IncludeData {
		b.WriteString(" include-data")
	}
	if out == nil {
		return b.String()
	}
	list := func(label string, rs []paved.PrunedResource) {
		if len(rs) == 0 {
			return
		}
		uids := make([]string, len(rs))
		for i, r := range rs {
			uids[i] = string(r.UID) + " (" + r.Definition.String() + ")"
		}
		fmt.Fprintf(&b, "; %s %s", label, strings.Join(uids, ", "))
	}
	list("pruned", out.Pruned)
	list("forgotten", out.Forgotten)
	list("kept (data)", out.Kept)
	list("kept (in use by the last success)", out.InUse)
	return b.String()
}
