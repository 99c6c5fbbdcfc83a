package platform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/definition"
)

// StableDays is how long staging must have run without a failed
// deployment before an app is ready for production.
const StableDays = 7

// signOffRoles sign an app off for production.
var signOffRoles = []paved.Role{paved.RoleSecurity, paved.RoleData, paved.RoleFinance}

// Readiness computes an app's production readiness from the platform's own
// data: staging deployed and stable, a rollback exercised, the latest
// staging plan clean, the data it holds backed up in production, the
// production estimate within the team's budget, and valid sign-offs of
// security, data and finance.
func (p *Platform) Readiness(ctx context.Context, appName string) (*paved.Readiness, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	app, err := p.cfg.Store.GetApp(ctx, appName)
	if err != nil {
		return nil, err
	}
	r := &paved.Readiness{App: app.Name}
	envs, err := p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{App: app.Name, Type: paved.EnvStaging})
	if err != nil {
		return nil, err
	}
	now := p.now()
	var staging *paved.Deployment
	var stagingEnv *paved.Environment
	for i := range envs {
		last, err := p.lastSuccessful(ctx, &envs[i])
		if err != nil {
			return nil, err
		}
		if last != nil && (staging == nil || last.FinishedAt.After(*staging.FinishedAt)) {
			staging, stagingEnv = last, &envs[i]
		}
	}
	item := func(id, title string, done bool, why string, role paved.Role) {
		r.Items = append(r.Items, paved.ReadinessItem{ID: id, Title: title, Done: done, Why: why, Role: role})
	}
	if staging == nil {
		item("staging-deployed", "deployed to staging successfully", false, fmt.Sprintf("no staging environment of %s has a successful deployment: paved env create staging --app %s (admin), then paved env promote dev staging --app %s", app.Name, app.Name, app.Name), "")
	} else {
		item("staging-deployed", "deployed to staging successfully", true, "", "")
		since := now.Add(-StableDays * 24 * time.Hour)
		failed, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{EnvID: stagingEnv.ID, Statuses: []paved.DeploymentStatus{paved.DeploymentFailed}, CreatedSince: &since, Limit: 1})
		if err != nil {
			return nil, err
		}
		first, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{EnvID: stagingEnv.ID, Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, CreatedBefore: &since, Limit: 1})
		if err != nil {
			return nil, err
		}
		switch {
		case len(failed) > 0:
			item("staging-stable", fmt.Sprintf("no failed deployment in staging for %d days", StableDays), false, fmt.Sprintf("deployment %s failed in %s on %s", failed[0].ID, stagingEnv.Name, failed[0].CreatedAt.UTC().Format(time.DateOnly)), "")
		case len(first) == 0:
			item("staging-stable", fmt.Sprintf("no failed deployment in staging for %d days", StableDays), false, fmt.Sprintf("staging has run for less than %d days", StableDays), "")
		default:
			item("staging-stable", fmt.Sprintf("no failed deployment in staging for %d days", StableDays), true, "", "")
		}
		clean, why := staging.Plan != nil, "the latest staging deployment has no plan to judge; deploy staging again"
		if staging.Plan != nil {
			why = ""
			for _, f := range staging.Plan.Findings {
				if f.Level == paved.FindingDeny || f.Waived == "" {
					clean, why = false, fmt.Sprintf("the latest staging plan (%s) has %s %s: %s; fix it or ask for a waiver", staging.ID, f.Level, f.Rule, f.Message)
					break
				}
			}
		}
		item("staging-clean", "no deny and no unwaived warning in the latest staging plan", clean, why, "")
	}
	rollbacks, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: app.Name, Kind: paved.KindRollback,
		Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, Limit: 1})
	if err != nil {
		return nil, err
	}
	rolledBack := len(rollbacks) > 0
	item("rollback", "a rollback exercised", rolledBack, map[bool]string{false: fmt.Sprintf("roll an environment of %s back once: paved rollback --app %s --env ENV", app.Name, app.Name)}[rolledBack], "")
	item("owner", "an owner team and an on-call contact", app.Team != "" && app.OnCall != "",
		map[bool]string{false: fmt.Sprintf("say who answers when %s breaks: paved app update %s --on-call payments-oncall@example.com", app.Name, app.Name)}[app.Team != "" && app.OnCall != ""], "")
	if staging != nil && staging.Plan == nil {
		why := fmt.Sprintf("the latest staging deployment %s has no plan to judge; deploy staging again", staging.ID)
		item("backups", "every data resource's production definition has backups", false, why, "")
		item("budget", "the production estimate within the team's budget", false, why, "")
	}
	if staging != nil && staging.Plan != nil {
		done, why, err := p.backedUp(ctx, app, staging.Plan)
		if err != nil {
			return nil, err
		}
		item("backups", "every data resource's production definition has backups", done, why, "")
		done, why, err = p.withinBudget(ctx, app, staging)
		if err != nil {
			return nil, err
		}
		item("budget", "the production estimate within the team's budget", done, why, "")
	}
	if err := p.manualItems(ctx, app, item); err != nil {
		return nil, err
	}
	if err := p.scorecardItem(ctx, app, item); err != nil {
		return nil, err
	}
	signoffs, err := p.signOffs(ctx, app, staging)
	if err != nil {
		return nil, err
	}
	r.SignOffs = signoffs
	for _, role := range signOffRoles {
		i := slices.IndexFunc(signoffs, func(s paved.SignOff) bool { return s.Role == role })
		switch {
		case i < 0:
			item("signoff-"+string(role), "signed off by "+string(role), false, fmt.Sprintf("a %s user signs it off: paved signoff --app %s", role, app.Name), role)
		case !signoffs[i].Valid:
			item("signoff-"+string(role), "signed off by "+string(role), false, fmt.Sprintf("%s's sign-off by %s no longer holds: %s; sign off again: paved signoff --app %s", role, signoffs[i].By, signoffs[i].Invalid, app.Name), role)
		default:
			item("signoff-"+string(role), "signed off by "+string(role), true, "", role)
		}
	}
	r.Ready = !slices.ContainsFunc(r.Items, func(it paved.ReadinessItem) bool { return !it.Done })
	return r, nil
}

