package platform

import (
	"context"
	"errors"
	"fmt"
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
// every prune, dry runs aside, is audited with what it removed and kept.
func (p *Platform) PruneResources(ctx context.Context, app, env string, opt paved.PruneOptions) (out *paved.PruneResult, err error) {
	if _, _, err := p.requireTeam(ctx, app, "pruning resources"); err != nil {
		return nil, err
	}
	if !opt.DryRun {
		defer func() { p.audit(ctx, "resource.prune", pruneAudit(app, env, opt, out), err) }()
	}
	err = p.withLease(ctx, app, env, func(ctx context.Context) error {
		e, err := p.cfg.Store.GetEnvironment(ctx, app, env)
		if err != nil {
			return err
		}
		busy, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{EnvID: e.ID,
			Statuses: []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning}, Limit: 1})
		if err != nil {
			return err
		}
		if len(busy) > 0 {
			return paved.Errorf(paved.ECONFLICT, "deployment %s of %s/%s is %s; prune when it has ended", busy[0].ID, app, env, busy[0].Status)
		}
		out, err = p.prune(ctx, e, opt)
		return err
	})
	return out, err
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
	var errs []error
	for i := range orphans {
		r := &orphans[i]
		ref := paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver}
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
		if opt.DryRun {
			out.Pruned = append(out.Pruned, item)
			continue
		}
		if err := p.deprovisionOne(ctx, env, dc, r); err != nil {
			errs = append(errs, err)
			continue
		}
		p.log.Info("pruned an orphaned resource", "app", env.App, "env", env.Name, "resource", r.UID, "definition", ref.String())
		out.Pruned = append(out.Pruned, item)
	}
	return out, errors.Join(errs...)
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
	list("kept (data)", out.Kept)
	return b.String()
}
