package platform

import (
	"context"

	"paved.dev/paved"
)

// CreateTeam adds a team (admin).
func (p *Platform) CreateTeam(ctx context.Context, t *paved.Team) (err error) {
	defer func() { p.audit(ctx, "team.create", t.Name, err) }()
	if _, err := requireAdmin(ctx, "creating a team"); err != nil {
		return err
	}
	if err := paved.ValidateName("team name", t.Name); err != nil {
		return err
	}
	t.CreatedAt = p.now()
	return p.cfg.Store.CreateTeam(ctx, t)
}

// ListTeams lists teams.
func (p *Platform) ListTeams(ctx context.Context) ([]paved.Team, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListTeams(ctx)
}
