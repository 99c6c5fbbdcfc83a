package paved

import (
	"context"
	"strings"
)

// DefaultClass is the class of a Score resource that names none.
const DefaultClass = "default"

// ResourceUID identifies a resource in an app's environment the way Score does:
// "type.class#workload.name" for a resource private to one workload, and
// "type.class#id" for a resource shared by id between workloads.
type ResourceUID string

// NewResourceUID builds the identity of a resource named name in workload,
// with an optional class and shared id.
func NewResourceUID(workload, name, typ, class, id string) ResourceUID {
	if class == "" {
		class = DefaultClass
	}
	if id == "" {
		id = workload + "." + name
	}
	return ResourceUID(typ + "." + class + "#" + id)
}

// Type is the resource type part of the identity.
func (u ResourceUID) Type() string {
	s := string(u)
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i]
	}
	return s
}

// Class is the class part of the identity.
func (u ResourceUID) Class() string {
	s := string(u)
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return DefaultClass
}

// ID is the part after '#': "workload.name" or the shared id.
func (u ResourceUID) ID() string {
	s := string(u)
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[i+1:]
	}
	return ""
}

// Resource is one provisioned resource of an app's environment.
type Resource struct {
	UID          ResourceUID `json:"uid"`
	App          string      `json:"app"`
	Env          string      `json:"env"`
	DefinitionID string      `json:"definition"`
	Driver       string      `json:"driver"`
	// Outputs holds every output; secret ones are listed in Secrets and are
	// redacted by the services unless a caller with rights asks to reveal them.
	Outputs map[string]any `json:"outputs"`
	Secrets []string       `json:"secret_outputs,omitempty"`
	// State is the driver's private memory of what it created (names, generated
	// passwords) so that provisioning again returns the same outputs and
	// deprovisioning removes exactly what was made. It is encrypted at rest.
	State map[string]any `json:"-"`
}

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
	App       string `json:"app"`
	Env       string `json:"env"`
	EnvType   string `json:"env_type"`
	Namespace string `json:"namespace"`
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
// modules: the engine knows them only through this interface and the optional
// ones below.
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

// Checker is implemented by drivers that can tell whether a definition's
// inputs reach a working service with the rights the driver needs.
type Checker interface {
	Check(ctx context.Context, inputs map[string]any) error
}
