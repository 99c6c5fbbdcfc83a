package platform

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"paved.dev/paved"
)

// touchEvery bounds how often a token's last use is written.
const touchEvery = time.Minute

// CreateToken issues a token for a user: an admin for anyone, a user for
// themselves. Every token expires, by default after the server's default
// lifetime and never later than its maximum, and a user holds a bounded
// number of active tokens.
func (p *Platform) CreateToken(ctx context.Context, req *paved.TokenRequest) (tok *paved.IssuedToken, err error) {
	defer func() { p.audit(ctx, "token.create", req.User, err) }()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != paved.RoleAdmin && u.Name != req.User {
		return nil, paved.Errorf(paved.EFORBIDDEN, "only an admin issues tokens for other users")
	}
	owner, err := p.cfg.Store.GetUser(ctx, req.User)
	if err != nil {
		return nil, err
	}
	if owner.Disabled {
		return nil, paved.Errorf(paved.EINVALID, "user %s is disabled; enable them first (paved user update %s --enable)", owner.Name, owner.Name)
	}
	ttl := time.Duration(req.TTL)
	switch {
	case ttl == 0:
		ttl = p.cfg.DefaultTokenTTL
	case ttl < 0:
		return nil, paved.Errorf(paved.EINVALID, "ttl: %v is negative; give a lifetime such as 720h", ttl)
	case ttl > p.cfg.MaxTokenTTL:
		return nil, paved.Errorf(paved.EINVALID, "ttl: %v is beyond the maximum token lifetime of %v on this server; ask for less", ttl, p.cfg.MaxTokenTTL)
	}
	now := p.now()
	active, err := p.cfg.Store.ListTokens(ctx, paved.TokenFilter{User: req.User, ActiveAt: &now})
	if err != nil {
		return nil, err
	}
	if len(active) >= p.cfg.MaxTokensPerUser {
		return nil, paved.Errorf(paved.ECONFLICT, "user %s already has %d active tokens, the most one user may hold; revoke one first (paved user token revoke %s --id ID)", req.User, len(active), req.User)
	}
	if len(req.Name) > 100 {
		return nil, paved.Errorf(paved.EINVALID, "name: %d characters; at most 100", len(req.Name))
	}
	if req.Name == paved.LoginLinkName {
		return nil, paved.Errorf(paved.EINVALID, "name: %q is reserved for the portal's login links; choose another", req.Name)
	}
	return p.issueToken(ctx, req.User, req.Name, ttl, "")
}

// IssueLoginLink issues the token of a single-use login link for a user
// (an admin for anyone, a user for themselves), valid ttl (at most an
// hour): it logs a browser in once, through RedeemLoginLink, and is refused
// as a bearer token.
func (p *Platform) IssueLoginLink(ctx context.Context, user string, ttl time.Duration) (tok *paved.IssuedToken, err error) {
	defer func() { p.audit(ctx, "login.link.issue", user, err) }()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != paved.RoleAdmin && u.Name != user {
		return nil, paved.Errorf(paved.EFORBIDDEN, "only an admin issues login links for other users")
	}
	owner, err := p.cfg.Store.GetUser(ctx, user)
	if err != nil {
		return nil, err
	}
	if owner.Disabled {
		return nil, paved.Errorf(paved.EINVALID, "user %s is disabled", user)
	}
	if ttl <= 0 || ttl > time.Hour {
		return nil, paved.Errorf(paved.EINVALID, "ttl: a login link lives at most an hour; got %v", ttl)
	}
	return p.issueToken(ctx, user, paved.LoginLinkName, ttl, "")
}

// RedeemLoginLink uses a login link's secret once: it returns the user the
// link is for and revokes it, so that of two requests with it only one
// succeeds. Any other token is refused.
func (p *Platform) RedeemLoginLink(ctx context.Context, secret string) (*paved.User, error) {
	invalid := paved.Errorf(paved.EUNAUTHORIZED, "this login link was used already, has expired or is not valid; log in with a token, or ask for a new link")
	t, u, err := p.cfg.Store.TokenByHash(ctx, hashToken(secret))
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	if t.Name != paved.LoginLinkName || !t.Active(p.now()) || u.Disabled {
		return nil, invalid
	}
	n, err := p.cfg.Store.RevokeTokens(ctx, u.Name, t.ID, p.now())
	if err != nil {
		return nil, err
	}
	sys := paved.WithActor(ctx, u)
	if n != 1 {
		p.audit(sys, "login.link", u.Name, invalid)
		return nil, invalid
	}
	p.audit(sys, "login.link", u.Name, nil)
	return u, nil
}

