package paved

import (
	"context"
	"time"
)

// WaiverStatus is where a waiver stands.
type WaiverStatus string

// Waiver states.
const (
	WaiverRequested WaiverStatus = "requested"
	WaiverApproved  WaiverStatus = "approved"
	WaiverRejected  WaiverStatus = "rejected"
)

// Waiver is a time-boxed exception to one policy rule for one app and
// environment: a developer of the app's team asks, the role that owns the
// rule (or an admin) approves; while it lasts the rule's denials become
// warnings that say so.
type Waiver struct {
	ID string `json:"id"`
	// Rule is a finding's rule: policy/rule, such as security/sec-limits.
	Rule        string       `json:"rule"`
	App         string       `json:"app"`
	Env         string       `json:"env"`
	Reason      string       `json:"reason"`
	Status      WaiverStatus `json:"status"`
	RequestedBy string       `json:"requested_by"`
	RequestedAt time.Time    `json:"requested_at"`
	// Owner is the role whose approval the waiver needs.
	Owner     Role       `json:"owner"`
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
}

// Active reports whether the waiver excepts its rule at t.
func (w *Waiver) Active(t time.Time) bool { return w.Status == WaiverApproved && t.Before(w.ExpiresAt) }

// WaiverRequest asks for a waiver.
type WaiverRequest struct {
	Rule   string   `json:"rule"`
	App    string   `json:"app"`
	Env    string   `json:"env"`
	Reason string   `json:"reason"`
	TTL    Duration `json:"ttl"`
}

// WaiverFilter selects waivers; empty fields match all.
type WaiverFilter struct {
	App, Env string
	Status   WaiverStatus
}

// WaiverService manages waivers.
type WaiverService interface {
	RequestWaiver(ctx context.Context, req *WaiverRequest) (*Waiver, error)
	// DecideWaiver approves or rejects a requested waiver (the rule's
	// owning role, or an admin).
	DecideWaiver(ctx context.Context, id string, approve bool) (*Waiver, error)
	ListWaivers(ctx context.Context, f WaiverFilter) ([]Waiver, error)
}

// WaiverStore persists waivers.
type WaiverStore interface {
	CreateWaiver(ctx context.Context, w *Waiver) error
	// DecideWaiver sets a requested waiver's status, decider and time in
	// one step; ECONFLICT when it is no longer requested, ENOTFOUND when
	// there is none.
	DecideWaiver(ctx context.Context, id string, status WaiverStatus, by string, at time.Time) (*Waiver, error)
	GetWaiver(ctx context.Context, id string) (*Waiver, error)
	// ListWaivers lists waivers newest first.
	ListWaivers(ctx context.Context, f WaiverFilter) ([]Waiver, error)
}
