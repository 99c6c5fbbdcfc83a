package platform

import (
	"context"
	"slices"

	"paved.dev/paved"
)

// lastSuccessful returns the deployment whose objects the environment's
// target holds: the store's one definition of it (this incarnation's
// succeeded deployment that finished last).
func (p *Platform) lastSuccessful(ctx context.Context, env *paved.Environment) (*paved.Deployment, error) {
	return p.cfg.Store.LastSuccessful(ctx, env.ID)
}

// previousInventory is what the target may hold of the environment: the
// last successful deployment's inventory, plus what failed deployments
// since then applied before they failed.
func (p *Platform) previousInventory(ctx context.Context, env *paved.Environment) ([]paved.ObjectRef, error) {
	var prev []paved.ObjectRef
	f := paved.DeploymentFilter{EnvID: env.ID, Statuses: []paved.DeploymentStatus{paved.DeploymentFailed}, Limit: 1000}
	last, err := p.lastSuccessful(ctx, env)
	switch {
	case err == nil:
		prev = slices.Clone(last.Inventory)
		f.FinishedAfter = last.FinishedAt
	case paved.ErrorCode(err) != paved.ENOTFOUND:
		return nil, err
	}
	failed, err := p.cfg.Store.ListDeployments(ctx, f)
	if err != nil {
		return nil, err
	}
	seen := map[paved.ObjectRef]bool{}
	for _, r := range prev {
		seen[r] = true
	}
	for _, d := range failed {
		for _, ref := range d.Inventory {
			if !seen[ref] {
				seen[ref] = true
				prev = append(prev, ref)
			}
		}
	}
	return prev, nil
}
