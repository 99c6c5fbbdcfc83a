package paved

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Check scopes: where a manual check shows. Readiness checks are items of
// every app's production readiness, confirmed per app; program checks
// are items of one phase of the MVP program, confirmed per iteration.
const (
	ScopeReadiness = "readiness"
	// ScopeProgramPrefix + a phase ("program.discovery", ...).
	ScopeProgramPrefix = "program."
)

// ManualCheck is a check that the platform team defines and a person of a
// named role confirms: what the platform's data cannot tell ("the
// penetration test passed", "the runbook was reviewed").
type ManualCheck struct {
	Scope string `json:"scope" yaml:"scope"`
	ID    string `json:"id" yaml:"id"`
	Title string `json:"title" yaml:"title"`
	// How says how to meet it, for whoever reads the checklist.
	How string `json:"how,omitempty" yaml:"how,omitempty"`
	// Role confirms it: a user of that role (an admin only when it is
	// admin).
	Role      Role      `json:"role" yaml:"role"`
	CreatedBy string    `json:"created_by,omitempty" yaml:"-"`
	CreatedAt time.Time `json:"created_at,omitzero" yaml:"-"`
}

// CheckConfirmation is a person's confirmation of a manual check for one
// subject: an app (readiness) or an iteration of the program.
type CheckConfirmation struct {
	Scope   string    `json:"scope"`
	CheckID string    `json:"check_id"`
	Subject string    `json:"subject"`
	By      string    `json:"by"`
	Role    Role      `json:"role"`
	At      time.Time `json:"at"`
}

// CheckService defines manual checks (admin) and takes confirmations (the
// check's role).
type CheckService interface {
	// ListChecks lists the checks of a scope ("" for every scope), by
	// scope and id.
	ListChecks(ctx context.Context, scope string) ([]ManualCheck, error)
	// PutCheck defines or redefines a check; a new title or role drops
	// its confirmations.
	PutCheck(ctx context.Context, c *ManualCheck) (*ManualCheck, error)
	// DeleteCheck removes a check and its confirmations.
	DeleteCheck(ctx context.Context, scope, id string) error
	// ConfirmCheck records the caller's confirmation of a check for a
	// subject (an app for readiness checks).
	ConfirmCheck(ctx context.Context, scope, id, subject string) (*CheckConfirmation, error)
	// ListConfirmations lists a subject's confirmations in a scope.
	ListConfirmations(ctx context.Context, scope, subject string) ([]CheckConfirmation, error)
}

// CheckStore persists manual checks and their confirmations.
type CheckStore interface {
	PutCheck(ctx context.Context, c *ManualCheck) error
	// GetCheck returns ENOTFOUND for a check that does not exist.
	GetCheck(ctx context.Context, scope, id string) (*ManualCheck, error)
	// DeleteCheck removes a check and its confirmations; ENOTFOUND when
	// there is none.
	DeleteCheck(ctx context.Context, scope, id string) error
	ListChecks(ctx context.Context, scope string) ([]ManualCheck, error)
	// PutConfirmation stores a confirmation, replacing the subject's
	// earlier one of that check.
	PutConfirmation(ctx context.Context, c *CheckConfirmation) error
	ListConfirmations(ctx context.Context, scope, subject string) ([]CheckConfirmation, error)
}

// Phases of the MVP program, in order.
var Phases = []string{"discovery", "integration", "deployment", "adoption"}

// ValidateCheckScope accepts "readiness" and "program.<phase>".
func ValidateCheckScope(scope string) error {
	if scope == ScopeReadiness {
		return nil
	}
	if phase, ok := strings.CutPrefix(scope, ScopeProgramPrefix); ok && slices.Contains(Phases, phase) {
		return nil
	}
	return Errorf(EINVALID, "scope: %q is not a check scope; use %s or %s<phase> with a phase of %s",
		scope, ScopeReadiness, ScopeProgramPrefix, strings.Join(Phases, ", "))
}
