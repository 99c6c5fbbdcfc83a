package paved

import (
	"context"
	"slices"
	"time"
)

// DeploymentStatus is where a deployment is in its life.
type DeploymentStatus string

// Deployment states. Queued and running end in succeeded or failed, and a
// finished deployment never changes again.
const (
	DeploymentQueued    DeploymentStatus = "queued"
	DeploymentRunning   DeploymentStatus = "running"
	DeploymentSucceeded DeploymentStatus = "succeeded"
	DeploymentFailed    DeploymentStatus = "failed"
)

// DeploymentStatuses lists every deployment status, in the order a
// deployment passes through them.
func DeploymentStatuses() []DeploymentStatus {
	return []DeploymentStatus{DeploymentQueued, DeploymentRunning, DeploymentSucceeded, DeploymentFailed}
}

// Valid reports whether s is a known deployment status.
func (s DeploymentStatus) Valid() bool { return slices.Contains(DeploymentStatuses(), s) }

// Finished reports whether the status is final.
func (s DeploymentStatus) Finished() bool {
	return s == DeploymentSucceeded || s == DeploymentFailed
}

// DeploymentKind says how a deployment came about; every kind passes through
// the same pipeline (plan, gates, provision, render, apply).
type DeploymentKind string

// Deployment kinds.
const (
	KindDeploy   DeploymentKind = "deploy"   // Score specs submitted
	KindRollback DeploymentKind = "rollback" // an earlier snapshot's objects, exactly
	KindPromote  DeploymentKind = "promote"  // another environment's specs, with this one's definitions
	KindClone    DeploymentKind = "clone"    // a new environment started from another's specs
)

// DeploymentKinds lists every deployment kind.
func DeploymentKinds() []DeploymentKind {
	return []DeploymentKind{KindDeploy, KindRollback, KindPromote, KindClone}
}

// RolloutState says what a succeeded deployment's success means.
type RolloutState string

// Rollout states.
const (
	// RolloutComplete: the target saw every workload roll out.
	RolloutComplete RolloutState = "rolled_out"
	// RolloutApplied: the target accepted everything and there was no
	// workload to wait for.
	RolloutApplied RolloutState = "applied"
	// RolloutCommitted: written to a Git repository; whether a cluster
	// synced and ran it is not known to paved.
	RolloutCommitted RolloutState = "committed"
)