// manualItems adds the readiness checks the platform team defined: done
// once a user of the check's role confirmed it for the app.
func (p *Platform) manualItems(ctx context.Context, a *paved.App, item func(id, title string, done bool, why string, role paved.Role)) error {
	app := a.Name
	checks, err := p.cfg.Store.ListChecks(ctx, paved.ScopeReadiness)
	if err != nil || len(checks) == 0 {
		return err
	}
	confs, err := p.cfg.Store.ListConfirmations(ctx, paved.ScopeReadiness, app)
	if err != nil {
		return err
	}
	for _, c := range checks {
		// A confirmation counts when it is of the check's role and of this
		// app, not of an earlier app of the same name.
		i := slices.IndexFunc(confs, func(k paved.CheckConfirmation) bool {
			return k.CheckID == c.ID && k.Role == c.Role && !k.At.Before(a.CreatedAt)
		})
		if i >= 0 {
			item("check-"+c.ID, c.Title, true, "", c.Role)
			continue
		}
		why := fmt.Sprintf("a %s user confirms it: paved checks confirm %s --app %s", c.Role, c.ID, app)
		if c.How != "" {
			why = c.How + "; then " + why
		}
		item("check-"+c.ID, c.Title, false, why, c.Role)
	}
	return nil
}

// backedUp checks that every resource the latest staging plan uses would be
// provided in production by a definition with backups, when it holds
// classified data.
func (p *Platform) backedUp(ctx context.Context, app *paved.App, pl *paved.Plan) (bool, string, error) {
	set, err := p.definitions(ctx)
	if err != nil {
		return false, "", err
	}
	for _, r := range pl.Resources {
		if r.Action == paved.PlanOrphan {
			continue
		}
		head, id, _ := strings.Cut(string(r.UID), "#")
		typ, class, _ := strings.Cut(head, ".")
		d, err := set.Match(definition.Want{Type: typ, Class: class, ResID: id, Context: paved.DeployContext{App: app.Name, Env: "production", EnvType: paved.EnvProduction}})
		if err != nil {
			return false, fmt.Sprintf("%s has no production definition: %s", r.UID, paved.ErrorMessage(err)), nil
		}
		c := strings.ToLower(d.Metadata["classification"])
		if (c == "confidential" || c == "pii") && (d.Metadata["backups"] == "" || strings.EqualFold(d.Metadata["backups"], "none")) {
			return false, fmt.Sprintf("%s is %s data; its production definition %s says no backups (metadata.backups)", r.UID, c, d.ID), nil
		}
	}
	return true, "", nil
}

