package paved

import (
	"context"
	"slices"
	"time"
)

// PolicyKind says what a policy's rules see as input.
type PolicyKind string

// Policy kinds.
const (
	// PolicyDeployment rules (deny, warn) see the whole deployment: app,
	// team, environment, author, specs, resources, objects, the previous
	// deployment (docs/policies.md).
	PolicyDeployment PolicyKind = "deployment"
	// PolicyConftest rules are Conftest's: package main, deny, violation
	// and warn rules over one Kubernetes object as input, with Conftest's
	// exception convention; they run on every rendered object.
	PolicyConftest PolicyKind = "conftest"
)

// PolicyKinds lists the kinds.
func PolicyKinds() []PolicyKind { return []PolicyKind{PolicyDeployment, PolicyConftest} }

// Valid reports whether k is a known kind.
func (k PolicyKind) Valid() bool { return slices.Contains(PolicyKinds(), k) }

// Policy is a Rego module a stakeholder role owns. Policies are stored and
// versioned like definitions; only their owner or an admin changes them.
type Policy struct {
	ID          string     `json:"id" yaml:"id"`
	Owner       Role       `json:"owner" yaml:"owner"`
	Kind        PolicyKind `json:"kind" yaml:"kind"`
	Description string     `json:"description,omitempty" yaml:"description,omitempty"`
	// Module is the Rego source (Rego v1; v0 modules, as older Conftest
	// policies are written, are read too).
	Module string `json:"module" yaml:"module"`
	// Version counts changes; built-in policies have version 0.
	Version   int       `json:"version,omitempty" yaml:"-"`
	UpdatedBy string    `json:"updated_by,omitempty" yaml:"-"`
	CreatedAt time.Time `json:"created_at,omitzero" yaml:"-"`
}

// PolicyService manages policies.
type PolicyService interface {
	// ApplyPolicies stores new versions of policies (their owner role or an
	// admin); one that has not changed keeps its version. A module that
	// does not compile is refused with its line and column.
	ApplyPolicies(ctx context.Context, ps []Policy) ([]Policy, error)
	// ListPolicies lists the policies in force: the stored ones' latest
	// versions and the built-in packs.
	ListPolicies(ctx context.Context) ([]Policy, error)
	PolicyHistory(ctx context.Context, id string) ([]Policy, error)
}

// PolicyStore persists policies, every version.
type PolicyStore interface {
	// PutPolicy stores a new version of a policy and returns its number.
	PutPolicy(ctx context.Context, p *Policy) (int, error)
	// ListPolicies lists the latest version of each policy, by id.
	ListPolicies(ctx context.Context) ([]Policy, error)
	// PolicyHistory lists every version of a policy, oldest first.
	PolicyHistory(ctx context.Context, id string) ([]Policy, error)
}

// PoliciesInForce is the built-in packs and the stored policies together,
// a stored policy taking the place of a pack of its id, in id order.
func PoliciesInForce(stored, builtin []Policy) []Policy {
	return inForce(stored, builtin, func(p Policy) string { return p.ID })
}
