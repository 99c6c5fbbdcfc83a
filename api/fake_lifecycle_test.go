package api

import (
	"context"
	"slices"
	"time"

	"paved.dev/paved"
)

func (f *fake) GetTeam(ctx context.Context, name string) (*paved.Team, error) {
	if err := f.call("GetTeam", name); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.teams {
		if t.Name == name {
			return &t, nil
		}
	}
	return nil, paved.Errorf(paved.ENOTFOUND, "no team %q", name)
}

func (f *fake) UpdateTeam(ctx context.Context, name string, up paved.TeamUpdate) (*paved.Team, error) {
	if err := f.call("UpdateTeam", name, up.Cohort != nil, up.Pioneering != nil); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.teams {
		if f.teams[i].Name == name {
			if up.Cohort != nil {
				f.teams[i].Cohort = *up.Cohort
			}
			if up.Pioneering != nil {
				f.teams[i].Pioneering = *up.Pioneering
			}
			t := f.teams[i]
			return &t, nil
		}
	}
	return nil, paved.Errorf(paved.ENOTFOUND, "no team %q", name)
}

func (f *fake) DeleteTeam(ctx context.Context, name string) error {
	if err := f.call("DeleteTeam", name); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.teams = slices.DeleteFunc(f.teams, func(t paved.Team) bool { return t.Name == name })
	return nil
}

func (f *fake) DeleteUser(ctx context.Context, name string) error {
	if err := f.call("DeleteUser", name); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users = slices.DeleteFunc(f.users, func(u paved.User) bool { return u.Name == name })
	return nil
}

func (f *fake) UpdateApp(ctx context.Context, name string, up paved.AppUpdate) (*paved.App, error) {
	team := ""
	if up.Team != nil {
		team = *up.Team
	}
	if err := f.call("UpdateApp", name, team); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.apps[name]
	if !ok {
		return nil, paved.Errorf(paved.ENOTFOUND, "no app %q", name)
	}
	if up.Team != nil {
		a.Team = *up.Team
	}
	f.apps[name] = a
	return &a, nil
}

func (f *fake) DeleteApp(ctx context.Context, name string, cascade bool) (*paved.AppDeletion, error) {
	if err := f.call("DeleteApp", name, cascade); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &paved.AppDeletion{App: name}
	for k, e := range f.envs {
		if e.App == name {
			out.Environments = append(out.Environments, paved.EnvironmentDeletion{App: name, Env: e.Name})
			delete(f.envs, k)
		}
	}
	delete(f.apps, name)
	return out, nil
}

func (f *fake) DeleteEnvironment(ctx context.Context, app, env string, opt paved.DeleteOptions) (*paved.EnvironmentDeletion, error) {
	if err := f.call("DeleteEnvironment", app, env, opt.Force); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.envs, app+"/"+env)
	out := &paved.EnvironmentDeletion{App: app, Env: env, Objects: 3}
	if opt.Force {
		out.Forgotten = []string{"3 objects in namespace shop-pr-1 on target gone (unreachable)"}
	}
	return out, nil
}

func (f *fake) ExtendEnvironment(ctx context.Context, app, env string, ttl paved.Duration) (*paved.Environment, error) {
	if err := f.call("ExtendEnvironment", app, env, time.Duration(ttl)); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.envs[app+"/"+env]
	if !ok {
		return nil, paved.Errorf(paved.ENOTFOUND, "no environment %s/%s", app, env)
	}
	at := f.now.Add(time.Duration(ttl))
	e.ExpiresAt = &at
	f.envs[app+"/"+env] = e
	return &e, nil
}

func (f *fake) RollbackEnvironment(ctx context.Context, app, env string) (*paved.Deployment, error) {
	if err := f.call("RollbackEnvironment", app, env); err != nil {
		return nil, err
	}
	return &paved.Deployment{ID: "r-d1", App: app, Env: env, Author: actorName(ctx), Kind: paved.KindRollback, Source: "d1", Status: paved.DeploymentQueued, CreatedAt: f.now}, nil
}

func (f *fake) RemoveTarget(ctx context.Context, name string) error {
	if err := f.call("RemoveTarget", name); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.targets, name)
	return nil
}

