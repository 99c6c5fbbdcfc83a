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
