package platform

import (
	"context"
	"slices"

	"paved.dev/paved"
)

// CreateApp adds an app owned by a team: admins, or developers of that team.
func (p *Platform) CreateApp(ctx context.Context, a *paved.App) (err error) {
	defer func() { p.audit(ctx, "app.create", a.Name, err) }()
	u, err := actor(ctx)
	if err != nil {
		return err
	}
	if u.Role != paved.RoleAdmin && !(u.Role == paved.RoleDeveloper && slices.Contains(u.Teams, a.Team)) {
		return paved.Errorf(paved.EFORBIDDEN, "creating an app of team %s needs the admin role or the developer role in that team", a.Team)
	}
	if err := paved.ValidateName("app", a.Name); err != nil {
		return err
	}
	teams, err := p.cfg.Store.ListTeams(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(teams, func(t paved.Team) bool { return t.Name == a.Team }) {
		return paved.Errorf(paved.EINVALID, "team: no team %q", a.Team)
	}
	a.CreatedAt = p.now()
	return p.cfg.Store.CreateApp(ctx, a)
}

// GetApp returns an app.
func (p *Platform) GetApp(ctx context.Context, name string) (*paved.App, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.GetApp(ctx, name)
}

// ListApps lists apps.
func (p *Platform) ListApps(ctx context.Context) ([]paved.App, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListApps(ctx)
}
