package paved

import (
	"context"
	"time"
)

// DefaultScaffoldTimeSaved is the time a scaffold is assumed to save a team
// until the platform team sets its own figure: a working day of setting up
// a repository, its build, CI, catalog entry and deployment by hand.
const DefaultScaffoldTimeSaved = 8 * time.Hour

// Scaffold records one service scaffolded from a golden-path template,
// with the time it is assumed to have saved (the platform's setting when it
// was made), for the adoption reports.
type Scaffold struct {
	ID        string    `json:"id"`
	App       string    `json:"app"`
	Team      string    `json:"team"`
	Template  string    `json:"template"`
	Version   string    `json:"version"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	TimeSaved Duration  `json:"time_saved"`
}

// ScaffoldResult is what scaffolding gives back: the record and the files
// to write into the new repository.
type ScaffoldResult struct {
	Scaffold  Scaffold  `json:"scaffold"`
	Rendering Rendering `json:"rendering"`
}

// ScaffoldFilter selects scaffolds; empty fields match all.
type ScaffoldFilter struct {
	Team, Template string
}

// ScaffoldReport lists scaffolds, newest first, and sums the time they
// saved.
type ScaffoldReport struct {
	Items     []Scaffold `json:"items"`
	Count     int        `json:"count"`
	TimeSaved Duration   `json:"time_saved"`
}

// ScaffoldService scaffolds services from golden-path templates and
// reports what scaffolding saved.
type ScaffoldService interface {
	// Scaffold validates the parameters, renders the template, registers
	// the app for its team and records the scaffold with the time it
	// saved (admins, or developers of the team). The caller writes the
	// files.
	Scaffold(ctx context.Context, req *RenderRequest) (*ScaffoldResult, error)
	ListScaffolds(ctx context.Context, f ScaffoldFilter) (*ScaffoldReport, error)
	// ScaffoldTimeSaved is the time each new scaffold is recorded to
	// save: the platform team's assumption, DefaultScaffoldTimeSaved
	// until set.
	ScaffoldTimeSaved(ctx context.Context) (Duration, error)
	// SetScaffoldTimeSaved changes that assumption for scaffolds made from
	// now on (admins, audited).
	SetScaffoldTimeSaved(ctx context.Context, d Duration) error
}

// ScaffoldStore persists scaffolds and the time-saved setting.
type ScaffoldStore interface {
	// CreateScaffold stores a scaffold; ECONFLICT for an id stored before.
	CreateScaffold(ctx context.Context, s *Scaffold) error
	// ListScaffolds lists scaffolds newest first.
	ListScaffolds(ctx context.Context, f ScaffoldFilter) ([]Scaffold, error)
	// ScaffoldTimeSaved reads the setting; set is false when none was.
	ScaffoldTimeSaved(ctx context.Context) (d time.Duration, set bool, err error)
	SetScaffoldTimeSaved(ctx context.Context, d time.Duration) error
}
