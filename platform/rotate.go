package platform

import (
	"context"
	"fmt"
	"time"

	"paved.dev/paved"
)

// RotateToken replaces one of a user's active tokens (admin, or the user
// themselves): a new token of the same name that expires when the old one
// would have (rotation replaces the secret, never the lifetime, so a token
// cannot keep itself alive), shown once; then the old one is revoked; if
// someone revoked the old one meanwhile, the new one is revoked too. The new one is issued first, so that a failure
// leaves the user with a working token; rotation does not count against
// the most tokens a user may hold, since it ends one.
func (p *Platform) RotateToken(ctx context.Context, user, id string) (tok *paved.IssuedToken, err error) {
	defer func() {
		what := user + " " + id
		if tok != nil {
			what += " → " + tok.ID
		}
		p.audit(ctx, "token.rotate", what, err)
	}()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != paved.RoleAdmin && u.Name != user {
		return nil, paved.Errorf(paved.EFORBIDDEN, "only an admin rotates other users' tokens")
	}
	owner, err := p.cfg.Store.GetUser(ctx, user)
	if err != nil {
		return nil, err
	}
	if owner.Disabled {
		return nil, paved.Errorf(paved.EINVALID, "user %s is disabled; enable them first (paved user update %s --enable)", owner.Name, owner.Name)
	}
	now := p.now()
	active, err := p.cfg.Store.ListTokens(ctx, paved.TokenFilter{User: user, ActiveAt: &now})
	if err != nil {
		return nil, err
	}
	var old *paved.Token
	for i := range active {
		if active[i].ID == id {
			old = &active[i]
		}
	}
	switch {
	case old == nil:
		return nil, paved.Errorf(paved.ENOTFOUND, "user %s has no active token %s (paved user token list %s)", user, id, user)
	case old.Name == paved.LoginLinkName:
		return nil, paved.Errorf(paved.EINVALID, "token %s is a login link: it is used once, not rotated", id)
	}
	ttl := p.cfg.DefaultTokenTTL
	if old.ExpiresAt != nil {
		ttl = old.ExpiresAt.Sub(now)
	}
	if ttl < time.Minute {
		return nil, paved.Errorf(paved.EINVALID, "token %s expires in less than a minute; ask for a new one (paved login, or an admin: paved user token create %s)", id, user)
	}
	ttl = min(ttl, p.cfg.MaxTokenTTL)
	tok, err = p.issueToken(ctx, user, old.Name, ttl, "")
	if err != nil {
		return nil, err
	}
	n, err := p.cfg.Store.RevokeTokens(ctx, user, id, p.now())
	if err != nil {
		return tok, fmt.Errorf("the new token %s was issued, but revoking the old one %s failed (revoke it: paved user token revoke %s --id %s): %w", tok.ID, id, user, id, err)
	}
	if n != 1 {
		// Revoked meanwhile (an admin ending a stolen token): the new one
		// must not outlive it.
		if _, rerr := p.cfg.Store.RevokeTokens(ctx, user, tok.ID, p.now()); rerr != nil {
			return nil, fmt.Errorf("token %s was revoked while it was rotated, and revoking its replacement %s failed (revoke it: paved user token revoke %s --id %s): %w", id, tok.ID, user, tok.ID, rerr)
		}
		return nil, paved.Errorf(paved.ECONFLICT, "token %s was revoked while it was rotated; its replacement was revoked too", id)
	}
	return tok, nil
}
