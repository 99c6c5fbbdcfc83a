package platform

import (
	"context"

	"paved.dev/paved"
)

// EnvironmentStatus compares the last successful deployment of an
// environment with what its target holds, and shows its health as of the
// last deployment.
func (p *Platform) EnvironmentStatus(ctx context.Context, app, envName string) (*paved.EnvironmentStatus, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, app, envName)
	if err != nil {
		return nil, err
	}
	st := &paved.EnvironmentStatus{App: app, Env: envName, Target: env.Target, Health: env.Health, InSync: true, Drift: []paved.Drift{}}
	last, err := p.lastSuccessful(ctx, env)
	if err != nil || last == nil {
		return st, err
	}
	st.Deployment = last.ID
	t, err := p.target(ctx, env.Target)
	if err != nil {
		return nil, err
	}
	dr, ok := t.(paved.DriftReader)
	if !ok {
		return nil, paved.Errorf(paved.EINVALID, "target %s cannot report what it holds", env.Target)
	}
	objs, err := p.openObjects(last.ID, last.Objects)
	if err != nil {
		return nil, err
	}
	dc, err := p.contextOf(ctx, env)
	if err != nil {
		return nil, err
	}
	drift, err := dr.Drift(ctx, dc, objs)
	if err != nil {
		return nil, err
	}
	if len(drift) > 0 {
		st.Drift, st.InSync = drift, false
	}
	return st, nil
}
