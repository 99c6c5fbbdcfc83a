package paved

import "context"

// ResourceRequest is what a driver is asked to provision.
type ResourceRequest struct {
	UID ResourceUID
	// Name is the resource's name in its (first) workload, "" for none.
	Name string
	// SourceWorkload is the workload that declares the resource (the first by
	// name when several share it by id).
	SourceWorkload string
	Params         map[string]any
	Metadata       map[string]any
	Definition     *ResourceDefinition
	Context        DeployContext
	// State is what the driver returned for this resource last time, or nil.
	State map[string]any
	// Workloads describes every workload of the deployment, by name, so that
	// drivers (a route, a service-port) can point at a workload's service.
	Workloads map[string]WorkloadInfo
	// Secret returns a random-looking value that is stable for this resource
	// and name across runs with the same state seed.
	Secret func(name string, length int) string
	// Log receives progress messages for the deployment's event log.
	Log func(msg string)
}

// WorkloadInfo is what resources may know about a workload.
type WorkloadInfo struct {
	Name        string `json:"name"`
	ServiceName string `json:"service_name"`
	Ports       []Port `json:"ports"`
	// Metadata is the workload's Score metadata (name, annotations...).
	Metadata map[string]any `json:"metadata,omitempty"`
}

// Port is a service port of a workload.
type Port struct {
	Name       string `json:"name"`
	Port       int    `json:"port"`
	TargetPort int    `json:"target_port"`
	Protocol   string `json:"protocol"`
}

// DeployContext is where a deployment goes.
type DeployContext struct {
	App       string  `json:"app"`
	Env       string  `json:"env"`
	EnvType   EnvType `json:"env_type"`
	Namespace string  `json:"namespace"`
	// Team owns the app; its namespace is labelled with it.
	Team string `json:"team,omitempty"`
	// Values are the environment's configuration values, which the
	// "environment" resource type hands to workloads.
	Values map[string]string `json:"values,omitempty"`
}

// ResourceResult is what a driver returns.
type ResourceResult struct {
	Outputs map[string]any
	// State is kept and handed back on the next provisioning of this resource.
	State map[string]any
	// Manifests are Kubernetes objects to deploy with the workloads.
	Manifests []map[string]any
}

// Driver provisions resources of the types its definitions name. Drivers are
// modules registered by id (see Registry): the engine knows them only
// through this interface and the optional ones below.
type Driver interface {
	Provision(ctx context.Context, req *ResourceRequest) (*ResourceResult, error)
}

// InputValidator is implemented by drivers that can check a definition's
// driver inputs when it is loaded rather than when it is first used.
type InputValidator interface {
	ValidateInputs(inputs map[string]any) error
}

// OutputDeclarer is implemented by drivers whose outputs follow from their
// inputs (echo), so that a definition need not list them again.
type OutputDeclarer interface {
	DeclaredOutputs(inputs map[string]any) []OutputSpec
}

// SecretInputer is implemented by drivers some of whose inputs are secret
// (an admin password): the platform seals those inputs at rest and redacts
// them in API output.
type SecretInputer interface {
	SecretInputs() []string
}

// Deprovisioner is implemented by drivers that create something outside the
// rendered manifests (a database on a shared server) and must remove it.
type Deprovisioner interface {
	Deprovision(ctx context.Context, req *ResourceRequest) error
}

// DeprovisionChecker is implemented by Deprovisioners that remove nothing
// for some definitions (the cmd driver without deprovision set): a prune
// then reports the resource forgotten, not removed.
type DeprovisionChecker interface {
	Deprovisions(def *ResourceDefinition) bool
}

// Prober is implemented by drivers that can tell whether a definition's
// inputs reach a working service with the rights the driver needs. A driver
// that can only partly tell returns ErrProbeLimited wrapped with what it
// checked.
type Prober interface {
	Probe(ctx context.Context, inputs map[string]any) error
}
