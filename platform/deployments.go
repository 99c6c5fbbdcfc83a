package platform

import (
	"context"
	"fmt"

	"paved.dev/paved"
)

// Deploy plans, gates and queues a deployment of Score specs. Invalid specs
// and missing definitions are refused here, before anything is written.
func (p *Platform) Deploy(ctx context.Context, req *paved.DeployRequest) (d *paved.Deployment, err error) {
	defer func() {
		target := req.App + "/" + req.Env
		if d != nil {
			target += " " + d.ID
		}
		p.audit(ctx, "deploy", target, err)
	}()
	u, app, err := p.requireTeam(ctx, req.App, "deploying")
	if err != nil {
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, req.App, req.Env)
	if err != nil {
		return nil, err
	}
	return p.submit(ctx, &intent{kind: paved.KindDeploy, author: u, app: app, env: env, specs: req.Specs,
		commitSHA: req.CommitSHA, commitTime: req.CommitTime, fix: req.Fix})
}

// Rollback queues a deployment that re-deploys an earlier successful
// deployment's snapshot (its rendered objects, exactly).
func (p *Platform) Rollback(ctx context.Context, id string) (d *paved.Deployment, err error) {
	defer func() { p.audit(ctx, "rollback", id, err) }()
	old, err := p.cfg.Store.GetDeployment(ctx, id)
	if err != nil {
		return nil, err
	}
	u, app, err := p.requireTeam(ctx, old.App, "rolling back")
	if err != nil {
		return nil, err
	}
	if old.Status != paved.DeploymentSucceeded {
		return nil, paved.Errorf(paved.EINVALID, "deployment %s %s; only a succeeded deployment can be rolled back to", id, old.Status)
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, old.App, old.Env)
	if err != nil {
		return nil, err
	}
	if old.EnvID != env.ID {
		return nil, paved.Errorf(paved.EINVALID, "deployment %s belongs to an earlier environment %s that was deleted; its resources are gone, so it cannot be rolled back to", id, old.Env)
	}
	objs, err := p.openObjects(old.ID, old.Objects)
	if err != nil {
		return nil, err
	}
	return p.submit(ctx, &intent{kind: paved.KindRollback, author: u, app: app, env: env, specs: old.Specs,
		snapshot: objs, commitSHA: old.CommitSHA, commitTime: old.CommitTime, source: old.ID, rollbackOf: old})
}

// RollbackEnvironment rolls an environment back to its last good
// deployment, of its current incarnation: the successful one before the
// latest when the latest deployment succeeded, else the latest successful
// one (the newest failed, or is still under way).
func (p *Platform) RollbackEnvironment(ctx context.Context, app, name string) (*paved.Deployment, error) {
	if _, _, err := p.requireTeam(ctx, app, "rolling back"); err != nil {
		p.audit(ctx, "rollback", app+"/"+name, err)
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, app, name)
	if err != nil {
		p.audit(ctx, "rollback", app+"/"+name, err)
		return nil, err
	}
	newest, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{EnvID: env.ID, Limit: 1})
	if err != nil {
		return nil, err
	}
	good, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{EnvID: env.ID, Limit: 2,
		Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}})
	if err != nil {
		return nil, err
	}
	if len(good) > 0 && len(newest) > 0 && newest[0].ID == good[0].ID {
		good = good[1:] // the latest succeeded: go to the one before it
	}
	if len(good) == 0 {
		err := paved.Errorf(paved.EINVALID, "%s/%s has no earlier successful deployment to roll back to", app, name)
		p.audit(ctx, "rollback", app+"/"+name, err)
		return nil, err
	}
	return p.Rollback(ctx, good[0].ID)
}

// Promote deploys what last succeeded in one environment to another, with
// the other environment's definitions.
func (p *Platform) Promote(ctx context.Context, appName, from, to string) (d *paved.Deployment, err error) {
	defer func() { p.audit(ctx, "promote", appName+"/"+from+" → "+to, err) }()
	u, app, err := p.requireTeam(ctx, appName, "promoting")
	if err != nil {
		return nil, err
	}
	src, err := p.cfg.Store.GetEnvironment(ctx, appName, from)
	if err != nil {
		return nil, err
	}
	dst, err := p.cfg.Store.GetEnvironment(ctx, appName, to)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		t := promotionType(src.Type, to)
		hint := ""
		if u.Role != paved.RoleAdmin && !p.developerMay(t) {
			hint = fmt.Sprintf(" (a %s environment needs the admin role on this server: ask an admin to run it)", t)
		}
		return nil, paved.Errorf(paved.ENOTFOUND, "app %s has no environment %s to promote to; create it first: paved env create %s --app %s --type %s%s", appName, to, to, appName, t, hint)
	}
	if err != nil {
		return nil, err
	}
	last, err := p.lastSuccessful(ctx, src)
	if err != nil {
		return nil, err
	}
	if last == nil {
		return nil, paved.Errorf(paved.EINVALID, "environment %s of %s has no successful deployment to promote", from, appName)
	}
	return p.submit(ctx, &intent{kind: paved.KindPromote, author: u, app: app, env: dst, specs: last.Specs,
		commitSHA: last.CommitSHA, commitTime: last.CommitTime, source: last.ID})
}