func (f *fake) DeleteDefinition(ctx context.Context, id string) (*paved.ResourceDefinition, error) {
	if err := f.call("DeleteDefinition", id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.defs[id]
	if len(h) == 0 {
		return nil, paved.Errorf(paved.ENOTFOUND, "no definition %q", id)
	}
	d := h[len(h)-1]
	d.Version++
	d.Deleted = true
	f.defs[id] = append(h, d)
	return &d, nil
}

func (f *fake) ApplyPolicies(ctx context.Context, ps []paved.Policy) ([]paved.Policy, error) {
	if err := f.call("ApplyPolicies", len(ps)); err != nil {
		return nil, err
	}
	out := slices.Clone(ps)
	for i := range out {
		out[i].Version = 1
	}
	return out, nil
}

func (f *fake) ListPolicies(ctx context.Context) ([]paved.Policy, error) {
	if err := f.call("ListPolicies"); err != nil {
		return nil, err
	}
	return []paved.Policy{{ID: "security", Owner: paved.RoleSecurity, Kind: paved.PolicyDeployment, Module: "package paved.security\n"}}, nil
}

func (f *fake) PolicyHistory(ctx context.Context, id string) ([]paved.Policy, error) {
	if err := f.call("PolicyHistory", id); err != nil {
		return nil, err
	}
	return []paved.Policy{{ID: id, Owner: paved.RoleData, Kind: paved.PolicyConftest, Module: "package main\n", Version: 1}}, nil
}

func (f *fake) ApplyPrices(ctx context.Context, pl *paved.PriceList) (*paved.PriceList, error) {
	if err := f.call("ApplyPrices", pl.Currency); err != nil {
		return nil, err
	}
	c := *pl
	c.Version = 1
	return &c, nil
}

func (f *fake) GetPrices(ctx context.Context) (*paved.PriceList, error) {
	if err := f.call("GetPrices"); err != nil {
		return nil, err
	}
	return &paved.PriceList{Currency: "EUR", VCPUHour: 0.04, Version: 2}, nil
}

func (f *fake) CostReport(ctx context.Context, cf paved.CostFilter) (*paved.CostReport, error) {
	if err := f.call("CostReport", cf.Team, cf.App, cf.Env); err != nil {
		return nil, err
	}
	return &paved.CostReport{Currency: "USD", Monthly: 12.5, Estimate: true, Environments: []paved.EnvCost{{Team: cf.Team, App: "shop", Env: "dev", Monthly: 12.5}}, Teams: []paved.TeamCost{}}, nil
}

var waiverAt = time.Date(2025, 11, 24, 9, 0, 0, 0, time.UTC)

func (f *fake) RequestWaiver(ctx context.Context, req *paved.WaiverRequest) (*paved.Waiver, error) {
	if err := f.call("RequestWaiver", req.Rule, req.App, req.Env); err != nil {
		return nil, err
	}
	return &paved.Waiver{ID: "w-1", Rule: req.Rule, App: req.App, Env: req.Env, Reason: req.Reason, Status: paved.WaiverRequested, RequestedBy: actorName(ctx), RequestedAt: waiverAt, Owner: paved.RoleSecurity, ExpiresAt: waiverAt}, nil
}

func (f *fake) DecideWaiver(ctx context.Context, id string, approve bool) (*paved.Waiver, error) {
	if err := f.call("DecideWaiver", id, approve); err != nil {
		return nil, err
	}
	return &paved.Waiver{ID: id, Status: paved.WaiverApproved, RequestedAt: waiverAt, ExpiresAt: waiverAt}, nil
}

func (f *fake) ListWaivers(ctx context.Context, wf paved.WaiverFilter) ([]paved.Waiver, error) {
	if err := f.call("ListWaivers", wf.App, wf.Env, wf.Status); err != nil {
		return nil, err
	}
	return []paved.Waiver{{ID: "w-1", App: wf.App, RequestedAt: waiverAt, ExpiresAt: waiverAt}}, nil
}

func (f *fake) Readiness(ctx context.Context, app string) (*paved.Readiness, error) {
	if err := f.call("Readiness", app); err != nil {
		return nil, err
	}
	return &paved.Readiness{App: app, Items: []paved.ReadinessItem{{ID: "rollback", Title: "a rollback exercised", Why: "roll back once"}}, SignOffs: []paved.SignOff{}}, nil
}

func (f *fake) SignOff(ctx context.Context, app string) (*paved.SignOff, error) {
	if err := f.call("SignOff", app); err != nil {
		return nil, err
	}
	return &paved.SignOff{App: app, Role: paved.RoleSecurity, By: actorName(ctx), At: waiverAt, Valid: true}, nil
}

func (f *fake) MVPMode(ctx context.Context) (bool, error) {
	if err := f.call("MVPMode"); err != nil {
		return false, err
	}
	return true, nil
}

func (f *fake) SetMVPMode(ctx context.Context, on bool) error { return f.call("SetMVPMode", on) }
