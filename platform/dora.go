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
	switch {
	case req.App != "":
		if err := p.appOrItsHistory(ctx, req.App); err != nil {
			return nil, err
		}
	case req.Team != "":
		if _, err := p.cfg.Store.GetTeam(ctx, req.Team); err != nil {
			return nil, err
		}
	}
	r, err := p.doraOver(ctx, paved.DORAQuery{App: req.App, Team: req.Team}, p.now(), window)
	if err != nil || !req.Weekly {
		return r, err
	}
	q := paved.DORAQuery{App: req.App, Team: req.Team, EnvType: r.EnvType, From: r.From, To: r.To}
	if r.Weeks, err = p.cfg.Store.DORAWeeks(ctx, q); err != nil {
		return nil, err
	}
	return r, nil
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
