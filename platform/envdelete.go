package platform

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
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
	out, err = p.deleteEnvironment(ctx, app, name, opt, nil)
	if err != nil {
		// The audit keeps what a forced deletion forgot before it stopped.
		return nil, err
	}
	return out, nil
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
// onlyIf, when given, decides under the lease whether the environment as it
// is now is still to be deleted (errSkip: it is not). It returns what it
// did even when it fails part way.
func (p *Platform) deleteEnvironment(ctx context.Context, app, name string, opt paved.DeleteOptions, onlyIf func(*paved.Environment) error) (*paved.EnvironmentDeletion, error) {
	var out *paved.EnvironmentDeletion
	err := p.withLease(ctx, app, name, func(ctx context.Context) error {
		env, err := p.cfg.Store.GetEnvironment(ctx, app, name)
		if err != nil {
			return err
		}
		if onlyIf != nil {
			if err := onlyIf(env); err != nil {
				return err
			}
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

// errDefinitionGone marks a resource whose definition is no longer stored.
var errDefinitionGone = errors.New("definition gone")

// errSkip says an environment is no longer to be deleted.
var errSkip = errors.New("no longer to be deleted")

// unreachable reports whether a failure is one of reaching something (a
// cluster, a database server), which a forced deletion may forget: an
// unavailable target or server, a network error, a timeout, a definition
// that is gone. Anything else (a refusal, a permission) stops it, and so
// does paved's own store being unavailable (paved.ErrStoreUnavailable):
// the store is what remembers the thing, not the thing, so it is never
// forgotten for that.
func unreachable(err error) bool {
	if errors.Is(err, paved.ErrStoreUnavailable) {
		return false
	}
	var ne net.Error
	return paved.ErrorCode(err) == paved.EUNAVAILABLE || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errDefinitionGone)
}

func (p *Platform) removeEnvironment(ctx context.Context, env *paved.Environment, force bool) (out *paved.EnvironmentDeletion, err error) {
	out = &paved.EnvironmentDeletion{App: env.App, Env: env.Name}
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
	if errors.Is(err, paved.ErrStoreUnavailable) {
		// The store could not say what the target is: nothing was tried,
		// and nothing is forgotten.
		return nil, fmt.Errorf("reading target %s of %s/%s: %w; nothing was removed or forgotten", env.Target, env.App, env.Name, err)
	}
	// What failed because this server lost the environment's lease is
	// not the target's doing: never forgotten.
	forgettable := func(err error) bool { return unreachable(err) && ctx.Err() == nil }
	gone := paved.ErrorCode(err) == paved.ENOTFOUND // no longer configured nor registered
	if err == nil {
		err = target.Delete(ctx, dc, inventory, fmt.Sprintf("delete %s/%s", env.App, env.Name))
	}
	switch {
	case err == nil:
		out.Objects = len(inventory)
	case !force || !gone && !forgettable(err):
		hint := ""
		if gone || unreachable(err) {
			hint = "; when the target is gone for good, delete with --force to forget them"
		}
		return nil, paved.Errorf(paved.ErrorCode(err), "removing the environment's objects from target %s: %s%s", env.Target, paved.ErrorMessage(err), hint)
	case len(inventory) > 0:
		out.Forgotten = append(out.Forgotten, fmt.Sprintf("%d objects in namespace %s on target %s (%s)", len(inventory), env.Namespace, env.Target, paved.ErrorMessage(err)))
	}
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: env.App, Env: env.Name})
	if err != nil {
		return nil, err
	}
	var errs []error
	hint := false
	for i := range stored {
		r := &stored[i]
		err := p.deprovisionOne(ctx, env, dc, r)
		switch {
		case err == nil:
			out.Deprovisioned = append(out.Deprovisioned, r.UID)
		case force && forgettable(err):
			out.Forgotten = append(out.Forgotten, fmt.Sprintf("resource %s of definition %s%s (%s)", r.UID,
				paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver}, describeOutputs(r), paved.ErrorMessage(err)))
			if err := p.cfg.Store.DeleteResource(ctx, r.Key()); err != nil {
				errs = append(errs, err)
			}
		default:
			hint = hint || unreachable(err)
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		if hint && !force {
			err = fmt.Errorf("%w; when what the resources were made on is gone for good, delete with --force to forget them", err)
		}
		return out, err
	}
	if err := p.cfg.Store.DeleteEnvironment(ctx, env.App, env.Name); err != nil {
		return out, err
	}
	return out, nil
}

// describeOutputs names a forgotten resource's non-secret outputs (its
// host, database, ...), so that whoever cleans up by hand knows where.
func describeOutputs(r *paved.StoredResource) string {
	if len(r.Outputs) == 0 {
		return ""
	}
	keys := slices.Sorted(maps.Keys(r.Outputs))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if slices.Contains(r.SecretNames, k) {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, r.Outputs[k]))
	}
	if len(parts) == 0 {
		return ""
	}
	return ", outputs " + strings.Join(parts, " ")
}

// deprovisionOne removes one stored resource and forgets it.
func (p *Platform) deprovisionOne(ctx context.Context, env *paved.Environment, dc paved.DeployContext, r *paved.StoredResource) error {
	drv := p.cfg.Engine.Drivers[r.Driver]
	if dp, ok := drv.(paved.Deprovisioner); ok {
		def, err := p.definitionAt(ctx, paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver})
		switch {
		case paved.ErrorCode(err) == paved.ENOTFOUND:
			return &paved.Error{Code: paved.EINVALID, Err: errDefinitionGone, Message: fmt.Sprintf("resource %s: its definition %s (version %d) is gone, so paved cannot reach what it made; restore the definition and delete again", r.UID, r.DefinitionID, r.DefinitionVersion)}
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
		id := e.ID
		_, err := p.deleteEnvironment(sys, e.App, e.Name, paved.DeleteOptions{}, func(now *paved.Environment) error {
			// Between the list and the lease it may have been extended, or
			// deleted and created again: only the expired incarnation goes.
			if now.ID != id || now.ExpiresAt == nil || now.ExpiresAt.After(p.now()) {
				return errSkip
			}
			return nil
		})
		if paved.ErrorCode(err) == paved.ENOTFOUND || errors.Is(err, errSkip) {
			continue // another server reaped it first, or it is not expired any more
		}
		p.audit(sys, "env.expire", e.App+"/"+e.Name, err)
		if err != nil {
			p.cfg.Observer.Reaped("failed")
			errs = append(errs, fmt.Errorf("%s/%s: %w", e.App, e.Name, err))
			continue
		}
		p.cfg.Observer.Reaped("deleted")
		n++
	}
	return n, errors.Join(errs...)
}
