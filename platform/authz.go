package platform

import (
	"context"
	"slices"

	"paved.dev/paved"
)

// actor returns the caller or EUNAUTHORIZED.
func actor(ctx context.Context) (*paved.User, error) {
	u := paved.ActorFrom(ctx)
	if u == nil {
		return nil, paved.Errorf(paved.EUNAUTHORIZED, "not logged in: give a bearer token (paved login)")
	}
	return u, nil
}

func requireAdmin(ctx context.Context, what string) (*paved.User, error) {
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != paved.RoleAdmin {
		return nil, paved.Errorf(paved.EFORBIDDEN, "%s needs the admin role; %s is %s", what, u.Name, u.Role)
	}
	return u, nil
}

// requireTeam lets admins and developers of the app's team change the app.
func (p *Platform) requireTeam(ctx context.Context, app, what string) (*paved.User, *paved.App, error) {
	u, err := actor(ctx)
	if err != nil {
		return nil, nil, err
	}
	a, err := p.cfg.Store.GetApp(ctx, app)
	if err != nil {
		return nil, nil, err
	}
	if u.Role == paved.RoleAdmin {
		return u, a, nil
	}
	if u.Role != paved.RoleDeveloper {
		return nil, nil, paved.Errorf(paved.EFORBIDDEN, "%s needs the developer role in team %s; %s is %s (read-only)", what, a.Team, u.Name, u.Role)
	}
	if !slices.Contains(u.Teams, a.Team) {
		return nil, nil, paved.Errorf(paved.EFORBIDDEN, "%s: app %s belongs to team %s, and %s is a developer of %v only", what, app, a.Team, u.Name, u.Teams)
	}
	return u, a, nil
}

// requireReader lets every authenticated user read: viewers and the
// stakeholder roles (security, data, finance) read everything.
func requireReader(ctx context.Context) (*paved.User, error) { return actor(ctx) }
