package platform

import (
	"context"
	"fmt"
	"time"

	"paved.dev/paved"
)

// DefaultRecoveryTTL is how long a break-glass admin token lasts unless
// told otherwise: long enough to log in and issue proper tokens.
const DefaultRecoveryTTL = 24 * time.Hour

// RecoverAdmin issues a token for the admin user name when nobody can log
// in as one. It is reachable only from a process holding the store (the
// `paved server recover-admin` command), never through the API: the user
// is created if missing, enabled and made an admin if need be, and the
// audit log records it as the local operator's.
func (p *Platform) RecoverAdmin(ctx context.Context, name string, ttl time.Duration) (tok *paved.IssuedToken, err error) {
	operator := &paved.User{Name: "local-operator", Role: paved.RoleAdmin}
	sys := paved.WithActor(ctx, operator)
	defer func() { p.audit(sys, "admin.recover", name, err) }()
	if ttl == 0 {
		ttl = DefaultRecoveryTTL
	}
	if ttl < 0 || ttl > p.cfg.MaxTokenTTL {
		return nil, paved.Errorf(paved.EINVALID, "ttl: %v is not between 0 and the longest token lifetime, %v", ttl, p.cfg.MaxTokenTTL)
	}
	u, err := p.cfg.Store.GetUser(ctx, name)
	switch {
	case paved.ErrorCode(err) == paved.ENOTFOUND:
		u = &paved.User{Name: name, Role: paved.RoleAdmin}
		if err := p.createUser(ctx, u); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case u.Disabled || u.Role != paved.RoleAdmin:
		u.Disabled, u.Role = false, paved.RoleAdmin
		if err := p.cfg.Store.UpdateUser(ctx, u); err != nil {
			return nil, err
		}
	}
	tok, err = p.issueToken(sys, u.Name, fmt.Sprintf("break-glass %s", p.now().UTC().Format(time.RFC3339)), ttl, "")
	if err != nil {
		return nil, err
	}
	p.log.Warn("issued a break-glass admin token", "user", u.Name, "token", tok.ID, "expires", tok.ExpiresAt)
	return tok, nil
}
