package platform

import (
	"context"
	"slices"
	"strings"

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

// UpdateApp hands an app to another team: admins, or developers of both the
// team that owns it and the team that gets it.
func (p *Platform) UpdateApp(ctx context.Context, name string, up paved.AppUpdate) (a *paved.App, err error) {
	what := name
	if up.Team != nil {
		what += " team=" + *up.Team
	}
	if up.OnCall != nil {
		what += " on_call=" + *up.OnCall
	}
	defer func() { p.audit(ctx, "app.update", what, err) }()
	u, a, err := p.requireTeam(ctx, name, "changing an app")
	if err != nil {
		return nil, err
	}
	if up.Team != nil {
		if u.Role != paved.RoleAdmin && !slices.Contains(u.Teams, *up.Team) {
			return nil, paved.Errorf(paved.EFORBIDDEN, "handing app %s to team %s needs the admin role or the developer role in both teams; %s is not in %s", name, *up.Team, u.Name, *up.Team)
		}
		a.Team = *up.Team
	}
	if up.OnCall != nil {
		if len(*up.OnCall) > 200 {
			return nil, paved.Errorf(paved.EINVALID, "on_call: %d characters; at most 200", len(*up.OnCall))
		}
		a.OnCall = strings.TrimSpace(*up.OnCall)
	}
	if err := p.cfg.Store.UpdateApp(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteApp removes an app: admins, or developers of its team. While the
// app has environments it is refused, unless cascade, which deletes each
// environment first as DeleteEnvironment does (a developer only those of
// the types they may create); the first that fails stops it there, and
// deleting again carries on. The app's deployments stay in the history.
func (p *Platform) DeleteApp(ctx context.Context, name string, cascade bool) (out *paved.AppDeletion, err error) {
	defer func() { p.audit(ctx, "app.delete", name, err) }()
	u, _, err := p.requireTeam(ctx, name, "deleting an app")
	if err != nil {
		return nil, err
	}
	envs, err := p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{App: name})
	if err != nil {
		return nil, err
	}
	out = &paved.AppDeletion{App: name}
	if len(envs) > 0 && !cascade {
		names := make([]string, len(envs))
		for i, e := range envs {
			names[i] = e.Name
		}
		return nil, paved.Errorf(paved.ECONFLICT, "app %s still has environments (%s); delete them first, or delete the app with --cascade to delete them in turn", name, strings.Join(names, ", "))
	}
	if u.Role != paved.RoleAdmin {
		for _, e := range envs {
			if !p.developerMay(e.Type) {
				return nil, paved.Errorf(paved.EFORBIDDEN, "deleting app %s deletes its %s environment %s, which needs the admin role, as creating one does", name, e.Type, e.Name)
			}
		}
	}
	for _, e := range envs {
		d, err := p.DeleteEnvironment(ctx, name, e.Name, paved.DeleteOptions{})
		if err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
			return out, paved.Errorf(paved.ErrorCode(err), "deleting app %s: environment %s: %s", name, e.Name, paved.ErrorMessage(err))
		}
		if d != nil {
			out.Environments = append(out.Environments, *d)
		}
	}
	if err := p.cfg.Store.DeleteApp(ctx, name); err != nil {
		return out, err
	}
	return out, nil
}
