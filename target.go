package paved

import (
	"context"
	"time"
)

// ApplyRequest asks a target to make an app's environment hold exactly Objects.
type ApplyRequest struct {
	Context      DeployContext
	DeploymentID string
	Author       string
	Message      string
	Objects      []Object
	// Previous is what the target may hold of the environment (the last
	// successful deployment's inventory and what failed ones applied since):
	// what is in it and not in Objects is pruned, and nothing else.
	Previous []ObjectRef
	// Intent, when set, is told every object the target is about to
	// write, before it changes anything; an error from it stops the
	// apply. The platform records them, so that a deployment that dies
	// part way still lists what it may have applied.
	Intent func(refs []ObjectRef) error
	Log    func(msg string)
}

// ApplyResult is what a target did.
type ApplyResult struct {
	Inventory []ObjectRef    `json:"inventory"`
	Statuses  []ObjectStatus `json:"statuses,omitempty"`
	// Revision is the target's own name for the result (a Git commit).
	Revision string `json:"revision,omitempty"`
	// Observed is true when the statuses are what the target saw of the
	// objects after applying them (a cluster that was watched), false
	// when it did not see them run.
	Observed bool `json:"observed"`
	// Committed is true when the objects were written to a repository
	// that something else syncs (Git): the target cannot see them run.
	Committed bool `json:"committed,omitempty"`
}

// Target is where rendered objects go: a Git repository, a cluster. Targets
// are modules registered by type (see Registry).
type Target interface {
	// Apply makes the environment hold exactly req.Objects. When it fails
	// part way it returns what it did apply along with the error.
	Apply(ctx context.Context, req *ApplyRequest) (*ApplyResult, error)
	// Delete removes everything paved applied for the environment.
	Delete(ctx context.Context, dc DeployContext, inventory []ObjectRef, message string) error
}

// TargetProber is implemented by targets that can check that paved reaches
// them with the rights it needs.
type TargetProber interface {
	Probe(ctx context.Context) error
}

// DriftReader is implemented by targets that can read what they hold.
type DriftReader interface {
	Drift(ctx context.Context, dc DeployContext, objects []Object) ([]Drift, error)
}

// Target types.
const (
	TargetGitOps     = "gitops"
	TargetKubernetes = "kubernetes"
)

// TargetInfo is a target: where an environment's objects go. Targets are
// configured on the server (the GitOps repository) or registered at run
// time (clusters).
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
	Server string `json:"server,omitempty"`
	// Configured is true for targets set by the server's configuration,
	// which cannot be registered or removed through the API.
	Configured bool      `json:"configured,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// Sealed holds the sealed credentials in the store.
	Sealed []byte `json:"-"`
}

// TargetFactory builds a registered target from its registration.
type TargetFactory func(info *TargetInfo) (Target, error)

// TargetService registers and probes targets.
type TargetService interface {
	RegisterTarget(ctx context.Context, t *TargetInfo) (*TargetInfo, error)
	ListTargets(ctx context.Context) ([]TargetInfo, error)
	// ProbeTarget checks that paved reaches a target with the rights it
	// needs, and records the result (admin).
	ProbeTarget(ctx context.Context, name string) (*ProbeResult, error)
	// RemoveTarget forgets a registered target (admin); refused while an
	// environment deploys to it, and for configured targets.
	RemoveTarget(ctx context.Context, name string) error
}

// TargetStore persists registered targets.
type TargetStore interface {
	PutTarget(ctx context.Context, t *TargetInfo) error
	GetTarget(ctx context.Context, name string) (*TargetInfo, error)
	ListTargets(ctx context.Context) ([]TargetInfo, error)
	DeleteTarget(ctx context.Context, name string) error
}
