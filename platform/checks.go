package platform

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"paved.dev/paved"
)

// Bounds of a manual check's words, and of a program's iterations.
const (
	maxCheckTitle = 200
	maxCheckHow   = 1000
	maxIteration  = 10000
)

// checkRoles may be asked to confirm a check: the platform team and the
// stakeholders. A developer's "yes" about their own app is not a check.
var checkRoles = []paved.Role{paved.RoleAdmin, paved.RoleSecurity, paved.RoleData, paved.RoleFinance}

// validCheckRef checks a check's scope and id as a request names them.
func validCheckRef(scope, id string) error {
	if err := paved.ValidateCheckScope(scope); err != nil {
		return err
	}
	if err := paved.ValidateName("id", id); err != nil {
		return err
	}
	if id == "confirmations" {
		return paved.Errorf(paved.EINVALID, "id: %q is reserved (it names the confirmations of a scope); choose another", id)
	}
	return nil
}

// auditSubject bounds what a request's subject puts in the audit log.
func auditSubject(s string) string {
	if len(s) > 64 || !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return strconv.Quote(s[:min(len(s), 64)]) + "..."
	}
	return s
}

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

// PutCheck defines or redefines a manual check (admin). A change of its
// title or role drops its confirmations: it asks something else now.
// Audited.
func (p *Platform) PutCheck(ctx context.Context, c *paved.ManualCheck) (_ *paved.ManualCheck, err error) {
	defer func() { p.audit(ctx, "check.put", auditSubject(c.Scope+"/"+c.ID), err) }()
	u, err := requireAdmin(ctx, "defining a manual check")
	if err != nil {
		return nil, err
	}
	if err := validCheckRef(c.Scope, c.ID); err != nil {
		return nil, err
	}
	out := *c
	out.Title, out.How = strings.TrimSpace(c.Title), strings.TrimSpace(c.How)
	switch {
	case out.Title == "":
		return nil, paved.Errorf(paved.EINVALID, "title: a check needs a title saying what must hold")
	case len(out.Title) > maxCheckTitle:
		return nil, paved.Errorf(paved.EINVALID, "title: %d bytes, more than %d; say what must hold in fewer words and put the rest in how", len(out.Title), maxCheckTitle)
	case len(out.How) > maxCheckHow:
		return nil, paved.Errorf(paved.EINVALID, "how: %d bytes, more than %d; link to a page instead", len(out.How), maxCheckHow)
	case !slices.Contains(checkRoles, c.Role):
		return nil, paved.Errorf(paved.EINVALID, "role: %q cannot confirm a check; one of %v does", c.Role, checkRoles)
	}
	out.CreatedBy, out.CreatedAt = u.Name, p.now()
	if err := p.cfg.Store.PutCheck(ctx, &out); err != nil {
		return nil, err
	}
	return p.cfg.Store.GetCheck(ctx, c.Scope, c.ID)
}

// DeleteCheck removes a manual check and its confirmations (admin).
// Audited.
func (p *Platform) DeleteCheck(ctx context.Context, scope, id string) (err error) {
	defer func() { p.audit(ctx, "check.delete", auditSubject(scope+"/"+id), err) }()
	if _, err := requireAdmin(ctx, "removing a manual check"); err != nil {
		return err
	}
	if err := validCheckRef(scope, id); err != nil {
		return err
	}
	return p.cfg.Store.DeleteCheck(ctx, scope, id)
}

// ConfirmCheck records the caller's confirmation of a check for a subject:
// an existing app for a readiness check, an iteration of the program for a
// program check. Only a user of the check's role confirms it; the store
// refuses the confirmation if the check was deleted or changed role
// meanwhile. Audited.
func (p *Platform) ConfirmCheck(ctx context.Context, scope, id, subject string) (_ *paved.CheckConfirmation, err error) {
	defer func() { p.audit(ctx, "check.confirm", auditSubject(scope+"/"+id)+" for "+auditSubject(subject), err) }()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := validCheckRef(scope, id); err != nil {
		return nil, err
	}
	if err := p.checkSubject(ctx, scope, subject); err != nil {
		return nil, err
	}
	c, err := p.cfg.Store.GetCheck(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	if u.Role != c.Role {
		return nil, paved.Errorf(paved.EFORBIDDEN, "check %s is confirmed by a %s user; %s is %s", id, c.Role, u.Name, u.Role)
	}
	conf := &paved.CheckConfirmation{Scope: scope, CheckID: id, Subject: subject, By: u.Name, Role: u.Role, At: p.now()}
	if err := p.cfg.Store.PutConfirmation(ctx, conf); err != nil {
		return nil, err
	}
	return conf, nil
}

// checkSubject refuses a subject that does not exist: readiness checks are
// confirmed for an app, program checks for an iteration (1, 2, ... written
// without a sign or leading zeros).
func (p *Platform) checkSubject(ctx context.Context, scope, subject string) error {
	if scope == paved.ScopeReadiness {
		if err := paved.ValidateName("subject", subject); err != nil {
			return paved.Errorf(paved.EINVALID, "subject: a readiness check is confirmed for an app; %s", strings.TrimPrefix(paved.ErrorMessage(err), "subject: "))
		}
		_, err := p.cfg.Store.GetApp(ctx, subject)
		return err
	}
	if n, err := strconv.Atoi(subject); err != nil || n < 1 || n > maxIteration || strconv.Itoa(n) != subject {
		return paved.Errorf(paved.EINVALID, "subject: %s is not an iteration of the program (1, 2, ...)", auditSubject(strconv.Quote(subject)))
	}
	pr, err := p.loadProgram(ctx)
	if err != nil {
		return err
	}
	if subject != strconv.Itoa(pr.Iteration) {
		return paved.Errorf(paved.EINVALID, "subject: the program is in iteration %d; a program check is confirmed for the current iteration", pr.Iteration)
	}
	return nil
}

// ListConfirmations lists a subject's confirmations in a scope.
func (p *Platform) ListConfirmations(ctx context.Context, scope, subject string) ([]paved.CheckConfirmation, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	if err := paved.ValidateCheckScope(scope); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListConfirmations(ctx, scope, subject)
}
