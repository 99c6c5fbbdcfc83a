package platform

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
)

// probeFresh is how recent a probe must be to count as health.
const probeFresh = 30 * 24 * time.Hour

// secondWhy says how to get a second team deploying.
func (f *programFacts) secondWhy() string {
	switch {
	case f.pioneer == "":
		return "mark the pioneering team first (paved team update TEAM --pioneering): a second team is another one"
	case f.cohort != 0:
		return fmt.Sprintf("onboard a team of cohort %d until it deploys: paved team update TEAM --cohort %d, paved program invite %d", f.cohort, f.cohort, f.cohort)
	}
	return "onboard a team of the next cohort until it deploys: paved team update TEAM --cohort N, paved program invite N"
}

// programFacts are what the program's checks, funnels and pitfalls read,
// gathered once per computation: a bounded number of queries per app and
// environment, none per deployment.
type programFacts struct {
	now        time.Time
	started    time.Time
	pioneer    string
	teams      []paved.Team
	apps       []paved.App
	roles      map[paved.Role]int
	targets    []string
	probes     map[string]string // "target/NAME", "definition/ID" → ok, failed...
	repApp     string
	repTypes   []string                       // resource types of the representative app
	typeDefs   map[string]paved.DefinitionRef // type → the definition that provided it
	reaped     bool
	rolledBack bool
	policies   int
	stored     int // stored policies (not the built-in packs)
	judged     bool
	reports    map[string]bool
	feedback   int
	lastFeedbk *time.Time
	secondTeam string
	cohort     int  // the cohort this iteration onboards (0: any but the pioneers')
	repAny     bool // the representative app has a successful deployment
	// usage, for pitfalls: definitions, resource types, environment types
	// and targets some environment's last successful deployment used.
	usedDefs     map[string]bool
	usedTypes    map[string]bool
	usedEnvTypes map[paved.EnvType]bool
	usedTargets  map[string]bool
	definitions  []paved.ResourceDefinition
	signedOff    bool
	pioneerLast  *time.Time
	repDeployed  map[paved.EnvType]bool
}

func (p *Platform) programFacts(ctx context.Context, pr *paved.Program) (*programFacts, error) {
	st := p.cfg.Store
	f := &programFacts{now: p.now(), started: pr.StartedAt, cohort: pr.Cohort, roles: map[paved.Role]int{}, probes: map[string]string{},
		typeDefs: map[string]paved.DefinitionRef{}, repDeployed: map[paved.EnvType]bool{}, reports: map[string]bool{},
		usedDefs: map[string]bool{}, usedTypes: map[string]bool{}, usedEnvTypes: map[paved.EnvType]bool{}, usedTargets: map[string]bool{}}
	var err error
	if f.teams, err = st.ListTeams(ctx); err != nil {
		return nil, err
	}
	for _, t := range f.teams {
		if t.Pioneering && f.pioneer == "" {
			f.pioneer = t.Name
		}
	}
	users, err := st.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		f.roles[u.Role]++
	}
	targets, err := p.ListTargets(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		f.targets = append(f.targets, t.Name)
	}
	// Health is what the latest probe of the last 30 days said.
	recent := f.now.Add(-probeFresh)
	for _, kind := range []string{"target", "definition"} {
		es, err := st.ListAudit(ctx, paved.AuditFilter{Action: kind + ".probe", Since: &recent, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, e := range es { // newest first
			key := kind + "/" + e.Target
			if _, seen := f.probes[key]; !seen {
				status, _, _ := strings.Cut(e.Result, ":")
				f.probes[key] = status
			}
		}
	}
	if f.apps, err = st.ListApps(ctx); err != nil {
		return nil, err
	}
	f.repApp = pr.RepresentativeApp
	if f.repApp == "" {
		for _, a := range f.apps {
			if a.Team == f.pioneer && f.pioneer != "" {
				f.repApp = a.Name
				break
			}
		}
	}
	if err := p.usage(ctx, f); err != nil {
		return nil, err
	}
	started := f.started
	es, err := st.ListAudit(ctx, paved.AuditFilter{Action: "env.expire", Result: "ok", Since: &started, Limit: 1})
	if err != nil {
		return nil, err
	}
	f.reaped = len(es) > 0
	if f.repApp != "" {
		rbs, err := st.ListDeployments(ctx, paved.DeploymentFilter{App: f.repApp, Kind: paved.KindRollback,
			Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, CreatedSince: &started, Limit: 1})
		if err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
			return nil, err
		}
		f.rolledBack = len(rbs) > 0
	}
	pols, err := p.ListPolicies(ctx)
	if err != nil {
		return nil, err
	}
	f.policies = len(pols)
	stored, err := st.ListPolicies(ctx)
	if err != nil {
		return nil, err
	}
	f.stored = len(stored)
	if len(p.cfg.Gates) > 0 {
		ds, err := st.ListDeployments(ctx, paved.DeploymentFilter{Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, CreatedSince: &started, Limit: 1})
		if err != nil {
			return nil, err
		}
		f.judged = len(ds) > 0
	}
	for _, aud := range []string{"leadership", "engineering"} {
		reps, err := st.ListAudit(ctx, paved.AuditFilter{Action: "report.generate", Target: aud, Result: "ok", Since: &started, Limit: 1})
		if err != nil {
			return nil, err
		}
		f.reports[aud] = len(reps) > 0
	}
	latest, err := st.ListFeedback(ctx, nil, 1)
	if err != nil {
		return nil, err
	}
	if len(latest) > 0 {
		f.lastFeedbk = &latest[0].At
		if !latest[0].At.Before(f.started) {
			f.feedback = 1
		}
	}
	return f, nil
}

