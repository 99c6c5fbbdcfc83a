package platform

import (
	"context"
	"errors"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/graph"
)

// DeleteEnvironment removes what paved applied to the environment, then
// deprovisions its resources, then forgets it. A failure stops there and
// keeps the environment, so that deleting again retries.
func (p *Platform) DeleteEnvironment(ctx context.Context, app, name string) (err error) {
	defer func() { p.audit(ctx, "env.delete", app+"/"+name, err) }()
	if _, _, err := p.requireTeam(ctx, app, "deleting an environment"); err != nil {
		return err
	}
	return p.deleteEnvironment(ctx, app, name)
}

// deleteEnvironment runs alone on the environment (no deployment of it
// runs meanwhile) and refuses while deployments are queued.
func (p *Platform) deleteEnvironment(ctx context.Context, app, name string) error {
	return p.withLease(ctx, app, name, func(ctx context.Context) error {
		env, err := p.cfg.Store.GetEnvironment(ctx, app, name)
		if err != nil {
			return err
		}
		ds, err := p.cfg.Store.ListDeployments(ctx, app, name, 20)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if ofEnvironment(&d, env) && (d.Status == paved.DeploymentQueued || d.Status == paved.DeploymentRunning) {
				return paved.Errorf(paved.ECONFLICT, "deployment %s of %s/%s is %s; delete the environment when it has ended", d.ID, app, name, d.Status)
			}
		}
		return p.removeEnvironment(ctx, env)
	})
}

func (p *Platform) removeEnvironment(ctx context.Context, env *paved.Environment) error {
	app, name := env.App, env.Name
	target, err := p.target(ctx, env.Target)
	if err != nil {
		return err
	}
	var inventory []paved.ObjectRef
	last, err := p.lastSuccessful(ctx, env)
	switch {
	case err == nil:
		inventory = last.Inventory
	case paved.ErrorCode(err) != paved.ENOTFOUND:
		return err
	}
	dc := p.deployContext(ctx, env)
	if err := target.Delete(ctx, dc, inventory, fmt.Sprintf("delete %s/%s", app, name)); err != nil {
		return fmt.Errorf("removing the environment's objects from its target: %w", err)
	}
	if err := p.deprovision(ctx, env); err != nil {
		return err
	}
	return p.cfg.Store.DeleteEnvironment(ctx, app, name)
}

// deprovision removes every resource of an environment: drivers that made
// something outside the cluster remove it; the rest went with the objects.
func (p *Platform) deprovision(ctx context.Context, env *paved.Environment) error {
	stored, err := p.cfg.Store.ListResources(ctx, env.App, env.Name)
	if err != nil {
		return err
	}
	set, err := p.definitions(ctx)
	if err != nil {
		return err
	}
	st, err := p.graphState(ctx, env)
	if err != nil {
		return err
	}
	var errs []error
	for i := range stored {
		r := &stored[i]
		drv := p.cfg.Engine.Drivers[r.Driver]
		dp, ok := drv.(paved.Deprovisioner)
		if ok {
			var def *paved.ResourceDefinition
			for _, d := range set.Definitions() {
				if d.ID == r.DefinitionID {
					def = d
				}
			}
			if def == nil {
				errs = append(errs, paved.Errorf(paved.EINVALID, "resource %s: its definition %s is gone, so paved cannot reach what it made; restore the definition and delete again", r.UID, r.DefinitionID))
				continue
			}
			seed := st.Seed
			uid := r.UID
			req := &paved.ResourceRequest{
				UID: r.UID, Definition: def, Context: p.deployContext(ctx, env), State: st.Resources[r.UID].State,
				Secret: func(name string, n int) string { return graph.DeriveSecret(seed, uid, name, n) },
				Log:    func(msg string) { p.log.Info(msg, "resource", uid) },
			}
			if err := dp.Deprovision(ctx, req); err != nil {
				errs = append(errs, fmt.Errorf("deprovisioning %s: %w", r.UID, err))
				continue
			}
		}
		if err := p.cfg.Store.DeleteResource(ctx, env.App, env.Name, r.UID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Reap deletes the ephemeral environments whose TTL has passed and returns
// how many it deleted.
func (p *Platform) Reap(ctx context.Context) (int, error) {
	expired, err := p.cfg.Store.ExpiredEnvironments(ctx, p.now())
	if err != nil {
		return 0, err
	}
	sys := paved.WithActor(ctx, &paved.User{Name: "reaper", Role: paved.RoleAdmin})
	n := 0
	var errs []error
	for _, e := range expired {
		err := p.deleteEnvironment(sys, e.App, e.Name)
		if paved.ErrorCode(err) == paved.ENOTFOUND {
			continue // another server reaped it first
		}
		p.audit(sys, "env.expire", e.App+"/"+e.Name, err)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s/%s: %w", e.App, e.Name, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
