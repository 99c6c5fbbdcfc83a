package paved

import (
	"context"
	"time"
)

// AuditEntry records one change or privileged read: who, what, when, result.
type AuditEntry struct {
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Result string    `json:"result"`
}

// AuditFilter selects audit entries; empty fields match anything.
type AuditFilter struct {
	Actor  string
	Action string
	// Target and Result keep entries of exactly that target or result
	// ("ok" for successes).
	Target string
	Result string
	// Since and Before bound the time.
	Since  *time.Time
	Before *time.Time
	// Limit bounds the list (newest first); 0 means the store's default.
	Limit int
}

// AuditService reads the audit log.
type AuditService interface {
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// AuditStore persists the audit log.
type AuditStore interface {
	Audit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
