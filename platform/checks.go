package platform

import (
	"context"
	"strconv"

	"paved.dev/paved"
)

// ListChecks lists the manual checks of a scope ("" for all).
func (p *Platform) ListChecks(ctx context.Context, scope string) ([]paved.ManualCheck, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	if scope != "" {
		if err := paved.ValidateCheckScope(scope); err != nil {
			return nil, err
		}
	}
	return p.cfg.Store.ListChecks(ctx, scope)
}

// PutCheck defines or redefines a manual check (admin). Audited.
func (p *Platform) PutCheck(ctx context.Context, c *paved.ManualCheck) (_ *paved.ManualCheck, err error) {
	defer func() { p.audit(ctx, "check.put", c.Scope+"/"+c.ID, err) }()
	u, err := requireAdmin(ctx, "defining a manual check")
	if err != nil {
		return nil, err
	}
	if err := paved.ValidateCheckScope(c.Scope); err != nil {
		return nil, err
	}
	if err := paved.ValidateName("id", c.ID); err != nil {
		return nil, err
	}
	if c.Title == "" {
		return nil, paved.Errorf(paved.EINVALID, "title: a check needs a title saying what must hold")
	}
	if !c.Role.Valid() {
		return nil, paved.Errorf(paved.EINVALID, "role: %q is not a role; the role that confirms the check is one of %v", c.Role, paved.Roles())
	}
	out := *c
	out.CreatedBy, out.CreatedAt = u.Name, p.now()
	if old, err := p.cfg.Store.GetCheck(ctx, c.Scope, c.ID); err == nil {
		out.CreatedBy, out.CreatedAt = old.CreatedBy, old.CreatedAt
	} else if paved.ErrorCode(err) != paved.ENOTFOUND {
		return nil, err
	}
	if err := p.cfg.Store.PutCheck(ctx, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteCheck removes a manual check and its confirmations (admin).
// Audited.
func (p *Platform) DeleteCheck(ctx context.Context, scope, id string) (err error) {
	defer func() { p.audit(ctx, "check.delete", scope+"/"+id, err) }()
	if _, err := requireAdmin(ctx, "removing a manual check"); err != nil {
		return err
	}
	return p.cfg.Store.DeleteCheck(ctx, scope, id)
}

// ConfirmCheck records the caller's confirmation of a check for a subject:
// an existing app for a readiness check, an iteration of the program for a
// program check. Only a user of the check's role confirms it. Audited.
func (p *Platform) ConfirmCheck(ctx context.Context, scope, id, subject string) (_ *paved.CheckConfirmation, err error) {
	defer func() { p.audit(ctx, "check.confirm", scope+"/"+id+" for "+subject, err) }()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := p.cfg.Store.GetCheck(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	if u.Role != c.Role {
		return nil, paved.Errorf(paved.EFORBIDDEN, "check %s is confirmed by a %s user; %s is %s", id, c.Role, u.Name, u.Role)
	}
	if err := p.checkSubject(ctx, scope, subject); err != nil {
		return nil, err
	}
	conf := &paved.CheckConfirmation{Scope: scope, CheckID: id, Subject: subject, By: u.Name, Role: u.Role, At: p.now()}
	if err := p.cfg.Store.PutConfirmation(ctx, conf); err != nil {
		return nil, err
	}
	return conf, nil
}

// checkSubject refuses a subject that does not exist: readiness checks are
// confirmed for an app, program checks for an iteration (a number from 1).
func (p *Platform) checkSubject(ctx context.Context, scope, subject string) error {
	if scope == paved.ScopeReadiness {
		if subject == "" {
			return paved.Errorf(paved.EINVALID, "app: a readiness check is confirmed for an app; give --app")
		}
		_, err := p.cfg.Store.GetApp(ctx, subject)
		return err
	}
	if n, err := strconv.Atoi(subject); err != nil || n < 1 {
		return paved.Errorf(paved.EINVALID, "iteration: %q is not an iteration of the program (1, 2, ...)", subject)
	}
	return nil
}

// ListConfirmations lists a subject's confirmations in a scope.
func (p *Platform) ListConfirmations(ctx context.Context, scope, subject string) ([]paved.CheckConfirmation, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListConfirmations(ctx, scope, subject)
}