// withinBudget checks the production estimate (taken as the latest staging
// estimate) against the team's budget, with the team's other environments.
func (p *Platform) withinBudget(ctx context.Context, app *paved.App, staging *paved.Deployment) (bool, string, error) {
	if app.Team == "" {
		return false, "the app has no owner team, so no budget", nil
	}
	team, err := p.cfg.Store.GetTeam(ctx, app.Team)
	if err != nil {
		return false, "", err
	}
	if staging.Plan.Cost == nil {
		return false, "there is no cost estimate: finance applies a price list (paved prices apply), then staging is deployed again", nil
	}
	if team.Budget == nil || team.Budget.Monthly == 0 {
		return true, "", nil
	}
	rep, err := p.CostReport(ctx, paved.CostFilter{Team: team.Name})
	if err != nil {
		return false, "", err
	}
	// The team's environments as they are, but this app's production ones,
	// which the staging estimate stands for.
	total := staging.Plan.Cost.Monthly
	for _, e := range rep.Environments {
		if e.App == app.Name && e.Type == paved.EnvProduction {
			continue
		}
		total += e.Monthly
	}
	if total > team.Budget.Monthly {
		return false, fmt.Sprintf("with production, team %s would cost %.2f %s a month, beyond its budget of %.2f", team.Name, total, staging.Plan.Cost.Currency, team.Budget.Monthly), nil
	}
	return true, "", nil
}

// digests are what a sign-off holds: the role's policies (ids, versions,
// modules) and the app's resource types in staging.
func (p *Platform) digests(ctx context.Context, role paved.Role, staging *paved.Deployment) (string, string, error) {
	ps, err := p.ListPolicies(ctx)
	if err != nil {
		return "", "", err
	}
	h := sha256.New()
	for _, pol := range ps {
		if pol.Owner == role {
			fmt.Fprintf(h, "%s\x00%d\x00%s\x00", pol.ID, pol.Version, pol.Module)
		}
	}
	policies := hex.EncodeToString(h.Sum(nil))[:16]
	var types []string
	if staging != nil && staging.Plan != nil {
		for _, r := range staging.Plan.Resources {
			if r.Action != paved.PlanOrphan {
				head, _, _ := strings.Cut(string(r.UID), "#")
				types = append(types, head)
			}
		}
	}
	slices.Sort(types)
	types = slices.Compact(types)
	t := sha256.Sum256([]byte(strings.Join(types, ",")))
	return policies, hex.EncodeToString(t[:])[:16], nil
}

