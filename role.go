package paved

import "slices"

// Role is what a user may do. Stakeholder roles (security, data, finance)
// read everything and sign off; developers change their teams' apps; the
// admin role is the platform team's.
type Role string

// Roles a user can hold.
const (
	RoleAdmin     Role = "admin"
	RoleDeveloper Role = "developer"
	RoleViewer    Role = "viewer"
	RoleSecurity  Role = "security"
	RoleData      Role = "data"
	RoleFinance   Role = "finance"
)

// Roles lists every role.
func Roles() []Role {
	return []Role{RoleAdmin, RoleDeveloper, RoleViewer, RoleSecurity, RoleData, RoleFinance}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }
