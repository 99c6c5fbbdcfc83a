package platform

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/graph"
)

// DeleteEnvironment removes what paved applied to the environment, then
// deprovisions its resources, then forgets it. A failure stops there and
// keeps the environment, so that deleting again retries; with Force, what
// cannot be reached is forgotten instead and listed in the result.
func (p *Platform) DeleteEnvironment(ctx context.Context, app, name string, opt paved.DeleteOptions) (out *paved.EnvironmentDeletion, err error) {
	action := "env.delete"
	if opt.Force {
		action = "env.delete.force"
	}
	defer func() { p.audit(ctx, action, app+"/"+name+forgottenNote(out), err) }()
	u, _, err := p.requireTeam(ctx, app, "deleting an environment")
	if err != nil {
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, app, name)
	if err != nil {
		return nil, err
	}
	if u.Role != paved.RoleAdmin && !p.developerMay(env.Type) {
		return nil, paved.Errorf(paved.EFORBIDDEN, "deleting a %s environment needs the admin role, as creating one does", env.Type)
	}
	return p.deleteEnvironment(ctx, app, name, opt)
}

// forgottenNote sums up, for the audit log, what a forced deletion forgot.
func forgottenNote(d *paved.EnvironmentDeletion) string {
	if d == nil || len(d.Forgotten) == 0 {
		return ""
	}
	return fmt.Sprintf(" (forgot %d: %s)", len(d.Forgotten), strings.Join(d.Forgotten, "; "))
}

// deleteEnvironment runs alone on the environment (no deployment of it
// runs meanwhile) and refuses while deployments are queued or running.
func (p *Platform) deleteEnvironment(ctx context.Context, app, name string, opt paved.DeleteOptions) (*paved.EnvironmentDeletion, error) {
	var out *paved.EnvironmentDeletion
	err := p.withLease(ctx, app, name, func(ctx context.Context) error {
		env, err := p.cfg.Store.GetEnvironment(ctx, app, name)
		if err != nil {
			return err
		}
		busy, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{EnvID: env.ID,
			Statuses: []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning}, Limit: 1})
		if err != nil {
			return err
		}
		if len(busy) > 0 {
			return paved.Errorf(paved.ECONFLICT, "deployment %s of %s/%s is %s; delete the environment when it has ended", busy[0].ID, app, name, busy[0].Status)
		}
		out, err = p.removeEnvironment(ctx, env, opt.Force)
		return err
	})
	return out, err
}

func (p *Platform) removeEnvironment(ctx context.Context, env *paved.Environment, force bool) (*paved.EnvironmentDeletion, error) {
	out := &paved.EnvironmentDeletion{App: env.App, Env: env.Name}
	last, err := p.lastSuccessful(ctx, env)
	if err != nil {
		return nil, err
	}
	inventory, err := p.previousInventory(ctx, env, last)
	if err != nil {
		return nil, err
	}
	dc, err := p.contextOf(ctx, env)
	if err != nil {
		return nil, err
	}
	target, err := p.target(ctx, env.Target)
	if err == nil {
		err = target.Delete(ctx, dc, inventory, fmt.Sprintf("delete %s/%s", env.App, env.Name))
	}
	switch {
	case err == nil:
		out.Objects = len(inventory)
	case !force:
		return nil, paved.Errorf(paved.ErrorCode(err), "removing the environment's objects from target %s: %s; when the target is gone for good, delete with --force to forget them", env.Target, paved.ErrorMessage(err))
	case len(inventory) > 0:
		out.Forgotten = append(out.Forgotten, fmt.Sprintf("%d objects in namespace %s on target %s (%s)", len(inventory), env.Namespace, env.Target, paved.ErrorMessage(err)))
	}
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: env.App, Env: env.Name})
	if err != nil {
		return nil, err
	}
	var errs []error
	for i := range stored {
		r := &stored[i]
		err := p.deprovisionOne(ctx, env, dc, r)
		switch {
		case err == nil:
			out.Deprovisioned = append(out.Deprovisioned, r.UID)
		case force:
			out.Forgotten = append(out.Forgotten, fmt.Sprintf("resource %s of definition %s (%s)", r.UID, paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver}, paved.ErrorMessage(err)))
			if err := p.cfg.Store.DeleteResource(ctx, r.Key()); err != nil {
				errs = append(errs, err)
			}
		default:
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		if !force {
			err = fmt.Errorf("%w; when what the resources were made on is gone for good, delete with --force to forget them", err)
		}
		return nil, err
	}
	if err := p.cfg.Store.DeleteEnvironment(ctx, env.App, env.Name); err != nil {
		return nil, err
	}
	return out, nil
}

// deprovisionOne removes one stored resource and forgets it.
func (p *Platform) deprovisionOne(ctx context.Context, env *paved.Environment, dc paved.DeployContext, r *paved.StoredResource) error {
	drv := p.cfg.Engine.Drivers[r.Driver]
	if dp, ok := drv.(paved.Deprovisioner); ok {
		def, err := p.definitionAt(ctx, paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver})
		switch {
		case paved.ErrorCode(err) == paved.ENOTFOUND:
			return paved.Errorf(paved.EINVALID, "resource %s: its definition %s (version %d) is gone, so paved cannot reach what it made; restore the definition and delete again", r.UID, r.DefinitionID, r.DefinitionVersion)
		case err != nil:
			return fmt.Errorf("resource %s: reading its definition %s: %w", r.UID, r.DefinitionID, err)
		}
		sr, err := p.openResource(r)
		if err != nil {
			return err
		}
		seed := p.seed(env)
		uid := r.UID
		req := &paved.ResourceRequest{
			UID: r.UID, Definition: def, Context: dc, State: sr.State,
			Secret: func(name string, n int) string { return graph.DeriveSecret(seed, uid, name, n) },
			Log:    func(msg string) { p.log.Info(msg, "resource", uid) },
		}
		if err := dp.Deprovision(ctx, req); err != nil {
			return fmt.Errorf("deprovisioning %s: %w", r.UID, err)
		}
	}
	return p.cfg.Store.DeleteResource(ctx, r.Key())
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
		_, err := p.deleteEnvironment(sys, e.App, e.Name, paved.DeleteOptions{})
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