// Deployment is a snapshot of what was deployed to an app's environment:
// what was asked (specs, the plan with the definitions it pins, author,
// commit) is fixed when it is created, and only its status, times, events
// and result change afterwards, once each. The store enforces this.
type Deployment struct {
	ID   string         `json:"id"`
	Kind DeploymentKind `json:"kind"`
	App  string         `json:"app"`
	Env  string         `json:"env"`
	// EnvID, EnvType and Target record where it ran, so that history
	// still says so after the environment is deleted.
	EnvID      string     `json:"env_id"`
	EnvType    EnvType    `json:"env_type"`
	Target     string     `json:"target"`
	Author     string     `json:"author"`
	CommitSHA  string     `json:"commit_sha,omitempty"`
	CommitTime *time.Time `json:"commit_time,omitempty"`
	// Fix marks a deployment made to fix a failed change: the deployment
	// before it in the environment counts as failed in DORA's change fail
	// rate, and the fix as rework.
	Fix bool `json:"fix,omitempty"`
	// Specs are the Score files, by file name, as submitted (a rollback
	// carries its source's specs for reference).
	Specs map[string]string `json:"specs,omitempty"`
	// Source names the deployment whose snapshot or specs this one takes
	// (rollbacks, promotions and clones).
	Source string `json:"source,omitempty"`
	// Plan is what the deployment will do, as computed when it was
	// submitted; the definitions it pins are the ones that run.
	Plan *Plan `json:"plan,omitempty"`
	// Runner is the server that accepted the deployment and runs it.
	Runner string           `json:"runner,omitempty"`
	Status DeploymentStatus `json:"status"`
	DeploymentResult
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// RollbackOf names the deployment a rollback re-deploys, or "".
func (d *Deployment) RollbackOf() string {
	if d.Kind == KindRollback {
		return d.Source
	}
	return ""
}

// DeploymentResult is what a finished deployment did.
type DeploymentResult struct {
	Error string `json:"error,omitempty"`
	// Objects are the rendered objects applied (Secret values sealed in the
	// store, redacted in output). Set once.
	Objects   []Object    `json:"objects,omitempty"`
	Inventory []ObjectRef `json:"inventory,omitempty"`
	Revision  string      `json:"revision,omitempty"`
	// Rollout says what success meant; empty for failed deployments.
	Rollout RolloutState `json:"rollout,omitempty"`
	// ReplacedBy names the deployment planned again in its place when its
	// plan went stale before it ran (another deployment changed its base).
	ReplacedBy string `json:"replaced_by,omitempty"`
}

// DeployRequest deploys Score specs to an app's environment.
type DeployRequest struct {
	App string `json:"app"`
	Env string `json:"env"`
	// Specs are Score files by file name.
	Specs      map[string]string `json:"specs"`
	CommitSHA  string            `json:"commit_sha,omitempty"`
	CommitTime *time.Time        `json:"commit_time,omitempty"`
	// Fix marks the deployment as a fix for a failed change (paved deploy
	// --fix).
	Fix bool `json:"fix,omitempty"`
}

// DeploymentService deploys and keeps the history.
type DeploymentService interface {
	// Plan computes what deploying the specs would do, without doing it.
	Plan(ctx context.Context, req *DeployRequest) (*Plan, error)
	// Deploy plans, gates and queues a deployment; deployments to one
	// environment run one at a time in the order they were queued.
	Deploy(ctx context.Context, req *DeployRequest) (*Deployment, error)
	GetDeployment(ctx context.Context, id string) (*Deployment, error)
	ListDeployments(ctx context.Context, f DeploymentFilter) ([]Deployment, error)
	// Events returns a deployment's events after seq.
	Events(ctx context.Context, id string, after int64) ([]Event, error)
	Rollback(ctx context.Context, id string) (*Deployment, error)
	// RollbackEnvironment rolls an environment back to its last good
	// deployment: the successful one before the latest when the latest
	// succeeded, else the latest successful one (the newest failed or is
	// still under way).
	RollbackEnvironment(ctx context.Context, app, env string) (*Deployment, error)
	Promote(ctx context.Context, app, from, to string) (*Deployment, error)
}

// EventFollower follows a deployment's events as they happen: it calls send
// with each event after seq, in order, until the deployment has finished
// and every event was sent (or ctx ends), and returns the deployment as it
// ended.
type EventFollower interface {
	FollowEvents(ctx context.Context, id string, after int64, send func(Event) error) (*Deployment, error)
}

// DeploymentFilter selects deployments; empty fields match anything. Lists
// never carry specs, plans or objects (GetDeployment has them).
type DeploymentFilter struct {
	App   string
	Env   string
	EnvID string
	// Statuses keeps only these states.
	Statuses []DeploymentStatus
	// Runner keeps only the deployments this server runs.
	Runner string
	// Kind keeps only deployments of this kind.
	Kind DeploymentKind
	// EnvType keeps only deployments to environments of this type.
	EnvType EnvType
	// CreatedSince and CreatedBefore bound the creation time; FinishedAfter
	// keeps deployments that finished after that time.
	CreatedSince  *time.Time
	CreatedBefore *time.Time
	FinishedAfter *time.Time
	// Oldest lists oldest first (the first deployment of an app).
	Oldest bool
	// Limit bounds the list (newest first); 0 means the store's default
	// and a negative Limit no limit at all (for internal callers that must
	// see every match; the API accepts no negative limit).
	Limit int
}

// DeploymentStore persists deployments. A deployment's request is written
// once, by CreateDeployment; StartDeployment and FinishDeployment move it
// on, each once, and only for the server that runs it.
type DeploymentStore interface {
	CreateDeployment(ctx context.Context, d *Deployment) error
	GetDeployment(ctx context.Context, id string) (*Deployment, error)
	// DeploymentStatus reads only a deployment's status (for followers,
	// which ask often); ENOTFOUND when there is none.
	DeploymentStatus(ctx context.Context, id string) (DeploymentStatus, error)
	// ListDeployments lists summaries, newest first.
	ListDeployments(ctx context.Context, f DeploymentFilter) ([]Deployment, error)
	// StartDeployment moves a queued deployment run by runner to running;
	// ECONFLICT when it is not queued or not runner's.
	StartDeployment(ctx context.Context, id, runner string, at time.Time) error
	// RecordInventory writes what a running deployment of runner may have
	// applied, before the target applies it, so that a deployment that
	// dies part way still lists it for the next to prune; ECONFLICT when
	// it is not running or not runner's.
	RecordInventory(ctx context.Context, id, runner string, inventory []ObjectRef) error
	// FinishDeployment records the result of a running deployment of runner
	// (compare and swap on status = running AND runner = runner); ECONFLICT
	// when another server or the orphan check has finished it already.
	// When lease is not "", the write is also a compare and swap on that
	// lease (AcquireLease's name): it lands only while runner holds it and
	// it has not expired at at, so that a server that lost the
	// environment's lease can never record a success over what another
	// server did since; ECONFLICT otherwise, and nothing is written.
	FinishDeployment(ctx context.Context, id, runner, lease string, status DeploymentStatus, res *DeploymentResult, at time.Time) error
	// LastSuccessful returns the deployment whose objects an environment
	// incarnation's target holds: its succeeded deployment that finished
	// last (deployments of one environment run one at a time, so finishing
	// order is applying order). ENOTFOUND when there is none.
	LastSuccessful(ctx context.Context, envID string) (*Deployment, error)
	AppendEvent(ctx context.Context, deployment string, e *Event) error
	Events(ctx context.Context, deployment string, after int64) ([]Event, error)
}

// EventLevel grades an event.
type EventLevel string

// Event levels.
const (
	EventInfo  EventLevel = "info"
	EventWarn  EventLevel = "warn"
	EventError EventLevel = "error"
)

// Event is one line of a deployment's event log.
type Event struct {
	Seq     int64      `json:"seq"`
	Time    time.Time  `json:"time"`
	Level   EventLevel `json:"level"`
	Message string     `json:"message"`
}
