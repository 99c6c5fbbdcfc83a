package paved

import (
	"context"
	"slices"
	"strings"
	"time"
)

// EnvType is the kind of an environment; definitions match on it.
type EnvType string

// Environment types.
const (
	EnvDevelopment EnvType = "development"
	EnvStaging     EnvType = "staging"
	EnvEphemeral   EnvType = "ephemeral"
	EnvProduction  EnvType = "production"
)

// EnvTypes lists every environment type, from the least to the most
// production-like (ephemeral previews come before development).
func EnvTypes() []EnvType {
	return []EnvType{EnvEphemeral, EnvDevelopment, EnvStaging, EnvProduction}
}

// Valid reports whether t is a known environment type.
func (t EnvType) Valid() bool { return slices.Contains(EnvTypes(), t) }

// Environment is an app's instance of an environment type.
type Environment struct {
	// ID names this incarnation of the environment: one deleted and created
	// again under the same name gets a new ID, and its history starts afresh.
	ID        string            `json:"id"`
	App       string            `json:"app"`
	Name      string            `json:"name"`
	Type      EnvType           `json:"type"`
	Target    string            `json:"target"`
	Namespace string            `json:"namespace"`
	Values    map[string]string `json:"values,omitempty"`
	// ExpiresAt is set for ephemeral environments (their TTL).
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	// Health is what the target said after the last deployment.
	Health *EnvironmentHealth `json:"health,omitempty"`
}

// HealthStatus is an environment's health, in Argo CD's vocabulary.
type HealthStatus string

// Health states.
const (
	// HealthHealthy: every workload rolled out.
	HealthHealthy HealthStatus = "healthy"
	// HealthProgressing: workloads are still rolling out.
	HealthProgressing HealthStatus = "progressing"
	// HealthDegraded: a workload failed to roll out, or the last
	// deployment failed part way.
	HealthDegraded HealthStatus = "degraded"
	// HealthUnknown: the target cannot tell (a GitOps repository: the
	// cluster that syncs it is not visible to paved).
	HealthUnknown HealthStatus = "unknown"
)

// EnvironmentHealth is an environment's health and why, as of a deployment.
type EnvironmentHealth struct {
	Status     HealthStatus `json:"status"`
	Reason     string       `json:"reason,omitempty"`
	Deployment string       `json:"deployment,omitempty"`
	At         time.Time    `json:"at"`
}

// EnvironmentRequest creates an environment, optionally cloned from another.
type EnvironmentRequest struct {
	App  string  `json:"app"`
	Name string  `json:"name"`
	Type EnvType `json:"type"`
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

// EnvironmentStatus compares an environment's last deployment with what its
// target holds now.
type EnvironmentStatus struct {
	App        string             `json:"app"`
	Env        string             `json:"env"`
	Target     string             `json:"target"`
	Deployment string             `json:"deployment,omitempty"`
	Health     *EnvironmentHealth `json:"health,omitempty"`
	InSync     bool               `json:"in_sync"`
	Drift      []Drift            `json:"drift"`
}

// DeleteOptions tunes DeleteEnvironment.
type DeleteOptions struct {
	// Force forgets what cannot be reached instead of stopping there: the
	// objects on a target that is gone or unreachable, and resources whose
	// deprovisioning fails. Each is listed in the deletion's Forgotten.
	Force bool `json:"force,omitempty"`
}

// EnvironmentDeletion says what deleting an environment did.
type EnvironmentDeletion struct {
	App string `json:"app"`
	Env string `json:"env"`
	// Objects counts the objects removed from the target.
	Objects int `json:"objects"`
	// Deprovisioned lists the resources deprovisioned.
	Deprovisioned []ResourceUID `json:"deprovisioned,omitempty"`
	// Forgotten says, for a forced deletion, what paved could not reach
	// and forgot: it may still exist and need removing by hand.
	Forgotten []string `json:"forgotten,omitempty"`
}

// EnvironmentService manages an app's environments.
type EnvironmentService interface {
	CreateEnvironment(ctx context.Context, req *EnvironmentRequest) (*Environment, error)
	GetEnvironment(ctx context.Context, app, env string) (*Environment, error)
	ListEnvironments(ctx context.Context, app string) ([]Environment, error)
	// DeleteEnvironment removes what paved applied to the environment's
	// target, deprovisions its resources and forgets it. With Force, what
	// cannot be reached (a target that is gone) is forgotten instead, and
	// the deletion says what was.
	DeleteEnvironment(ctx context.Context, app, env string, opt DeleteOptions) (*EnvironmentDeletion, error)
	// ExtendEnvironment sets an ephemeral environment to expire ttl from
	// now, within the server's maximum TTL.
	ExtendEnvironment(ctx context.Context, app, env string, ttl Duration) (*Environment, error)
	// ResourceTypes answers "what resource types can I use here?".
	ResourceTypes(ctx context.Context, app, env string) ([]TypeInfo, error)
	// EnvironmentStatus shows the drift between an environment's last
	// deployment and what is live.
	EnvironmentStatus(ctx context.Context, app, env string) (*EnvironmentStatus, error)
}

// EnvironmentFilter selects environments; empty fields match anything.
type EnvironmentFilter struct {
	App       string
	Target    string
	Namespace string
	Type      EnvType
}

// EnvironmentStore persists environments.
type EnvironmentStore interface {
	// CreateEnvironment stores a new environment; the store gives it an ID
	// when it has none. ECONFLICT when another environment has its (non
	// empty) namespace on its target: the check and the insert are one
	// step, so two environments never share a namespace.
	CreateEnvironment(ctx context.Context, e *Environment) error
	GetEnvironment(ctx context.Context, app, name string) (*Environment, error)
	ListEnvironments(ctx context.Context, f EnvironmentFilter) ([]Environment, error)
	DeleteEnvironment(ctx context.Context, app, name string) error
	// ExpiredEnvironments lists ephemeral environments whose TTL has passed.
	ExpiredEnvironments(ctx context.Context, now time.Time) ([]Environment, error)
	// SetExpiry moves the expiry of the environment incarnation id;
	// ENOTFOUND when there is none.
	SetExpiry(ctx context.Context, id string, at time.Time) error
	// SetHealth records an environment's health.
	SetHealth(ctx context.Context, app, name string, h EnvironmentHealth) error
}

// EnvTypeList names every environment type for messages: "ephemeral,
// development, staging, production".
func EnvTypeList() string {
	names := make([]string, 0, len(EnvTypes()))
	for _, t := range EnvTypes() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}
