package paved

import (
	"context"
	"time"
)

// Readiness is an app's production readiness: a checklist computed from
// the platform's own data, and the sign-offs of security, data and
// finance. In MVP mode an app deploys to production only when it is Ready.
type Readiness struct {
	App      string          `json:"app"`
	Ready    bool            `json:"ready"`
	Items    []ReadinessItem `json:"items"`
	SignOffs []SignOff       `json:"signoffs"`
}

// ReadinessItem is one check: done, or why not and how to get it done.
type ReadinessItem struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
	// Why says what is missing and how to meet it, when not done.
	Why string `json:"why,omitempty"`
	// Role is who must act (a sign-off's role), when a person must.
	Role Role `json:"role,omitempty"`
}

// SignOff is a stakeholder's approval of an app for production. It holds
// what it approved (the role's policies and the app's resource types, as
// digests): when either changes, it no longer counts.
type SignOff struct {
	App      string    `json:"app"`
	Role     Role      `json:"role"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Policies string    `json:"policies_digest"`
	Types    string    `json:"types_digest"`
	// Valid is computed: false once the role's policies or the app's
	// resource types changed; Invalid says which.
	Valid   bool   `json:"valid"`
	Invalid string `json:"invalid,omitempty"`
}

// ReadinessService computes readiness and takes sign-offs.
type ReadinessService interface {
	Readiness(ctx context.Context, app string) (*Readiness, error)
	// SignOff records the caller's sign-off for their role (security, data
	// or finance).
	SignOff(ctx context.Context, app string) (*SignOff, error)
}

// SignOffStore persists sign-offs: the latest of each role for an app.
type SignOffStore interface {
	// PutSignOff stores a role's sign-off for an app, replacing the one
	// before.
	PutSignOff(ctx context.Context, s *SignOff) error
	// ListSignOffs lists an app's sign-offs, one per role, by role.
	ListSignOffs(ctx context.Context, app string) ([]SignOff, error)
}

// SettingsService reads and changes the platform's settings at run time.
type SettingsService interface {
	// MVPMode reports whether the platform is in MVP mode (production only
	// for ready apps).
	MVPMode(ctx context.Context) (bool, error)
	// SetMVPMode takes the whole platform in or out of MVP mode (admin,
	// audited); it holds for every server sharing the store.
	SetMVPMode(ctx context.Context, on bool) error
}
