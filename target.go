package paved

import "context"

// ObjectRef names one Kubernetes object.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

// Object is one rendered Kubernetes object as a JSON-shaped tree.
type Object map[string]any

// Ref returns the object's identity.
func (o Object) Ref() ObjectRef {
	r := ObjectRef{}
	r.APIVersion, _ = o["apiVersion"].(string)
	r.Kind, _ = o["kind"].(string)
	if md, ok := o["metadata"].(map[string]any); ok {
		r.Name, _ = md["name"].(string)
		r.Namespace, _ = md["namespace"].(string)
	}
	return r
}

// ApplyRequest asks a target to make an app's environment hold exactly Objects.
type ApplyRequest struct {
	Context      DeployContext
	DeploymentID string
	Author       string
	Message      string
	Objects      []Object
	// Previous is the inventory of the last successful deployment: what is in
	// it and not in Objects is pruned, and nothing else.
	Previous []ObjectRef
	Log      func(msg string)
}

// ObjectStatus is what a target reports of one object after apply.
type ObjectStatus struct {
	Ref    ObjectRef `json:"ref"`
	State  string    `json:"state"` // applied, progressing, ready, failed, pruned
	Reason string    `json:"reason,omitempty"`
}

// ApplyResult is what a target did.
type ApplyResult struct {
	Inventory []ObjectRef    `json:"inventory"`
	Statuses  []ObjectStatus `json:"statuses,omitempty"`
	// Revision is the target's own name for the result (a Git commit).
	Revision string `json:"revision,omitempty"`
}

// Target is where rendered objects go: a Git repository, a cluster.
type Target interface {
	Apply(ctx context.Context, req *ApplyRequest) (*ApplyResult, error)
	// Delete removes everything paved applied for the environment.
	Delete(ctx context.Context, dc DeployContext, inventory []ObjectRef, message string) error
}

// TargetChecker is implemented by targets that can check their health.
type TargetChecker interface {
	Check(ctx context.Context) error
}
