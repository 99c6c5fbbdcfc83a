package platform

import (
	"context"
	"math"

	"paved.dev/paved"
	"paved.dev/paved/cost"
)

// ApplyPrices stores a new version of the price list (finance, or an
// admin); one with a missing or negative price is refused naming the
// field. Audited.
func (p *Platform) ApplyPrices(ctx context.Context, pl *paved.PriceList) (out *paved.PriceList, err error) {
	defer func() { p.audit(ctx, "prices.apply", pl.Currency, err) }()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != paved.RoleFinance && u.Role != paved.RoleAdmin {
		return nil, paved.Errorf(paved.EFORBIDDEN, "the price list is finance's: changing it needs the finance or admin role; %s is %s", u.Name, u.Role)
	}
	if err := cost.Check(pl); err != nil {
		return nil, err
	}
	c := *pl
	c.UpdatedBy, c.UpdatedAt = u.Name, p.now()
	v, err := p.cfg.Store.PutPriceList(ctx, &c)
	if err != nil {
		return nil, err
	}
	c.Version = v
	return &c, nil
}

// GetPrices returns the price list.
func (p *Platform) GetPrices(ctx context.Context) (*paved.PriceList, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.GetPriceList(ctx)
}

// estimate puts the cost of a planned deployment on its plan, when there
// is a price list, and says what the team's other environments cost, for
// the gates (the finance pack's budget rules).
func (p *Platform) estimate(ctx context.Context, in *intent, pl *planned, gin *paved.GateInput) error {
	prices, err := p.cfg.Store.GetPriceList(ctx)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	pl.plan.Cost = cost.Estimate(prices, pl.objects, pl.plan.Resources)
	if pl.last != nil && pl.last.Plan != nil && pl.last.Plan.Cost != nil {
		before := pl.last.Plan.Cost.Monthly
		pl.plan.CostBefore = &before
	}
	team, err := p.cfg.Store.GetTeam(ctx, in.app.Team)
	if err != nil {
		return err
	}
	gin.Team = team
	apps, err := p.cfg.Store.ListApps(ctx)
	if err != nil {
		return err
	}
	total := 0.0
	for _, a := range apps {
		if a.Team != team.Name {
			continue
		}
		envs, err := p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{App: a.Name})
		if err != nil {
			return err
		}
		for i := range envs {
			if envs[i].ID == in.env.ID {
				continue
			}
			last, err := p.lastSuccessful(ctx, &envs[i])
			if err != nil {
				return err
			}
			if last != nil && last.Plan != nil && last.Plan.Cost != nil {
				total += last.Plan.Cost.Monthly
			}
		}
	}
	gin.TeamMonthly = math.Round(total*100) / 100
	return nil
}

// CostReport sums the estimates of the environments' last successful
// deployments (readers: everyone).
func (p *Platform) CostReport(ctx context.Context, f paved.CostFilter) (*paved.CostReport, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	rep := &paved.CostReport{Environments: []paved.EnvCost{}, Teams: []paved.TeamCost{}, Estimate: true}
	if pl, err := p.cfg.Store.GetPriceList(ctx); err == nil {
		rep.Currency = pl.Currency
	} else if paved.ErrorCode(err) != paved.ENOTFOUND {
		return nil, err
	}
	apps, err := p.cfg.Store.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := p.cfg.Store.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	byTeam := map[string]*paved.TeamCost{}
	for _, t := range teams {
		if f.Team == "" || t.Name == f.Team {
			byTeam[t.Name] = &paved.TeamCost{Team: t.Name, Budget: t.Budget}
		}
	}
	if f.Team != "" && byTeam[f.Team] == nil {
		return nil, paved.Errorf(paved.ENOTFOUND, "no team %q", f.Team)
	}
	for _, a := range apps {
		tc := byTeam[a.Team]
		if tc == nil || f.App != "" && a.Name != f.App {
			continue
		}
		envs, err := p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{App: a.Name})
		if err != nil {
			return nil, err
		}
		for i := range envs {
			e := &envs[i]
			if f.Env != "" && e.Name != f.Env {
				continue
			}
			row := paved.EnvCost{Team: a.Team, App: a.Name, Env: e.Name, Type: e.Type}
			last, err := p.lastSuccessful(ctx, e)
			if err != nil {
				return nil, err
			}
			switch {
			case last == nil:
			case last.Plan == nil || last.Plan.Cost == nil:
				row.Deployment, row.Unpriced = last.ID, true
			default:
				row.Deployment, row.Monthly = last.ID, last.Plan.Cost.Monthly
				if e.ExpiresAt != nil {
					hours := e.ExpiresAt.Sub(e.CreatedAt).Hours()
					row.Lifetime = math.Round(row.Monthly/paved.HoursPerMonth*hours*100) / 100
				}
			}
			rep.Environments = append(rep.Environments, row)
			tc.Monthly += row.Monthly
			rep.Monthly += row.Monthly
		}
	}
	for _, t := range teams {
		tc := byTeam[t.Name]
		if tc == nil {
			continue
		}
		tc.Monthly = math.Round(tc.Monthly*100) / 100
		if tc.Budget != nil && tc.Budget.Monthly > 0 {
			tc.Used = math.Round(tc.Monthly/tc.Budget.Monthly*1000) / 1000
		}
		rep.Teams = append(rep.Teams, *tc)
	}
	rep.Monthly = math.Round(rep.Monthly*100) / 100
	return rep, nil
}
