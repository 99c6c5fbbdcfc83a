package platform

import (
	"context"

	"paved.dev/paved"
)

// historyWindow is how many recent deployments are read to find the last
// successful one.
const historyWindow = 100

// lastSuccessful returns the deployment whose objects the environment's
// target holds: among this incarnation's succeeded deployments (an
// environment deleted and created again starts afresh), the one that
// finished last. Deployments run one at a time under the environment's
// lease, so finishing order is applying order, whatever their creation
// times (which two servers may stamp with clocks that disagree).
func (p *Platform) lastSuccessful(ctx context.Context, env *paved.Environment) (*paved.Deployment, error) {
	ds, err := p.cfg.Store.ListDeployments(ctx, env.App, env.Name, historyWindow)
	if err != nil {
		return nil, err
	}
	var best *paved.Deployment
	for i := range ds {
		d := &ds[i]
		if d.Status != paved.DeploymentSucceeded || d.FinishedAt == nil || d.CreatedAt.Before(env.CreatedAt) {
			continue
		}
		if best == nil || d.FinishedAt.After(*best.FinishedAt) {
			best = d
		}
	}
	if best == nil {
		// Older than the window: the store's own answer, if it is ours.
		d, err := p.cfg.Store.LastSuccessful(ctx, env.App, env.Name)
		if err != nil {
			return nil, err
		}
		if d.CreatedAt.Before(env.CreatedAt) {
			return nil, paved.Errorf(paved.ENOTFOUND, "environment %s of %s has no successful deployment", env.Name, env.App)
		}
		return d, nil
	}
	return p.cfg.Store.GetDeployment(ctx, best.ID)
}

// ofEnvironment reports whether a deployment belongs to the environment as
// it is now, not to an earlier one of the same name.
func ofEnvironment(d *paved.Deployment, env *paved.Environment) bool {
	return d.App == env.App && d.Env == env.Name && !d.CreatedAt.Before(env.CreatedAt)
}
