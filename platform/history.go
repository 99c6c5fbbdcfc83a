package platform

import (
	"context"

	"paved.dev/paved"
)

// lastSuccessful returns the deployment whose objects the environment's
// target holds: the store's one definition of it (this incarnation's
// succeeded deployment that finished last); nil when there is none.
func (p *Platform) lastSuccessful(ctx context.Context, env *paved.Environment) (*paved.Deployment, error) {
	d, err := p.cfg.Store.LastSuccessful(ctx, env.ID)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return nil, nil
	}
	return d, err
}

// previousInventory is what the target may hold of the environment: the
// last successful deployment's inventory (last; nil when there is none),
// plus what failed deployments since then applied before they failed.
func (p *Platform) previousInventory(ctx context.Context, env *paved.Environment, last *paved.Deployment) ([]paved.ObjectRef, error) {
	var prev []paved.ObjectRef
	f := paved.DeploymentFilter{EnvID: env.ID, Statuses: []paved.DeploymentStatus{paved.DeploymentFailed}, Limit: -1}
	if last != nil {
		prev = last.Inventory
		f.FinishedAfter = last.FinishedAt
	}
	failed, err := p.cfg.Store.ListDeployments(ctx, f)
	if err != nil {
		return nil, err
	}
	lists := [][]paved.ObjectRef{prev}
	for _, d := range failed {
		lists = append(lists, d.Inventory)
	}
	return mergeRefs(lists...), nil
}

// mergeRefs returns the refs of the lists in order, each once.
func mergeRefs(lists ...[]paved.ObjectRef) []paved.ObjectRef {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	seen := make(map[paved.ObjectRef]bool, n)
	out := make([]paved.ObjectRef, 0, n)
	for _, list := range lists {
		for _, r := range list {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}
