package platform

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"slices"

	"paved.dev/paved"
	"paved.dev/paved/engine"
)

// Roles lists every role.
var Roles = []string{paved.RoleAdmin, paved.RoleDeveloper, paved.RoleViewer, paved.RoleSecurity, paved.RoleData, paved.RoleFinance}

// CreateTeam adds a team (admin).
func (p *Platform) CreateTeam(ctx context.Context, t *paved.Team) (err error) {
	defer func() { p.audit(ctx, "team.create", t.Name, err) }()
	if _, err := requireAdmin(ctx, "creating a team"); err != nil {
		return err
	}
	if err := engine.CheckName("team name", t.Name); err != nil {
		return err
	}
	t.CreatedAt = p.now()
	return p.cfg.Store.CreateTeam(ctx, t)
}

// ListTeams lists teams.
func (p *Platform) ListTeams(ctx context.Context) ([]paved.Team, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListTeams(ctx)
}

// CreateUser adds a user (admin).
func (p *Platform) CreateUser(ctx context.Context, u *paved.User) (err error) {
	defer func() { p.audit(ctx, "user.create", u.Name, err) }()
	if _, err := requireAdmin(ctx, "creating a user"); err != nil {
		return err
	}
	return p.createUser(ctx, u)
}

func (p *Platform) createUser(ctx context.Context, u *paved.User) error {
	if err := engine.CheckName("user name", u.Name); err != nil {
		return err
	}
	if !slices.Contains(Roles, u.Role) {
		return paved.Errorf(paved.EINVALID, "role: %q is not one of %v", u.Role, Roles)
	}
	if u.Role == paved.RoleDeveloper && len(u.Teams) == 0 {
		return paved.Errorf(paved.EINVALID, "teams: a developer belongs to at least one team")
	}
	teams, err := p.cfg.Store.ListTeams(ctx)
	if err != nil {
		return err
	}
	for _, t := range u.Teams {
		if !slices.ContainsFunc(teams, func(x paved.Team) bool { return x.Name == t }) {
			return paved.Errorf(paved.EINVALID, "teams: no team %q; create it first", t)
		}
	}
	u.CreatedAt = p.now()
	return p.cfg.Store.CreateUser(ctx, u)
}

// ListUsers lists users.
func (p *Platform) ListUsers(ctx context.Context) ([]paved.User, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListUsers(ctx)
}

// CreateToken issues a token for a user (admin, or the user for himself).
func (p *Platform) CreateToken(ctx context.Context, user string) (tok string, err error) {
	defer func() { p.audit(ctx, "token.create", user, err) }()
	u, err := actor(ctx)
	if err != nil {
		return "", err
	}
	if u.Role != paved.RoleAdmin && u.Name != user {
		return "", paved.Errorf(paved.EFORBIDDEN, "only an admin issues tokens for other users")
	}
	if _, err := p.cfg.Store.GetUser(ctx, user); err != nil {
		return "", err
	}
	return p.issueToken(ctx, user)
}

func (p *Platform) issueToken(ctx context.Context, user string) (string, error) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	tok := "pvd_" + base64.RawURLEncoding.EncodeToString(raw)
	id := make([]byte, 6)
	_, _ = rand.Read(id)
	err := p.cfg.Store.CreateToken(ctx, &paved.Token{ID: base64.RawURLEncoding.EncodeToString(id), User: user, Hash: hashToken(tok), CreatedAt: p.now()})
	return tok, err
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// WhoAmI returns the caller.
func (p *Platform) WhoAmI(ctx context.Context) (*paved.User, error) { return actor(ctx) }

// Authenticate returns the user a bearer token belongs to.
func (p *Platform) Authenticate(ctx context.Context, token string) (*paved.User, error) {
	u, err := p.cfg.Store.UserByTokenHash(ctx, hashToken(token))
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return nil, paved.Errorf(paved.EUNAUTHORIZED, "the token is not valid: it was never issued or its user is gone; ask an admin for a new one")
	}
	return u, err
}

// Bootstrap creates the first admin when there are no users. token, if
// given, becomes the admin's token; otherwise one is generated. It returns
// the token and whether it created anything.
func (p *Platform) Bootstrap(ctx context.Context, token string) (string, bool, error) {
	users, err := p.cfg.Store.ListUsers(ctx)
	if err != nil || len(users) > 0 {
		return "", false, err
	}
	admin := &paved.User{Name: "admin", Role: paved.RoleAdmin}
	if err := p.createUser(ctx, admin); err != nil {
		return "", false, err
	}
	if token == "" {
		tok, err := p.issueToken(ctx, admin.Name)
		return tok, true, err
	}
	err = p.cfg.Store.CreateToken(ctx, &paved.Token{ID: "bootstrap", User: admin.Name, Hash: hashToken(token), CreatedAt: p.now()})
	p.audit(paved.WithActor(ctx, admin), "bootstrap", "admin", err)
	return token, true, err
}
