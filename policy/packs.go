package policy

import (
	_ "embed"

	"paved.dev/paved"
)

//go:embed packs/security.rego
var securityPack string

//go:embed packs/data.rego
var dataPack string

//go:embed packs/finance.rego
var financePack string

// Builtin returns the built-in packs, version 0: they judge every
// deployment besides the stored policies (a stored policy of the same id
// takes a pack's place).
func Builtin() []paved.Policy {
	return []paved.Policy{
		{ID: "data", Owner: paved.RoleData, Kind: paved.PolicyDeployment, Module: dataPack,
			Description: "confidential and pii data never in previews, only in the environment types its definition is for; warned without backups in staging and production"},
		{ID: "finance", Owner: paved.RoleFinance, Kind: paved.PolicyDeployment, Module: financePack,
			Description: "a team's monthly estimate within its budget (a warning from its threshold, a denial beyond a hard budget); at most 3 replicas in development and previews"},
		{ID: "security", Owner: paved.RoleSecurity, Kind: paved.PolicyDeployment, Module: securityPack,
			Description: "images pinned, no privileged containers, hostPath, hostNetwork or added capabilities, no secret in clear; non-root and limits are warnings"},
	}
}
