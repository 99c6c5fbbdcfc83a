package platform

import (
	"context"
	"fmt"

	"paved.dev/paved"
)

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
	dc, err := p.contextOf(ctx, env)
	if err != nil {
		return err
	}
	last, err := p.lastSuccessful(ctx, env)
	if err != nil {
		return err
	}
	previous, err := p.previousInventory(ctx, env, last)
	if err != nil {
		return err
	}
	if last == nil {
		return target.Delete(ctx, dc, previous, fmt.Sprintf("recover %s/%s: no successful deployment", app, envName))
	}
	objs, err := p.openObjects(last.ID, last.Objects)
	if err != nil {
		return err
	}
	_, err = target.Apply(ctx, &paved.ApplyRequest{
		Context: dc, DeploymentID: last.ID, Author: "paved",
		Message: "recover: back to " + last.ID + " after a restart", Objects: objs, Previous: previous,
		Log: func(string) {},
	})
	return err
}