// EndSession revokes the token a secret is (a portal session's, at
// logout): the token is found by the secret itself, never by an id the
// client sends, so that a session cannot be ended by naming another token,
// nor survive a logout. It must be the actor's own; an unknown or ended one
// is not an error (the session has ended either way).
func (p *Platform) EndSession(ctx context.Context, secret string) error {
	u, err := actor(ctx)
	if err != nil {
		return err
	}
	t, owner, err := p.cfg.Store.TokenByHash(ctx, hashToken(secret))
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if owner.Name != u.Name {
		return paved.Errorf(paved.EFORBIDDEN, "this session's token is another user's")
	}
	n, err := p.cfg.Store.RevokeTokens(ctx, u.Name, t.ID, p.now())
	p.audit(ctx, "token.revoke", fmt.Sprintf("%s %s (%d revoked, logout)", u.Name, t.ID, n), err)
	return err
}

// issueToken stores a token for user that expires after ttl; secret "" makes
// a random one.
func (p *Platform) issueToken(ctx context.Context, user, name string, ttl time.Duration, secret string) (*paved.IssuedToken, error) {
	return issueToken(ctx, p.cfg.Store, p.now(), user, name, ttl, secret)
}

// issueToken is Platform.issueToken on a store alone, issued at now by the
// context's actor.
func issueToken(ctx context.Context, st paved.Store, now time.Time, user, name string, ttl time.Duration, secret string) (*paved.IssuedToken, error) {
	if secret == "" {
		raw := make([]byte, 32)
		_, _ = rand.Read(raw)
		secret = "pvd_" + base64.RawURLEncoding.EncodeToString(raw)
	}
	id := make([]byte, 6)
	_, _ = rand.Read(id)
	exp := now.Add(ttl)
	by := "system"
	if u := paved.ActorFrom(ctx); u != nil {
		by = u.Name
	}
	t := &paved.Token{ID: "t-" + base64.RawURLEncoding.EncodeToString(id), User: user, Name: name, Hash: hashToken(secret),
		CreatedBy: by, CreatedAt: now, ExpiresAt: &exp}
	if err := st.CreateToken(ctx, t); err != nil {
		return nil, err
	}
	return &paved.IssuedToken{Token: *t, Secret: secret}, nil
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// ListTokens lists a user's tokens (admin, or the user themselves); their
// secrets are never stored, so never shown.
func (p *Platform) ListTokens(ctx context.Context, user string) ([]paved.Token, error) {
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != paved.RoleAdmin && u.Name != user {
		return nil, paved.Errorf(paved.EFORBIDDEN, "only an admin lists other users' tokens")
	}
	if _, err := p.cfg.Store.GetUser(ctx, user); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListTokens(ctx, paved.TokenFilter{User: user})
}

// RevokeTokens revokes one of a user's tokens (id) or all of them (id ""):
// admin, or the user themselves.
func (p *Platform) RevokeTokens(ctx context.Context, user, id string) (n int, err error) {
	what := user + " all"
	if id != "" {
		what = user + " " + id
	}
	defer func() { p.audit(ctx, "token.revoke", fmt.Sprintf("%s (%d revoked)", what, n), err) }()
	u, err := actor(ctx)
	if err != nil {
		return 0, err
	}
	if u.Role != paved.RoleAdmin && u.Name != user {
		return 0, paved.Errorf(paved.EFORBIDDEN, "only an admin revokes other users' tokens")
	}
	if _, err := p.cfg.Store.GetUser(ctx, user); err != nil {
		return 0, err
	}
	n, err = p.cfg.Store.RevokeTokens(ctx, user, id, p.now())
	if err == nil && n == 0 && id != "" {
		err = paved.Errorf(paved.ENOTFOUND, "user %s has no active token %s (paved user token list %s)", user, id, user)
	}
	return n, err
}

// Authenticate returns the user a bearer token belongs to: the token must
// exist, be neither expired nor revoked, and its user enabled. One message
// for every refusal, so that a caller learns nothing about which tokens
// exist.
func (p *Platform) Authenticate(ctx context.Context, token string) (*paved.User, error) {
	invalid := paved.Errorf(paved.EUNAUTHORIZED, "the token is not valid: it was never issued, has expired or was revoked, or its user is disabled; ask an admin for a new one")
	now := p.now()
	// Failed attempts are limited per client address (the API and the
	// portal put it in the context): guessing is slowed, right or wrong.
	client := paved.ClientFrom(ctx)
	if err := p.logins.check(client, now); err != nil {
		return nil, err
	}
	t, u, err := p.cfg.Store.TokenByHash(ctx, hashToken(token))
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		p.logins.fail(client, now)
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	if !t.Active(now) || u.Disabled || t.Name == paved.LoginLinkName {
		p.logins.fail(client, now)
		return nil, invalid // a login link is not a bearer token
	}
	// The store writes only when the last use is older than touchEvery:
	// requests that pass this check together write once.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
		if err := p.cfg.Store.TouchToken(context.WithoutCancel(ctx), t.ID, now, touchEvery); err != nil {
			p.log.Warn("recording a token's last use", "token", t.ID, "err", err)
		}
	}
	return u, nil
}
