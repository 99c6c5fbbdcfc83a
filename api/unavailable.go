package api

import (
	"context"

	"paved.dev/paved"
)

// withDefaults fills the services a server was not given with one that
// answers EUNAVAILABLE, so a partial wiring fails per route, legibly.
func withDefaults(s Services) Services {
	if s.Teams == nil {
		s.Teams = unavailable("teams")
	}
	if s.Users == nil {
		s.Users = unavailable("users and tokens")
	}
	if s.Apps == nil {
		s.Apps = unavailable("apps")
	}
	if s.Environments == nil {
		s.Environments = unavailable("environments")
	}
	if s.Definitions == nil {
		s.Definitions = unavailable("resource definitions")
	}
	if s.Deployments == nil {
		s.Deployments = unavailable("deployments")
	}
	if s.Resources == nil {
		s.Resources = unavailable("resources")
	}
	if s.Audit == nil {
		s.Audit = unavailable("the audit log")
	}
	if s.Targets == nil {
		s.Targets = unavailable("targets")
	}
	if s.Policies == nil {
		s.Policies = unavailable("policies")
	}
	if s.Prices == nil {
		s.Prices = unavailable("prices")
	}
	if s.Waivers == nil {
		s.Waivers = unavailable("waivers")
	}
	if s.Readiness == nil {
		s.Readiness = unavailable("production readiness")
	}
	if s.Settings == nil {
		s.Settings = unavailable("settings")
	}
	if s.Checks == nil {
		s.Checks = unavailable("manual checks")
	}
	if s.Program == nil {
		s.Program = unavailable("the MVP program")
	}
	if s.Feedback == nil {
		s.Feedback = unavailable("feedback and the roadmap")
	}
	if s.Templates == nil {
		s.Templates = unavailable("templates")
	}
	if s.Scaffolds == nil {
		s.Scaffolds = unavailable("scaffolds")
	}
	if s.DORA == nil {
		s.DORA = unavailable("DORA metrics")
	}
	if s.Catalog == nil {
		s.Catalog = unavailable("the catalog export")
	}
	if s.Scorecards == nil {
		s.Scorecards = unavailable("scorecards")
	}
	if s.Reports == nil {
		s.Reports = unavailable("reports")
	}
	if s.Backup == nil {
		s.Backup = unavailable("backups")
	}
	return s
}

// unavailable implements every service by refusing.
type unavailable string

var (
	_ paved.TeamService        = unavailable("")
	_ paved.UserService        = unavailable("")
	_ paved.AppService         = unavailable("")
	_ paved.EnvironmentService = unavailable("")
	_ paved.DefinitionService  = unavailable("")
	_ paved.DeploymentService  = unavailable("")
	_ paved.ResourceService    = unavailable("")
	_ paved.AuditService       = unavailable("")
	_ paved.TargetService      = unavailable("")
	_ paved.PolicyService      = unavailable("")
)

func (u unavailable) err() error {
	return paved.Errorf(paved.EUNAVAILABLE, "this server does not serve %s", string(u))
}

func (u unavailable) CreateTeam(context.Context, *paved.Team) error   { return u.err() }
func (u unavailable) ListTeams(context.Context) ([]paved.Team, error) { return nil, u.err() }
func (u unavailable) CreateUser(context.Context, *paved.User) error   { return u.err() }
func (u unavailable) ListUsers(context.Context) ([]paved.User, error) { return nil, u.err() }
func (u unavailable) UpdateUser(context.Context, string, paved.UserUpdate) (*paved.User, error) {
	return nil, u.err()
}
func (u unavailable) WhoAmI(context.Context) (*paved.User, error) { return nil, u.err() }
func (u unavailable) CreateToken(context.Context, *paved.TokenRequest) (*paved.IssuedToken, error) {
	return nil, u.err()
}
func (u unavailable) ListTokens(context.Context, string) ([]paved.Token, error) {
	return nil, u.err()
}
func (u unavailable) RevokeTokens(context.Context, string, string) (int, error) { return 0, u.err() }
func (u unavailable) RotateToken(context.Context, string, string) (*paved.IssuedToken, error) {
	return nil, u.err()
}

func (u unavailable) CreateApp(context.Context, *paved.App) error { return u.err() }
func (u unavailable) GetApp(context.Context, string) (*paved.App, error) {
	return nil, u.err()
}
func (u unavailable) ListApps(context.Context) ([]paved.App, error) { return nil, u.err() }
func (u unavailable) CreateEnvironment(context.Context, *paved.EnvironmentRequest) (*paved.Environment, error) {
	return nil, u.err()
}
func (u unavailable) GetEnvironment(context.Context, string, string) (*paved.Environment, error) {
	return nil, u.err()
}
func (u unavailable) ListEnvironments(context.Context, string) ([]paved.Environment, error) {
	return nil, u.err()
}
func (u unavailable) DeleteEnvironment(context.Context, string, string, paved.DeleteOptions) (*paved.EnvironmentDeletion, error) {
	return nil, u.err()
}
func (u unavailable) ExtendEnvironment(context.Context, string, string, paved.Duration) (*paved.Environment, error) {
	return nil, u.err()
}
func (u unavailable) ResourceTypes(context.Context, string, string) ([]paved.TypeInfo, error) {
	return nil, u.err()
}
func (u unavailable) EnvironmentStatus(context.Context, string, string) (*paved.EnvironmentStatus, error) {
	return nil, u.err()
}

