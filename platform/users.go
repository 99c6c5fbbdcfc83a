package platform

import (
	"context"
	"fmt"
	"slices"

	"paved.dev/paved"
)

// CreateUser adds a user (admin).
func (p *Platform) CreateUser(ctx context.Context, u *paved.User) (err error) {
	defer func() { p.audit(ctx, "user.create", u.Name, err) }()
	if _, err := requireAdmin(ctx, "creating a user"); err != nil {
		return err
	}
	return p.createUser(ctx, u)
}

// validUserName checks a new user's name.
func validUserName(name string) error {
	if err := paved.ValidateName("user name", name); err != nil {
		return err
	}
	if reservedUserNames[name] {
		return paved.Errorf(paved.EINVALID, "user name: %q is reserved: the audit log names paved's own actions so; choose another name", name)
	}
	return nil
}

// reservedUserNames are the actors the audit log names for paved's own
// actions; no user may take one and pass for them.
var reservedUserNames = map[string]bool{"system": true, "reaper": true, LocalOperator: true}

func (p *Platform) createUser(ctx context.Context, u *paved.User) error {
	if err := validUserName(u.Name); err != nil {
		return err
	}
	if err := p.validUserRole(ctx, u); err != nil {
		return err
	}
	u.CreatedAt = p.now()
	return p.cfg.Store.CreateUser(ctx, u)
}

// validUserRole checks a user's role and teams.
func (p *Platform) validUserRole(ctx context.Context, u *paved.User) error {
	if !u.Role.Valid() {
		return paved.Errorf(paved.EINVALID, "role: %q is not one of %v", u.Role, paved.Roles())
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
	return nil
}

// ListUsers lists users.
func (p *Platform) ListUsers(ctx context.Context) ([]paved.User, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListUsers(ctx)
}

// UpdateUser changes a user's role, teams or disabled flag (admin). A
// disabled user's tokens stop working at once; an admin cannot disable or
// demote themselves, so that the platform never loses its last admin by
// accident.
func (p *Platform) UpdateUser(ctx context.Context, name string, up paved.UserUpdate) (u *paved.User, err error) {
	defer func() { p.audit(ctx, "user.update", name+describeUpdate(up), err) }()
	me, err := requireAdmin(ctx, "changing a user")
	if err != nil {
		return nil, err
	}
	u, err = p.cfg.Store.GetUser(ctx, name)
	if err != nil {
		return nil, err
	}
	if up.Role != nil {
		u.Role = *up.Role
	}
	if up.Teams != nil {
		u.Teams = *up.Teams
	}
	if up.Disabled != nil {
		u.Disabled = *up.Disabled
	}
	if me.Name == u.Name && (u.Disabled || u.Role != paved.RoleAdmin) {
		return nil, paved.Errorf(paved.EINVALID, "user %s: an admin cannot disable or demote themselves; ask another admin", name)
	}
	// A user's role and teams are checked when they change: disabling a
	// developer whose last team was deleted must still work.
	if up.Role != nil || up.Teams != nil {
		if err := p.validUserRole(ctx, u); err != nil {
			return nil, err
		}
	}
	if err := p.cfg.Store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// describeUpdate says what an update changes, for the audit log.
func describeUpdate(up paved.UserUpdate) string {
	s := ""
	if up.Role != nil {
		s += " role=" + string(*up.Role)
	}
	if up.Teams != nil {
		s += fmt.Sprintf(" teams=%v", *up.Teams)
	}
	if up.Disabled != nil {
		s += fmt.Sprintf(" disabled=%v", *up.Disabled)
	}
	return s
}

// WhoAmI returns the caller.
func (p *Platform) WhoAmI(ctx context.Context) (*paved.User, error) { return actor(ctx) }

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
	sys := paved.WithActor(ctx, admin)
	tok, err := p.issueToken(sys, admin.Name, "bootstrap", p.cfg.DefaultTokenTTL, token)
	p.audit(sys, "bootstrap", "admin", err)
	if err != nil {
		return "", false, err
	}
	return tok.Secret, true, nil
}

// DeleteUser removes a user and their tokens (admin), who stop working at
// once; an admin cannot delete themselves. What they did stays in the audit
// log, and their deployments keep their name.
func (p *Platform) DeleteUser(ctx context.Context, name string) (err error) {
	defer func() { p.audit(ctx, "user.delete", name, err) }()
	me, err := requireAdmin(ctx, "deleting a user")
	if err != nil {
		return err
	}
	if me.Name == name {
		return paved.Errorf(paved.EINVALID, "user %s: an admin cannot delete themselves; ask another admin", name)
	}
	return p.cfg.Store.DeleteUser(ctx, name)
}
