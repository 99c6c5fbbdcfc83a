package paved

import (
	"context"
	"time"
)

// The services below are what the platform does. The platform package
// implements them over a Store, the engine and the targets; the API client
// implements them over HTTP, so that the CLI and the portal call the same
// code as the API does.

// TeamService manages teams and users.
type TeamService interface {
	CreateTeam(ctx context.Context, t *Team) error
	ListTeams(ctx context.Context) ([]Team, error)
	CreateUser(ctx context.Context, u *User) error
	ListUsers(ctx context.Context) ([]User, error)
	// CreateToken issues a bearer token for a user and returns it once.
	CreateToken(ctx context.Context, user string) (string, error)
	// WhoAmI returns the caller.
	WhoAmI(ctx context.Context) (*User, error)
}

// AppService manages apps and their environments.
type AppService interface {
	CreateApp(ctx context.Context, a *App) error
	GetApp(ctx context.Context, name string) (*App, error)
	ListApps(ctx context.Context) ([]App, error)

	CreateEnvironment(ctx context.Context, req *EnvironmentRequest) (*Environment, error)
	GetEnvironment(ctx context.Context, app, env string) (*Environment, error)
	ListEnvironments(ctx context.Context, app string) ([]Environment, error)
	// DeleteEnvironment removes what paved applied to the environment's
	// target, deprovisions its resources and forgets it.
	DeleteEnvironment(ctx context.Context, app, env string) error
	// ResourceTypes answers "what resource types can I use here?".
	ResourceTypes(ctx context.Context, app, env string) ([]TypeInfo, error)
}

// EnvironmentRequest creates an environment, optionally cloned from another.
type EnvironmentRequest struct {
	App  string `json:"app"`
	Name string `json:"name"`
	Type string `json:"type"`
	// TTL is how long an ephemeral environment lives; 0 means the default.
	TTL    Duration          `json:"ttl,omitempty"`
	Values map[string]string `json:"values,omitempty"`
	// From clones the latest successful deployment of that environment.
	From string `json:"from,omitempty"`
	// Target names a registered target; "" is the server's default.
	Target string `json:"target,omitempty"`
}

// TypeInfo is a resource type usable in an environment, and how.
type TypeInfo struct {
	Type        string       `json:"type"`
	Class       string       `json:"class,omitempty"`
	Definition  string       `json:"definition"`
	Driver      string       `json:"driver"`
	Description string       `json:"description,omitempty"`
	Outputs     []OutputSpec `json:"outputs,omitempty"`
}

// DefinitionService manages resource definitions; every change is kept.
type DefinitionService interface {
	ApplyDefinitions(ctx context.Context, defs []ResourceDefinition) ([]ResourceDefinition, error)
	ListDefinitions(ctx context.Context) ([]ResourceDefinition, error)
	DefinitionHistory(ctx context.Context, id string) ([]ResourceDefinition, error)
}

// DeployRequest deploys Score specs to an app's environment.
type DeployRequest struct {
	App string `json:"app"`
	Env string `json:"env"`
	// Specs are Score files by file name.
	Specs      map[string]string `json:"specs"`
	CommitSHA  string            `json:"commit_sha,omitempty"`
	CommitTime *time.Time        `json:"commit_time,omitempty"`
}

// Plan is what a deployment would change, against the last successful one.
type Plan struct {
	App     string       `json:"app"`
	Env     string       `json:"env"`
	Base    string       `json:"base,omitempty"` // the deployment compared with
	Objects []PlanChange `json:"objects"`
	// Resources lists resource changes by UID.
	Resources []PlanChange `json:"resources"`
}

// PlanChange is one added, changed or removed item of a plan.
type PlanChange struct {
	Action string `json:"action"` // add, change, remove
	Name   string `json:"name"`
	Diff   string `json:"diff,omitempty"`
}

// DeploymentService deploys and keeps the history.
type DeploymentService interface {
	Plan(ctx context.Context, req *DeployRequest) (*Plan, error)
	// Deploy queues a deployment; deployments to one environment run one at
	// a time in the order they were queued.
	Deploy(ctx context.Context, req *DeployRequest) (*Deployment, error)
	GetDeployment(ctx context.Context, id string) (*Deployment, error)
	ListDeployments(ctx context.Context, app, env string, limit int) ([]Deployment, error)
	// Events returns a deployment's events after seq.
	Events(ctx context.Context, id string, after int64) ([]Event, error)
	Rollback(ctx context.Context, id string) (*Deployment, error)
	Promote(ctx context.Context, app, from, to string) (*Deployment, error)
}

// ResourceService shows provisioned resources.
type ResourceService interface {
	ListResources(ctx context.Context, app, env string) ([]Resource, error)
	// Outputs returns a resource's outputs; secret ones only with reveal
	// and the rights to see them, redacted otherwise.
	Outputs(ctx context.Context, app, env string, uid ResourceUID, reveal bool) (map[string]any, error)
}

// AuditService reads the audit log.
type AuditService interface {
	ListAudit(ctx context.Context, limit int) ([]AuditEntry, error)
}

// Redacted replaces secret values in API output.
const Redacted = "(redacted)"

type actorKey struct{}

// WithActor returns a context carrying the authenticated caller.
func WithActor(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, actorKey{}, u)
}

// ActorFrom returns the authenticated caller, or nil.
func ActorFrom(ctx context.Context) *User {
	u, _ := ctx.Value(actorKey{}).(*User)
	return u
}
