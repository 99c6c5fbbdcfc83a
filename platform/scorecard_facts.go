package platform

import (
	"context"
	"slices"
	"time"

	"paved.dev/paved"
)

const week = 7 * 24 * time.Hour

// scorecardFacts reads what the platform knows of an app, for its
// scorecards. Every read is bounded by an index (store/sqlite/plan_test.go):
// at most FactWeeks "latest success before" reads, one read for a
// rollback, one for a preview, and per environment its latest deployment
// and its last successful one (with their plans), the definitions those
// plans pin, the app's waivers and sign-offs. None reads the app's whole
// history.
func (p *Platform) scorecardFacts(ctx context.Context, app *paved.App) (*paved.ScorecardFacts, error) {
	now := p.now()
	f := &paved.ScorecardFacts{App: app.Name, Team: app.Team, OnCall: app.OnCall, At: now}
	succeeded := []paved.DeploymentStatus{paved.DeploymentSucceeded}

	// Weeks with a success: the latest success before the end of a week
	// says which week it falls in; the weeks after it, up to the week
	// looked at, had none.
	var end *time.Time
	for k := 0; k < paved.FactWeeks; {
		ds, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: app.Name, Statuses: succeeded, CreatedBefore: end, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(ds) == 0 {
			break
		}
		last := ds[0].CreatedAt
		if f.LastSuccessAt == nil {
			f.LastSuccessAt = &last
		}
		k = max(k, int(now.Sub(last)/week))
		if k >= paved.FactWeeks {
			break
		}
		f.WeeksDeployed++
		k++
		e := now.Add(-time.Duration(k) * week)
		end = &e
	}
	f.DeploysWeekly = f.WeeksDeployed == paved.FactWeeks

	rollbacks, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: app.Name, Kind: paved.KindRollback, Statuses: succeeded, Limit: 1})
	if err != nil {
		return nil, err
	}
	f.RollbackExercised = len(rollbacks) > 0
	since := now.Add(-paved.PreviewDays * 24 * time.Hour)
	previews, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: app.Name, EnvType: paved.EnvEphemeral, Statuses: succeeded, CreatedSince: &since, Limit: 1})
	if err != nil {
		return nil, err
	}
	f.PreviewsUsed = len(previews) > 0

	staging, err := p.environmentFacts(ctx, app, f)
	if err != nil {
		return nil, err
	}
	waivers, err := p.cfg.Store.ListWaivers(ctx, paved.WaiverFilter{App: app.Name, Status: paved.WaiverApproved})
	if err != nil {
		return nil, err
	}
	for i := range waivers {
		if waivers[i].Active(now) {
			f.ActiveWaivers++
		}
	}
	signoffs, err := p.signOffs(ctx, app, staging)
	if err != nil {
		return nil, err
	}
	for _, s := range signoffs {
		if s.Valid {
			f.SignedOff = append(f.SignedOff, s.Role)
		}
	}
	f.Complete()
	return f, nil
}

// environmentFacts reads the facts of each of the app's environments:
// types, health, the latest plan's findings, the last success's
// resources, definitions and cost. It returns the latest staging success
// (for sign-offs), or nil.
func (p *Platform) environmentFacts(ctx context.Context, app *paved.App, f *paved.ScorecardFacts) (*paved.Deployment, error) {
	envs, err := p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{App: app.Name})
	if err != nil {
		return nil, err
	}
	f.Environments = map[paved.EnvType]int{}
	var staging *paved.Deployment
	refs := map[paved.DefinitionRef]bool{}
	costed, successes := 0, 0
	for i := range envs {
		env := &envs[i]
		f.Environments[env.Type]++
		if env.Health != nil && env.Health.Status == paved.HealthDegraded {
			f.DegradedEnvironments = append(f.DegradedEnvironments, env.Name)
		}
		last, err := p.lastSuccessful(ctx, env)
		if err != nil {
			return nil, err
		}
		if last != nil {
			successes++
			if last.Plan != nil && last.Plan.Cost != nil {
				costed++
			}
			if env.Type == paved.EnvStaging {
				f.StagingDeployed = true
				if staging == nil || last.FinishedAt.After(*staging.FinishedAt) {
					staging = last
				}
			}
			if last.Plan != nil {
				for _, r := range last.Plan.Resources {
					if r.Action != paved.PlanOrphan {
						f.Resources++
						refs[r.Definition] = true
					}
				}
			}
		}
		latest, err := p.latestPlan(ctx, env, last)
		if err != nil {
			return nil, err
		}
		if latest == nil {
			continue
		}
		for _, fd := range latest.Findings {
			switch {
			case fd.Level == paved.FindingDeny:
				if !slices.Contains(f.DeniedEnvironments, env.Name) {
					f.DeniedEnvironments = append(f.DeniedEnvironments, env.Name)
				}
			case fd.Level == paved.FindingWarn && fd.Waived == "":
				f.Warnings++
			}
		}
	}
	f.LastPlanDenied = len(f.DeniedEnvironments) > 0
	f.CostEstimated = successes > 0 && costed == successes
	if err := p.definitionFacts(ctx, app, refs, f); err != nil {
		return nil, err
	}
	return staging, nil
}

// latestPlan is the plan of an environment's latest deployment, whatever
// its status (a denied one failed at the gate with its plan), or nil.
func (p *Platform) latestPlan(ctx context.Context, env *paved.Environment, last *paved.Deployment) (*paved.Plan, error) {
	ds, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: env.App, Env: env.Name, EnvID: env.ID, Limit: 1})
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	if last != nil && ds[0].ID == last.ID {
		return last.Plan, nil
	}
	d, err := p.cfg.Store.GetDeployment(ctx, ds[0].ID)
	if err != nil {
		return nil, err
	}
	return d.Plan, nil
}

// definitionFacts sorts the definitions the app's resources come from:
// built in (version 0), or stored; a stored one whose criteria name the
// app was made for it (or overrides the platform's for it).
func (p *Platform) definitionFacts(ctx context.Context, app *paved.App, refs map[paved.DefinitionRef]bool, f *paved.ScorecardFacts) error {
	for ref := range refs {
		if ref.Version == 0 {
			f.BuiltinDefinitions = append(f.BuiltinDefinitions, ref.ID)
			continue
		}
		d, err := p.cfg.Store.GetDefinition(ctx, ref.ID, ref.Version)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(d.Criteria, func(c paved.Criteria) bool { return c.App == app.Name }) {
			f.AppDefinitions = append(f.AppDefinitions, ref.String())
		}
	}
	slices.Sort(f.AppDefinitions)
	f.AppDefinitions = slices.Compact(f.AppDefinitions)
	slices.Sort(f.BuiltinDefinitions)
	f.BuiltinDefinitions = slices.Compact(f.BuiltinDefinitions)
	slices.Sort(f.DeniedEnvironments)
	slices.Sort(f.DegradedEnvironments)
	f.PlatformDefinitionsOnly = len(f.AppDefinitions) == 0
	return nil
}