// promotionType is the type to suggest for an environment promoted to: the
// type its name is, else the next type after the source's.
func promotionType(from paved.EnvType, to string) paved.EnvType {
	if t := paved.EnvType(to); t.Valid() {
		return t
	}
	types := paved.EnvTypes()
	for i, t := range types {
		if t == from && i+1 < len(types) {
			return types[i+1]
		}
	}
	return from
}

// GetDeployment returns a deployment with Secret values redacted.
func (p *Platform) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.redacted(ctx, id)
}

// redacted reads a deployment with Secret values redacted.
func (p *Platform) redacted(ctx context.Context, id string) (*paved.Deployment, error) {
	d, err := p.cfg.Store.GetDeployment(ctx, id)
	if err != nil {
		return nil, err
	}
	d.Objects = redactObjects(d.Objects)
	return d, nil
}

// ListDeployments lists deployments, newest first (at most 1000), without
// their specs, plans and objects (GetDeployment has them).
func (p *Platform) ListDeployments(ctx context.Context, f paved.DeploymentFilter) ([]paved.Deployment, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	switch {
	case f.Limit <= 0:
		f.Limit = 50
	case f.Limit > 1000:
		f.Limit = 1000
	}
	return p.cfg.Store.ListDeployments(ctx, f)
}

// Events returns a deployment's events after seq.
func (p *Platform) Events(ctx context.Context, id string, after int64) ([]paved.Event, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.Events(ctx, id, after)
}

// FollowEvents sends a deployment's events after seq as they happen, until
// the deployment has finished and every event is out or ctx ends, and
// returns the deployment as it ended. Events are pushed from this
// process's publisher; one stream per call, at most MaxStreamsPerUser a user.
func (p *Platform) FollowEvents(ctx context.Context, id string, after int64, send func(paved.Event) error) (*paved.Deployment, error) {
	u, err := requireReader(ctx)
	if err != nil {
		return nil, err
	}
	// It must exist; then subscribed first, then the status and the
	// backlog read: a deployment that finishes in between is told by the
	// subscription, and no event falls between the backlog and the live
	// stream.
	if _, err := p.cfg.Store.DeploymentStatus(ctx, id); err != nil {
		return nil, err
	}
	f, err := p.events.subscribe(id, u.Name, p.holds(id))
	if err != nil {
		return nil, err
	}
	defer p.events.unsubscribe(id, u.Name, f)
	status, err := p.cfg.Store.DeploymentStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	catchUp := func() error {
		evs, err := p.cfg.Store.Events(ctx, id, after)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := send(e); err != nil {
				return err
			}
			after = e.Seq
		}
		return nil
	}
	if err := catchUp(); err != nil {
		return nil, err
	}
	if status.Finished() {
		return p.endOf(ctx, id, catchUp)
	}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e := <-f.ch:
			if e.Seq > after {
				if err := send(e); err != nil {
					return nil, err
				}
				after = e.Seq
			}
			continue
		case <-f.wake:
		}
		p.events.mu.Lock()
		lagged, done := f.lagged, f.done
		f.lagged = false
		p.events.mu.Unlock()
		if lagged {
			if err := catchUp(); err != nil {
				return nil, err
			}
		}
		if done {
			// Drain what arrived, then read the store once: the end
			// is only told after the last event was written.
			for len(f.ch) > 0 {
				if e := <-f.ch; e.Seq > after {
					if err := send(e); err != nil {
						return nil, err
					}
					after = e.Seq
				}
			}
			return p.endOf(ctx, id, catchUp)
		}
	}
}

// endOf sends what is left of a finished deployment's events and returns it
// (Secret values redacted).
func (p *Platform) endOf(ctx context.Context, id string, catchUp func() error) (*paved.Deployment, error) {
	if err := catchUp(); err != nil {
		return nil, err
	}
	return p.redacted(ctx, id)
}
