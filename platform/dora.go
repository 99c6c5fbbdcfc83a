package platform

import (
	"context"
	"time"

	"paved.dev/paved"
)

// DORA computes the five DORA metrics of an app, a team or the
// organisation over the window up to now, from the store's aggregates, for
// the environment type paved.MeasuredEnvType picks. Every user reads it.
func (p *Platform) DORA(ctx context.Context, req paved.DORARequest) (*paved.DORAReport, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	if req.App != "" && req.Team != "" {
		return nil, paved.Errorf(paved.EINVALID, "DORA: give an app or a team, not both (neither: the organisation)")
	}
	window := req.Window
	if window == 0 {
		window = paved.DefaultDORAWindow
	}
	if window < 24*time.Hour || window > paved.MaxDORAWindow {
		return nil, paved.Errorf(paved.EINVALID, "window: %s is outside 1d to %dd", window, paved.MaxDORAWindow/(24*time.Hour))
	}
	scope := "organisation"
	switch {
	case req.App != "":
		scope = "app"
		if err := p.appOrItsHistory(ctx, req.App); err != nil {
			return nil, err
		}
	case req.Team != "":
		scope = "team"
		if _, err := p.cfg.Store.GetTeam(ctx, req.Team); err != nil {
			return nil, err
		}
	}
	to := p.now()
	q := paved.DORAQuery{App: req.App, Team: req.Team, From: to.Add(-window), To: to}
	types, err := p.cfg.Store.DeployedEnvTypes(ctx, q)
	if err != nil {
		return nil, err
	}
	mvp, err := p.mvpMode(ctx)
	if err != nil {
		return nil, err
	}
	var measured string
	q.EnvType, measured = paved.MeasuredEnvType(types, mvp)
	f, err := p.cfg.Store.DORA(ctx, q)
	if err != nil {
		return nil, err
	}
	r := paved.NewDORAReport(*f, window)
	r.Scope, r.App, r.Team, r.From, r.To = scope, req.App, req.Team, q.From, q.To
	r.EnvType, r.Measured, r.MVPMode = q.EnvType, measured, mvp
	if req.Weekly {
		if r.Weeks, err = p.cfg.Store.DORAWeeks(ctx, q); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// appOrItsHistory is nil when the app exists, or when it was deleted but
// its deployments are kept (they outlive it); ENOTFOUND otherwise.
func (p *Platform) appOrItsHistory(ctx context.Context, app string) error {
	_, err := p.cfg.Store.GetApp(ctx, app)
	if paved.ErrorCode(err) != paved.ENOTFOUND {
		return err
	}
	if ds, lerr := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: app, Limit: 1}); lerr == nil && len(ds) > 0 {
		return nil
	}
	return err
}
