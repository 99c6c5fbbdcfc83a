package paved

import (
	"context"
	"strconv"
)

// ResourceDefinition tells how resources of one type (and class) are provided
// in the environments its criteria match. Platform engineers own them.
type ResourceDefinition struct {
	ID          string         `json:"id" yaml:"id"`
	Description string         `json:"description,omitempty" yaml:"description,omitempty"`
	Type        string         `json:"type" yaml:"type"`
	Driver      string         `json:"driver" yaml:"driver"`
	Inputs      map[string]any `json:"driver_inputs,omitempty" yaml:"driver_inputs,omitempty"`
	Criteria    []Criteria     `json:"criteria,omitempty" yaml:"criteria,omitempty"`
	Outputs     []OutputSpec   `json:"outputs,omitempty" yaml:"outputs,omitempty"`
	// Priority breaks ties between definitions that match a resource
	// equally specifically (the higher wins); 0 unless set. Definitions
	// translated from score-k8s provisioner files get priorities that
	// keep score-k8s' first match in file order among themselves (the
	// first that matches wins there, however specific a later one is);
	// see definition.Set.Match.
	Priority int `json:"priority,omitempty" yaml:"priority,omitempty"`
	// Metadata says what policies need to know of what the definition
	// provides: classification (public, internal, confidential, pii),
	// region, backups (none, daily...), env_types it is meant for (comma
	// separated). Policies read it as input.resources[].definition.metadata.
	Metadata map[string]string `json:"metadata,omitempty" yaml:"metadata,omitempty"`
	// Version counts changes; the store keeps every version. Built-in
	// definitions have version 0.
	Version int `json:"version,omitempty" yaml:"-"`
	// Deleted marks the version that deleted the definition: it repeats
	// the last version, so that history shows what was removed, and
	// matches nothing. Applying the definition again makes a new version.
	Deleted bool `json:"deleted,omitempty" yaml:"-"`
}

// Ref names this version of the definition.
func (d *ResourceDefinition) Ref() DefinitionRef {
	return DefinitionRef{ID: d.ID, Version: d.Version, Driver: d.Driver}
}

// DefinitionRef names one version of a definition (version 0: built in).
type DefinitionRef struct {
	ID      string `json:"id"`
	Version int    `json:"version,omitempty"`
	Driver  string `json:"driver"`
}

func (r DefinitionRef) String() string {
	if r.Version == 0 {
		return r.ID + " (built in)"
	}
	return r.ID + " v" + strconv.Itoa(r.Version)
}

// Criteria is one set of conditions under which a definition applies. Every
// field that is set must match; a field left empty matches anything.
type Criteria struct {
	Class   string  `json:"class,omitempty" yaml:"class,omitempty"`
	ResID   string  `json:"res_id,omitempty" yaml:"res_id,omitempty"`
	EnvType EnvType `json:"env_type,omitempty" yaml:"env_type,omitempty"`
	Env     string  `json:"env,omitempty" yaml:"env,omitempty"`
	App     string  `json:"app,omitempty" yaml:"app,omitempty"`
}

// OutputSpec declares one output of a definition.
type OutputSpec struct {
	Name        string `json:"name" yaml:"name"`
	Secret      bool   `json:"secret,omitempty" yaml:"secret,omitempty"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

// AnyOutput declares outputs whose names are not known in advance (the
// values of an "environment" resource): an OutputSpec named "*" covers every
// name not declared on its own.
const AnyOutput = "*"

// Output returns the declared output called name, if any.
func (d *ResourceDefinition) Output(name string) (OutputSpec, bool) {
	var wildcard *OutputSpec
	for i, o := range d.Outputs {
		if o.Name == name {
			return o, true
		}
		if o.Name == AnyOutput {
			wildcard = &d.Outputs[i]
		}
	}
	if wildcard != nil {
		return OutputSpec{Name: name, Secret: wildcard.Secret}, true
	}
	return OutputSpec{}, false
}

// DefinitionService manages resource definitions; every change is kept.
type DefinitionService interface {
	ApplyDefinitions(ctx context.Context, defs []ResourceDefinition) ([]ResourceDefinition, error)
	ListDefinitions(ctx context.Context) ([]ResourceDefinition, error)
	DefinitionHistory(ctx context.Context, id string) ([]ResourceDefinition, error)
	// ProbeDefinitions checks that the named definitions' drivers reach
	// what they provision on (all stored definitions when ids is empty),
	// and records each result (admin).
	ProbeDefinitions(ctx context.Context, ids []string) ([]ProbeResult, error)
	// DeleteDefinition stops a definition from matching (admin) and
	// returns the version that deleted it; every earlier version is kept,
	// so resources it provisioned are still deprovisioned with it.
	DeleteDefinition(ctx context.Context, id string) (*ResourceDefinition, error)
}

// DefinitionStore persists definitions, every version.
type DefinitionStore interface {
	// PutDefinition stores a new version of a definition and returns it.
	PutDefinition(ctx context.Context, d *ResourceDefinition) (int, error)
	// ListDefinitions lists the latest version of each definition.
	ListDefinitions(ctx context.Context) ([]ResourceDefinition, error)
	DefinitionHistory(ctx context.Context, id string) ([]ResourceDefinition, error)
	// GetDefinition returns one version of a definition.
	GetDefinition(ctx context.Context, id string, version int) (*ResourceDefinition, error)
}
