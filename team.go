package paved

import (
	"context"
	"time"
)

// Team owns apps and belongs to an adoption cohort; one is the pioneering
// team of the MVP.
type Team struct {
	Name       string `json:"name"`
	Cohort     int    `json:"cohort"`
	Pioneering bool   `json:"pioneering"`
	// Budget is the team's monthly budget, for cost estimates (finance).
	Budget    *Budget   `json:"budget,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// TeamUpdate changes a team; nil fields stay as they are.
type TeamUpdate struct {
	Cohort     *int  `json:"cohort,omitempty"`
	Pioneering *bool `json:"pioneering,omitempty"`
	// Budget sets the team's budget (finance or admin); a zero Monthly
	// removes it.
	Budget *Budget `json:"budget,omitempty"`
}

// TeamService manages teams.
type TeamService interface {
	CreateTeam(ctx context.Context, t *Team) error
	GetTeam(ctx context.Context, name string) (*Team, error)
	ListTeams(ctx context.Context) ([]Team, error)
	// UpdateTeam changes a team's cohort or pioneering flag (admin).
	UpdateTeam(ctx context.Context, name string, up TeamUpdate) (*Team, error)
	// DeleteTeam removes a team that owns no app (admin); its members
	// stay, without it.
	DeleteTeam(ctx context.Context, name string) error
}

// TeamStore persists teams.
type TeamStore interface {
	CreateTeam(ctx context.Context, t *Team) error
	GetTeam(ctx context.Context, name string) (*Team, error)
	ListTeams(ctx context.Context) ([]Team, error)
	// UpdateTeam saves a team's cohort, pioneering flag and budget;
	// ENOTFOUND when there is no such team.
	UpdateTeam(ctx context.Context, t *Team) error
	// DeleteTeam removes a team and takes it out of every user's teams, in
	// one step; ECONFLICT while an app belongs to it, ENOTFOUND when there
	// is no such team.
	DeleteTeam(ctx context.Context, name string) error
}
