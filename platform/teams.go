package platform

import (
	"context"
	"fmt"

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
	if t.Cohort < 0 {
		return paved.Errorf(paved.EINVALID, "cohort: %d is negative; cohorts are numbered from 1 (the first; 0 is none)", t.Cohort)
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

// GetTeam returns a team.
func (p *Platform) GetTeam(ctx context.Context, name string) (*paved.Team, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.GetTeam(ctx, name)
}

// UpdateTeam changes a team's cohort or pioneering flag (admin).
func (p *Platform) UpdateTeam(ctx context.Context, name string, up paved.TeamUpdate) (t *paved.Team, err error) {
	defer func() { p.audit(ctx, "team.update", name+describeTeamUpdate(up), err) }()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	onlyBudget := up.Budget != nil && up.Cohort == nil && up.Pioneering == nil
	if u.Role != paved.RoleAdmin && !(onlyBudget && u.Role == paved.RoleFinance) {
		return nil, paved.Errorf(paved.EFORBIDDEN, "changing a team needs the admin role (a budget: the finance role too); %s is %s", u.Name, u.Role)
	}
	if b := up.Budget; b != nil && (b.Monthly < 0 || b.WarnAt < 0 || b.WarnAt > 1) {
		return nil, paved.Errorf(paved.EINVALID, "budget: monthly must be zero (none) or more and warn_at a share between 0 and 1; got %+v", *b)
	}
	if up.Cohort != nil && *up.Cohort < 0 {
		return nil, paved.Errorf(paved.EINVALID, "cohort: %d is negative; cohorts are numbered from 1 (the first; 0 is none)", *up.Cohort)
	}
	t, err = p.cfg.Store.GetTeam(ctx, name)
	if err != nil {
		return nil, err
	}
	if up.Cohort != nil {
		t.Cohort = *up.Cohort
	}
	if up.Pioneering != nil {
		t.Pioneering = *up.Pioneering
	}
	if up.Budget != nil {
		t.Budget = up.Budget
		if up.Budget.Monthly == 0 {
			t.Budget = nil
		}
	}
	if err := p.cfg.Store.UpdateTeam(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

func describeTeamUpdate(up paved.TeamUpdate) string {
	s := ""
	if up.Cohort != nil {
		s += fmt.Sprintf(" cohort=%d", *up.Cohort)
	}
	if up.Pioneering != nil {
		s += fmt.Sprintf(" pioneering=%v", *up.Pioneering)
	}
	if up.Budget != nil {
		s += fmt.Sprintf(" budget=%g warn_at=%g hard=%v", up.Budget.Monthly, up.Budget.WarnAt, up.Budget.Hard)
	}
	return s
}

// DeleteTeam removes a team that owns no app (admin); its members stay,
// without it.
func (p *Platform) DeleteTeam(ctx context.Context, name string) (err error) {
	defer func() { p.audit(ctx, "team.delete", name, err) }()
	if _, err := requireAdmin(ctx, "deleting a team"); err != nil {
		return err
	}
	return p.cfg.Store.DeleteTeam(ctx, name)
}
