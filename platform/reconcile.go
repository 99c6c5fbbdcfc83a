package platform

import (
	"context"
	"errors"
	"fmt"

	"paved.dev/paved"
)

// reconcile re-applies an environment's last successful deployment, or
// removes everything when there is none. The resources that deployment
// uses are taken back first (takeBack), whatever the target does: a
// deployment that failed after it orphaned some of them (its bookkeeping
// after the apply, cut short) or whose success was refused (a lost lease)
// must not leave them to a prune. The other active resources of those
// UIDs (another definition's, which the failed deployment's objects may
// still use) are orphaned only once the target holds the last success's
// objects again: a reapply that fails leaves them active, so that no prune
// removes what runs. Those it does not use are left as they are, as any
// failed deployment leaves them.
func (p *Platform) reconcile(ctx context.Context, app, envName string) error {
	env, err := p.cfg.Store.GetEnvironment(ctx, app, envName)
	if err != nil {
		return err
	}
	last, err := p.lastSuccessful(ctx, env)
	if err != nil {
		return err
	}
	logTo := func(msg string) { p.log.Info(msg, "app", app, "env", envName) }
	if last != nil {
		if err := p.takeBack(ctx, app, envName, last.Plan, last.ID, "brought back to", false, takeActive, logTo); err != nil {
			// Reapplied all the same: the target must not keep a
			// deployment the store calls failed.
			return errors.Join(fmt.Errorf("taking back the resources of %s: %w", last.ID, err), p.reapply(ctx, env, last))
		}
	}
	if err := p.reapply(ctx, env, last); err != nil || last == nil {
		return err
	}
	if err := p.takeBack(ctx, app, envName, last.Plan, last.ID, "brought back to", false, takeOrphan, logTo); err != nil {
		return fmt.Errorf("orphaning the other definitions' resources of the UIDs %s uses, once brought back to it: %w", last.ID, err)
	}
	return nil
}

// reapply puts on the target the objects of last, or removes everything
// when last is nil.
func (p *Platform) reapply(ctx context.Context, env *paved.Environment, last *paved.Deployment) error {
	app, envName := env.App, env.Name
	target, err := p.target(ctx, env.Target)
	if err != nil {
		return err
	}
	dc, err := p.contextOf(ctx, env)
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
