package paved

import (
	"context"
	"time"
)

// Roles a user can hold. Stakeholder roles read everything and sign off.
const (
	RoleAdmin     = "admin"
	RoleDeveloper = "developer"
	RoleViewer    = "viewer"
	RoleSecurity  = "security"
	RoleData      = "data"
	RoleFinance   = "finance"
)

// Team owns apps and belongs to an adoption cohort.
type Team struct {
	Name       string    `json:"name"`
	Cohort     int       `json:"cohort"`
	Pioneering bool      `json:"pioneering"`
	CreatedAt  time.Time `json:"created_at"`
}

// User is a person or a machine with a role; developers act for their teams.
type User struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Teams     []string  `json:"teams,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Token is a bearer token of a user. Only its hash is stored.
type Token struct {
	ID        string     `json:"id"`
	User      string     `json:"user"`
	Hash      []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// App is a set of workloads owned by a team.
type App struct {
	Name      string    `json:"name"`
	Team      string    `json:"team"`
	CreatedAt time.Time `json:"created_at"`
}

// Environment is an app's instance of an environment type.
type Environment struct {
	App       string            `json:"app"`
	Name      string            `json:"name"`
	Type      string            `json:"type"`
	Target    string            `json:"target"`
	Namespace string            `json:"namespace"`
	Values    map[string]string `json:"values,omitempty"`
	// ExpiresAt is set for ephemeral environments (their TTL).
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// Deployment states.
const (
	DeploymentQueued    = "queued"
	DeploymentRunning   = "running"
	DeploymentSucceeded = "succeeded"
	DeploymentFailed    = "failed"
)

// Deployment is an immutable snapshot of what was deployed to an app's
// environment, with its plan, status and event log.
type Deployment struct {
	ID         string     `json:"id"`
	App        string     `json:"app"`
	Env        string     `json:"env"`
	Author     string     `json:"author"`
	CommitSHA  string     `json:"commit_sha,omitempty"`
	CommitTime *time.Time `json:"commit_time,omitempty"`
	// Specs are the Score files, by file name, as submitted.
	Specs map[string]string `json:"specs"`
	// Runner is the server that accepted the deployment and runs it.
	Runner string `json:"runner,omitempty"`
	// RollbackOf names the deployment whose snapshot this one re-deploys.
	RollbackOf string      `json:"rollback_of,omitempty"`
	Status     string      `json:"status"`
	Error      string      `json:"error,omitempty"`
	Objects    []Object    `json:"objects,omitempty"`
	Inventory  []ObjectRef `json:"inventory,omitempty"`
	Revision   string      `json:"revision,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	StartedAt  *time.Time  `json:"started_at,omitempty"`
	FinishedAt *time.Time  `json:"finished_at,omitempty"`
}

// Event is one line of a deployment's event log.
type Event struct {
	Seq     int64     `json:"seq"`
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Message string    `json:"message"`
}

// AuditEntry records one change: who, what, when, result.
type AuditEntry struct {
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Result string    `json:"result"`
}

// Store persists the platform's data. Adapters (SQLite, PostgreSQL)
// implement it; every method is one transaction.
type Store interface {
	CreateTeam(ctx context.Context, t *Team) error
	ListTeams(ctx context.Context) ([]Team, error)

	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, name string) (*User, error)
	ListUsers(ctx context.Context) ([]User, error)
	CreateToken(ctx context.Context, t *Token) error
	// UserByTokenHash returns the user a token hash belongs to.
	UserByTokenHash(ctx context.Context, hash []byte) (*User, error)

	CreateApp(ctx context.Context, a *App) error
	GetApp(ctx context.Context, name string) (*App, error)
	ListApps(ctx context.Context) ([]App, error)

	CreateEnvironment(ctx context.Context, e *Environment) error
	GetEnvironment(ctx context.Context, app, name string) (*Environment, error)
	ListEnvironments(ctx context.Context, app string) ([]Environment, error)
	DeleteEnvironment(ctx context.Context, app, name string) error
	// ExpiredEnvironments lists ephemeral environments whose TTL has passed.
	ExpiredEnvironments(ctx context.Context, now time.Time) ([]Environment, error)

	// PutDefinition stores a new version of a definition and returns it.
	PutDefinition(ctx context.Context, d *ResourceDefinition) (int, error)
	ListDefinitions(ctx context.Context) ([]ResourceDefinition, error)
	DefinitionHistory(ctx context.Context, id string) ([]ResourceDefinition, error)

	// PutResource stores a resource; State and secret Outputs arrive
	// encrypted by the caller.
	PutResource(ctx context.Context, r *StoredResource) error
	ListResources(ctx context.Context, app, env string) ([]StoredResource, error)
	DeleteResource(ctx context.Context, app, env string, uid ResourceUID) error

	CreateDeployment(ctx context.Context, d *Deployment) error
	GetDeployment(ctx context.Context, id string) (*Deployment, error)
	// ListDeployments lists an app's deployments, newest first; env "" for all.
	ListDeployments(ctx context.Context, app, env string, limit int) ([]Deployment, error)
	UpdateDeployment(ctx context.Context, d *Deployment) error
	// LastSuccessful returns the newest succeeded deployment of an env.
	LastSuccessful(ctx context.Context, app, env string) (*Deployment, error)
	AppendEvent(ctx context.Context, deployment string, e *Event) error
	Events(ctx context.Context, deployment string, after int64) ([]Event, error)

	Audit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, limit int) ([]AuditEntry, error)

	// A store also lets several servers share it, and keeps targets.
	Coordinator
	TargetStore

	Close() error
}

// Coordinator lets several servers share one store: a server proves it is
// alive with heartbeats, leases make deployments to one environment run one
// at a time across servers, and deployments whose server died are failed by
// whichever server notices (or by the same server when it starts again).
type Coordinator interface {
	// Heartbeat records that a server is alive at the given time.
	Heartbeat(ctx context.Context, server string, at time.Time) error
	// FailOrphaned fails the queued or running deployments whose Runner has
	// sent no heartbeat since staleBefore (or that have no Runner), setting
	// Error to reason and FinishedAt to at, and returns them as failed.
	FailOrphaned(ctx context.Context, staleBefore time.Time, reason string, at time.Time) ([]Deployment, error)
	// AcquireLease takes the named lease for holder until the given time
	// when it is free, expired (its until is before now) or already holder's,
	// and reports whether holder has it.
	AcquireLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error)
	// ReleaseLease gives up holder's lease; releasing a lease one does not
	// hold does nothing.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// StoredResource is a resource as the store keeps it: public outputs in
// clear, secret outputs and driver state sealed.
type StoredResource struct {
	App          string            `json:"app"`
	Env          string            `json:"env"`
	UID          ResourceUID       `json:"uid"`
	DefinitionID string            `json:"definition"`
	Driver       string            `json:"driver"`
	Outputs      map[string]any    `json:"outputs"`
	SecretNames  []string          `json:"secret_outputs,omitempty"`
	Sealed       []byte            `json:"-"`
	UpdatedAt    time.Time         `json:"updated_at"`
	Labels       map[string]string `json:"labels,omitempty"`
}