func (p *Platform) signOffs(ctx context.Context, app *paved.App, staging *paved.Deployment) ([]paved.SignOff, error) {
	ss, err := p.cfg.Store.ListSignOffs(ctx, app.Name)
	if err != nil {
		return nil, err
	}
	for i := range ss {
		pol, types, err := p.digests(ctx, ss[i].Role, staging)
		if err != nil {
			return nil, err
		}
		switch {
		case pol != ss[i].Policies:
			ss[i].Invalid = fmt.Sprintf("a policy %s owns changed since", ss[i].Role)
		case types != ss[i].Types:
			ss[i].Invalid = fmt.Sprintf("the resource types %s uses changed since", app.Name)
		default:
			ss[i].Valid = true
		}
	}
	return ss, nil
}

// SignOff records the caller's sign-off of an app for production, for
// their role (security, data or finance), over the role's policies and the
// app's resource types as they are now. Audited.
func (p *Platform) SignOff(ctx context.Context, appName string) (s *paved.SignOff, err error) {
	defer func() { p.audit(ctx, "signoff", appName, err) }()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(signOffRoles, u.Role) {
		return nil, paved.Errorf(paved.EFORBIDDEN, "signing an app off needs the security, data or finance role; %s is %s", u.Name, u.Role)
	}
	app, err := p.cfg.Store.GetApp(ctx, appName)
	if err != nil {
		return nil, err
	}
	var staging *paved.Deployment
	envs, err := p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{App: app.Name, Type: paved.EnvStaging})
	if err != nil {
		return nil, err
	}
	for i := range envs {
		last, err := p.lastSuccessful(ctx, &envs[i])
		if err != nil {
			return nil, err
		}
		if last != nil && (staging == nil || last.FinishedAt.After(*staging.FinishedAt)) {
			staging = last
		}
	}
	pol, types, err := p.digests(ctx, u.Role, staging)
	if err != nil {
		return nil, err
	}
	s = &paved.SignOff{App: app.Name, Role: u.Role, By: u.Name, At: p.now(), Policies: pol, Types: types, Valid: true}
	if err := p.cfg.Store.PutSignOff(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// readyForProduction refuses a production environment or deployment in
// MVP mode unless the app's readiness checklist is complete, listing what
// is missing and who must act.
func (p *Platform) readyForProduction(ctx context.Context, app string, envType paved.EnvType) error {
	if envType != paved.EnvProduction {
		return nil
	}
	mvp, err := p.mvpMode(ctx)
	if err != nil {
		return err
	}
	if !mvp {
		return nil
	}
	r, err := p.Readiness(ctx, app)
	if err != nil {
		return err
	}
	if r.Ready {
		return nil
	}
	var missing []string
	for _, it := range r.Items {
		if !it.Done {
			missing = append(missing, it.Title+" ("+it.Why+")")
		}
	}
	return paved.Errorf(paved.EFORBIDDEN, "production is refused in MVP mode until %s is ready for it (paved readiness --app %s); missing: %s. "+
		"An admin takes the whole platform out of MVP mode with paved mvp-mode off", app, app, strings.Join(missing, "; "))
}

// mvpMode is the platform's MVP mode: as an admin last set it at run time,
// else as the server was started.
func (p *Platform) mvpMode(ctx context.Context) (bool, error) {
	on, set, err := p.cfg.Store.MVPMode(ctx)
	if err != nil {
		return false, err
	}
	if set {
		return on, nil
	}
	return p.cfg.MVPMode, nil
}

// MVPMode reports whether the platform is in MVP mode.
func (p *Platform) MVPMode(ctx context.Context) (bool, error) {
	if _, err := requireReader(ctx); err != nil {
		return false, err
	}
	return p.mvpMode(ctx)
}

// SetMVPMode takes the whole platform in or out of MVP mode (admin), for
// every server sharing the store. Audited.
func (p *Platform) SetMVPMode(ctx context.Context, on bool) (err error) {
	defer func() { p.audit(ctx, "mvp.set", fmt.Sprintf("mvp_mode=%v", on), err) }()
	if _, err := requireAdmin(ctx, "changing the MVP mode"); err != nil {
		return err
	}
	return p.cfg.Store.SetMVPMode(ctx, on)
}
