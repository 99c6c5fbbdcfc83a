package paved

import (
	"context"
	"time"
)

// Target types.
const (
	TargetGitOps     = "gitops"
	TargetKubernetes = "kubernetes"
)

// TargetInfo is a registered target: where an environment's objects go.
type TargetInfo struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Kubeconfig registers a cluster; it is sealed at rest and never
	// returned. Context picks one of its contexts ("" the current one).
	Kubeconfig string `json:"kubeconfig,omitempty"`
	Context    string `json:"context,omitempty"`
	// InCluster uses the service account paved runs as.
	InCluster bool `json:"in_cluster,omitempty"`
	// Server is the cluster's API address, for display.
	Server    string    `json:"server,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Sealed holds the sealed credentials in the store.
	Sealed []byte `json:"-"`
}

// TargetStore persists registered targets; every Store does.
type TargetStore interface {
	PutTarget(ctx context.Context, t *TargetInfo) error
	GetTarget(ctx context.Context, name string) (*TargetInfo, error)
	ListTargets(ctx context.Context) ([]TargetInfo, error)
	DeleteTarget(ctx context.Context, name string) error
}

// Health is the result of a health check of a target or a definition: can
// paved reach it and does it have the rights it needs.
type Health struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"` // target, definition
	OK        bool      `json:"ok"`
	Message   string    `json:"message"`
	CheckedAt time.Time `json:"checked_at"`
}

// Drift is one difference between what an environment's last deployment
// applied and what its target holds now.
type Drift struct {
	Ref ObjectRef `json:"ref"`
	// State is missing (applied, now gone), changed, or unknown.
	State string `json:"state"`
	// Fields lists the changed fields paved manages, with their values.
	Fields []string `json:"fields,omitempty"`
}

// DriftChecker is implemented by targets that can read what they hold.
type DriftChecker interface {
	Drift(ctx context.Context, dc DeployContext, objects []Object) ([]Drift, error)
}

// EnvironmentStatus compares an environment's last deployment with its
// target.
type EnvironmentStatus struct {
	App        string  `json:"app"`
	Env        string  `json:"env"`
	Target     string  `json:"target"`
	Deployment string  `json:"deployment,omitempty"`
	InSync     bool    `json:"in_sync"`
	Drift      []Drift `json:"drift"`
}

// TargetService registers and checks targets.
type TargetService interface {
	RegisterTarget(ctx context.Context, t *TargetInfo) (*TargetInfo, error)
	ListTargets(ctx context.Context) ([]TargetInfo, error)
	CheckTarget(ctx context.Context, name string) (*Health, error)
	// EnvironmentStatus shows the drift between an environment's last
	// deployment and what is live.
	EnvironmentStatus(ctx context.Context, app, env string) (*EnvironmentStatus, error)
}

// DefinitionChecker checks definitions' drivers against what they reach.
type DefinitionChecker interface {
	// CheckDefinitions checks the named definitions (all stored ones when
	// ids is empty) and records the results.
	CheckDefinitions(ctx context.Context, ids []string) ([]Health, error)
}
