package platform

import (
	"context"
	"fmt"

	"paved.dev/paved"
)

// recover ends what a crash interrupted, for stores without coordination
// (one server): deployments left queued or running are failed (deploy again
// to retry), and each environment they were for is brought back, on its
// target, to its last successful deployment, so that the store and the
// target agree.
func (p *Platform) recover(ctx context.Context) error {
	var stale []paved.Deployment
	apps, err := p.cfg.Store.ListApps(ctx)
	if err != nil {
		return err
	}
	for _, a := range apps {
		envs, err := p.cfg.Store.ListEnvironments(ctx, a.Name)
		if err != nil {
			return err
		}
		for _, e := range envs {
			ds, err := p.cfg.Store.ListDeployments(ctx, a.Name, e.Name, 1)
			if err != nil {
				return err
			}
			if len(ds) == 1 && (ds[0].Status == paved.DeploymentRunning || ds[0].Status == paved.DeploymentQueued) {
				stale = append(stale, ds[0])
			}
		}
	}
	n, err := p.cfg.Store.FailRunning(ctx, orphanReason)
	if err != nil {
		return err
	}
	if n > 0 {
		p.log.Warn("failed deployments interrupted by a restart", "count", n)
	}
	for _, d := range stale {
		if err := p.reconcile(ctx, d.App, d.Env); err != nil {
			p.log.Error("bringing an environment back to its last deployment", "app", d.App, "env", d.Env, "err", err)
		}
	}
	return nil
}

// reconcile re-applies an environment's last successful deployment, or
// removes everything when there is none.
func (p *Platform) reconcile(ctx context.Context, app, envName string) error {
	env, err := p.cfg.Store.GetEnvironment(ctx, app, envName)
	if err != nil {
		return err
	}
	target, err := p.target(ctx, env.Target)
	if err != nil {
		return err
	}
	last, err := p.lastSuccessful(ctx, env)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return target.Delete(ctx, p.deployContext(ctx, env), nil, fmt.Sprintf("recover %s/%s: no successful deployment", app, envName))
	}
	if err != nil {
		return err
	}
	objs, err := p.openObjects(last.ID, last.Objects)
	if err != nil {
		return err
	}
	_, err = target.Apply(ctx, &paved.ApplyRequest{
		Context: p.deployContext(ctx, env), DeploymentID: last.ID, Author: "paved",
		Message: "recover: back to " + last.ID + " after a restart", Objects: objs, Previous: last.Inventory,
		Log: func(string) {},
	})
	return err
}