// usage walks every environment's last successful deployment once: what
// the representative app deployed where, which definitions, types,
// environment types and targets are used, which teams deploy, and when
// the pioneering team last did.
func (p *Platform) usage(ctx context.Context, f *programFacts) error {
	st := p.cfg.Store
	var err error
	if f.definitions, err = st.ListDefinitions(ctx); err != nil {
		return err
	}
	team := map[string]string{}
	for _, a := range f.apps {
		team[a.Name] = a.Team
	}
	cohortOf := map[string]int{}
	for _, t := range f.teams {
		cohortOf[t.Name] = t.Cohort
	}
	envs, err := st.ListEnvironments(ctx, paved.EnvironmentFilter{})
	if err != nil {
		return err
	}
	for i := range envs {
		e := &envs[i]
		last, err := p.lastSuccessful(ctx, e)
		if err != nil {
			return err
		}
		if last == nil {
			continue
		}
		f.usedEnvTypes[e.Type], f.usedTargets[e.Target] = true, true
		t := team[e.App]
		if t == f.pioneer && f.pioneer != "" && last.FinishedAt != nil && (f.pioneerLast == nil || last.FinishedAt.After(*f.pioneerLast)) {
			f.pioneerLast = last.FinishedAt
		}
		// A second team: not the pioneers, in a cohort (this iteration's,
		// once one is being onboarded), deploying in this iteration.
		second := f.pioneer != "" && t != "" && t != f.pioneer && cohortOf[t] >= 1 && (f.cohort == 0 || cohortOf[t] == f.cohort)
		if second && f.secondTeam == "" && last.FinishedAt != nil && !last.FinishedAt.Before(f.started) {
			f.secondTeam = t
		}
		if e.App == f.repApp {
			f.repDeployed[e.Type], f.repAny = true, true
		}
		if last.Plan == nil {
			continue
		}
		for _, r := range last.Plan.Resources {
			if r.Action == paved.PlanOrphan {
				continue
			}
			head, _, _ := strings.Cut(string(r.UID), "#")
			typ, _, _ := strings.Cut(head, ".")
			f.usedDefs[r.Definition.ID], f.usedTypes[typ] = true, true
			if _, seen := f.typeDefs[typ]; e.App == f.repApp && (e.Type == paved.EnvDevelopment || !seen) {
				if !seen {
					f.repTypes = append(f.repTypes, typ)
				}
				f.typeDefs[typ] = r.Definition
			}
		}
	}
	slices.Sort(f.repTypes)
	for _, a := range f.apps {
		ss, err := st.ListSignOffs(ctx, a.Name)
		if err != nil {
			return err
		}
		if len(ss) > 0 {
			f.signedOff = true
			break
		}
	}
	return nil
}
