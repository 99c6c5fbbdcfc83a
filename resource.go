package paved

import (
	"context"
	"strings"
	"time"
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

// ResourceStatus says whether a resource is in use.
type ResourceStatus string

// Resource states.
const (
	// ResourceActive: provisioned for the environment's workloads.
	ResourceActive ResourceStatus = "active"
	// ResourceOrphaned: no longer used (the workloads stopped declaring it,
	// or another definition re-provisioned it), kept with its data until it
	// is pruned or the environment is deleted; never removed silently.
	ResourceOrphaned ResourceStatus = "orphaned"
)

// Resource is one provisioned resource of an app's environment, as the
// services show it.
type Resource struct {
	UID               ResourceUID    `json:"uid"`
	App               string         `json:"app"`
	Env               string         `json:"env"`
	DefinitionID      string         `json:"definition"`
	DefinitionVersion int            `json:"definition_version,omitempty"`
	Driver            string         `json:"driver"`
	Status            ResourceStatus `json:"status"`
	// StatusReason says why a resource is orphaned.
	StatusReason string `json:"status_reason,omitempty"`
	// Outputs holds every output; secret ones are listed in Secrets and are
	// redacted by the services unless a caller with rights asks to reveal them.
	Outputs   map[string]any `json:"outputs"`
	Secrets   []string       `json:"secret_outputs,omitempty"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// StoredResource is a resource as the store keeps it: public outputs in
// clear, secret outputs and driver state sealed. A resource is identified by
// its environment, its UID, and the definition and driver that provisioned
// it (Key): after a definition switch, or a new version of a definition that
// names another driver, the old one is kept (orphaned) beside the new one
// until it is deprovisioned.
type StoredResource struct {
	App               string            `json:"app"`
	Env               string            `json:"env"`
	UID               ResourceUID       `json:"uid"`
	DefinitionID      string            `json:"definition"`
	DefinitionVersion int               `json:"definition_version,omitempty"`
	Driver            string            `json:"driver"`
	Status            ResourceStatus    `json:"status"`
	StatusReason      string            `json:"status_reason,omitempty"`
	Outputs           map[string]any    `json:"outputs"`
	SecretNames       []string          `json:"secret_outputs,omitempty"`
	Sealed            []byte            `json:"-"`
	UpdatedAt         time.Time         `json:"updated_at"`
	Labels            map[string]string `json:"labels,omitempty"`
}

// ResourceKey identifies one stored resource.
type ResourceKey struct {
	App, Env   string
	UID        ResourceUID
	Definition string
	Driver     string
}

// Key returns the resource's identity in the store.
func (r *StoredResource) Key() ResourceKey {
	return ResourceKey{App: r.App, Env: r.Env, UID: r.UID, Definition: r.DefinitionID, Driver: r.Driver}
}

// ResourceService shows provisioned resources.
type ResourceService interface {
	ListResources(ctx context.Context, app, env string) ([]Resource, error)
	// Outputs returns a resource's outputs; secret ones only with reveal
	// and the rights to see them, redacted otherwise.
	Outputs(ctx context.Context, app, env string, uid ResourceUID, reveal bool) (map[string]any, error)
	ResourcePruner
}

// ResourceFilter selects an environment's resources.
type ResourceFilter struct {
	App, Env string
	// Status "" lists every resource.
	Status ResourceStatus
}

// ResourceStore persists resources.
type ResourceStore interface {
	// PutResource stores a resource (by its Key); State and secret Outputs
	// arrive sealed by the caller.
	PutResource(ctx context.Context, r *StoredResource) error
	ListResources(ctx context.Context, f ResourceFilter) ([]StoredResource, error)
	// SetResourceStatus marks one stored resource active or orphaned.
	SetResourceStatus(ctx context.Context, k ResourceKey, st ResourceStatus, reason string) error
	DeleteResource(ctx context.Context, k ResourceKey) error
}

// Redacted replaces secret values in output.
const Redacted = "(redacted)"