func (u unavailable) ApplyDefinitions(context.Context, []paved.ResourceDefinition) ([]paved.ResourceDefinition, error) {
	return nil, u.err()
}
func (u unavailable) ListDefinitions(context.Context) ([]paved.ResourceDefinition, error) {
	return nil, u.err()
}
func (u unavailable) DefinitionHistory(context.Context, string) ([]paved.ResourceDefinition, error) {
	return nil, u.err()
}
func (u unavailable) ProbeDefinitions(context.Context, []string) ([]paved.ProbeResult, error) {
	return nil, u.err()
}

func (u unavailable) Plan(context.Context, *paved.DeployRequest) (*paved.Plan, error) {
	return nil, u.err()
}
func (u unavailable) Deploy(context.Context, *paved.DeployRequest) (*paved.Deployment, error) {
	return nil, u.err()
}
func (u unavailable) GetDeployment(context.Context, string) (*paved.Deployment, error) {
	return nil, u.err()
}
func (u unavailable) ListDeployments(context.Context, paved.DeploymentFilter) ([]paved.Deployment, error) {
	return nil, u.err()
}
func (u unavailable) Events(context.Context, string, int64) ([]paved.Event, error) {
	return nil, u.err()
}
func (u unavailable) Rollback(context.Context, string) (*paved.Deployment, error) {
	return nil, u.err()
}
func (u unavailable) Promote(context.Context, string, string, string) (*paved.Deployment, error) {
	return nil, u.err()
}

func (u unavailable) ListResources(context.Context, string, string) ([]paved.Resource, error) {
	return nil, u.err()
}
func (u unavailable) Outputs(context.Context, string, string, paved.ResourceUID, bool) (map[string]any, error) {
	return nil, u.err()
}

func (u unavailable) PruneResources(context.Context, string, string, paved.PruneOptions) (*paved.PruneResult, error) {
	return nil, u.err()
}

func (u unavailable) ListAudit(context.Context, paved.AuditFilter) ([]paved.AuditEntry, error) {
	return nil, u.err()
}

func (u unavailable) RegisterTarget(context.Context, *paved.TargetInfo) (*paved.TargetInfo, error) {
	return nil, u.err()
}
func (u unavailable) ListTargets(context.Context) ([]paved.TargetInfo, error) { return nil, u.err() }
func (u unavailable) ProbeTarget(context.Context, string) (*paved.ProbeResult, error) {
	return nil, u.err()
}
func (u unavailable) RollbackEnvironment(context.Context, string, string) (*paved.Deployment, error) {
	return nil, u.err()
}
func (u unavailable) RemoveTarget(context.Context, string) error { return u.err() }

func (u unavailable) GetTeam(context.Context, string) (*paved.Team, error) { return nil, u.err() }
func (u unavailable) UpdateTeam(context.Context, string, paved.TeamUpdate) (*paved.Team, error) {
	return nil, u.err()
}
func (u unavailable) DeleteTeam(context.Context, string) error { return u.err() }
func (u unavailable) DeleteUser(context.Context, string) error { return u.err() }
func (u unavailable) UpdateApp(context.Context, string, paved.AppUpdate) (*paved.App, error) {
	return nil, u.err()
}
func (u unavailable) DeleteApp(context.Context, string, bool) (*paved.AppDeletion, error) {
	return nil, u.err()
}
func (u unavailable) DeleteDefinition(context.Context, string) (*paved.ResourceDefinition, error) {
	return nil, u.err()
}

func (u unavailable) ApplyPolicies(context.Context, []paved.Policy) ([]paved.Policy, error) {
	return nil, u.err()
}
func (u unavailable) ListPolicies(context.Context) ([]paved.Policy, error) { return nil, u.err() }
func (u unavailable) PolicyHistory(context.Context, string) ([]paved.Policy, error) {
	return nil, u.err()
}

func (u unavailable) ApplyPrices(context.Context, *paved.PriceList) (*paved.PriceList, error) {
	return nil, u.err()
}
func (u unavailable) GetPrices(context.Context) (*paved.PriceList, error) { return nil, u.err() }
func (u unavailable) CostReport(context.Context, paved.CostFilter) (*paved.CostReport, error) {
	return nil, u.err()
}
func (u unavailable) RequestWaiver(context.Context, *paved.WaiverRequest) (*paved.Waiver, error) {
	return nil, u.err()
}
func (u unavailable) DecideWaiver(context.Context, string, bool) (*paved.Waiver, error) {
	return nil, u.err()
}
func (u unavailable) ListWaivers(context.Context, paved.WaiverFilter) ([]paved.Waiver, error) {
	return nil, u.err()
}
func (u unavailable) Readiness(context.Context, string) (*paved.Readiness, error) {
	return nil, u.err()
}
func (u unavailable) SignOff(context.Context, string) (*paved.SignOff, error) { return nil, u.err() }
func (u unavailable) MVPMode(context.Context) (bool, error)                   { return false, u.err() }
func (u unavailable) SetMVPMode(context.Context, bool) error                  { return u.err() }
