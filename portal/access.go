package portal

import (
	"slices"

	"paved.dev/paved"
)

// What the portal offers follows the service's rules, so that a user is
// not shown what they may not do; the services refuse it anyway.

// mayChange reports whether u may deploy, roll back, promote and delete in
// an app of team.
func mayChange(u *paved.User, team string) bool {
	return u.Role == paved.RoleAdmin || u.Role == paved.RoleDeveloper && slices.Contains(u.Teams, team)
}

func isAdmin(u *paved.User) bool { return u.Role == paved.RoleAdmin }

// mayDeleteEnv reports whether u may delete an environment of this type in
// an app of team: developers only the types they may create.
func (p *Portal) mayDeleteEnv(u *paved.User, team string, t paved.EnvType) bool {
	return isAdmin(u) || mayChange(u, team) && slices.Contains(p.devTypes, t)
}
