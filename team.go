package paved

import (
	"context"
	"time"
)

// Team owns apps and belongs to an adoption cohort; one is the pioneering
// team of the MVP.
type Team struct {
	Name       string    `json:"name"`
	Cohort     int       `json:"cohort"`
	Pioneering bool      `json:"pioneering"`
	CreatedAt  time.Time `json:"created_at"`
}

// TeamService manages teams.
type TeamService interface {
	CreateTeam(ctx context.Context, t *Team) error
	ListTeams(ctx context.Context) ([]Team, error)
}

// TeamStore persists teams.
type TeamStore interface {
	CreateTeam(ctx context.Context, t *Team) error
	ListTeams(ctx context.Context) ([]Team, error)
}
