package platform

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/report"
)

var _ paved.ReportService = (*Platform)(nil)

// Bounds of what a report reads: denied deployments whose findings are
// read one by one, previews counted, deployments and changes listed.
const (
	reportDenialsRead = 100
	reportScanLimit   = 1000
	reportRecent      = 20
)

// Report gathers the figures a demo report shows for its audience, through
// the platform's own services, and renders them (any user). Audited as
// report.generate with the audience as target: the program's Adoption
// phase counts a report produced for each audience.
func (p *Platform) Report(ctx context.Context, req *paved.ReportRequest) (_ *paved.Report, err error) {
	target := "invalid"
	if req.Audience.Valid() {
		target = string(req.Audience)
	}
	defer func() { p.audit(ctx, "report.generate", target, err) }()
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	d, err := p.ReportData(ctx, req)
	if err != nil {
		return nil, err
	}
	html, err := report.Render(d)
	if err != nil {
		return nil, err
	}
	return &paved.Report{Audience: d.Audience, GeneratedAt: d.GeneratedAt, HTML: html}, nil
}

// ReportData gathers what a report shows, at the platform's clock (any
// user). Nothing is audited: Report is what produces a report.
func (p *Platform) ReportData(ctx context.Context, req *paved.ReportRequest) (*paved.ReportData, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	now := p.now()
	d := &paved.ReportData{Audience: req.Audience, GeneratedAt: now}
	var err error
	if d.MVPMode, err = p.mvpMode(ctx); err != nil {
		return nil, err
	}
	if d.Program, err = p.Program(ctx); err != nil {
		return nil, err
	}
	if err := p.reportDORA(ctx, d, now); err != nil {
		return nil, err
	}
	if err := p.reportScorecards(ctx, d); err != nil {
		return nil, err
	}
	if req.Audience == paved.AudienceLeadership {
		return d, p.leadership(ctx, d, req, now)
	}
	return d, p.engineering(ctx, d)
}

// reportDORA is the organisation's DORA (and, for leadership, each
// team's) over the window and the window before, and the organisation's
// weeks.
func (p *Platform) reportDORA(ctx context.Context, d *paved.ReportData, now time.Time) error {
	scopes := []paved.DORAQuery{{}}
	if d.Audience == paved.AudienceLeadership {
		teams, err := p.ListTeams(ctx)
		if err != nil {
			return err
		}
		for _, t := range teams {
			scopes = append(scopes, paved.DORAQuery{Team: t.Name})
		}
	}
	for _, q := range scopes {
		cur, err := p.doraOver(ctx, q, now, paved.ReportWindow)
		if err != nil {
			return err
		}
		// The window before, measured on the same environment type, so
		// that the trend compares like with like.
		pq := q
		pq.EnvType = cur.EnvType
		prev, err := p.doraOver(ctx, pq, now.Add(-paved.ReportWindow), paved.ReportWindow)
		if err != nil {
			return err
		}
		d.DORA = append(d.DORA, paved.DORATrend{Name: cmp.Or(q.Team, "organisation"), Current: *cur, Previous: *prev})
	}
	envType := d.DORA[0].Current.EnvType
	for i := paved.ReportWeeks - 1; i >= 0; i-- {
		to := now.Add(-time.Duration(i) * 7 * 24 * time.Hour)
		q := paved.DORAQuery{EnvType: envType, From: to.Add(-7 * 24 * time.Hour), To: to}
		f, err := p.cfg.Store.DORA(ctx, q)
		if err != nil {
			return err
		}
		d.Weeks = append(d.Weeks, paved.WeekFigures{From: q.From, To: q.To, Figures: *f})
	}
	return nil
}

func (p *Platform) leadership(ctx context.Context, d *paved.ReportData, req *paved.ReportRequest, now time.Time) error {
	from := now.Add(-paved.ReportWindow)
	prices, err := p.GetPrices(ctx)
	switch {
	case paved.ErrorCode(err) == paved.ENOTFOUND:
		d.CostNote = "finance has applied no price list, so there is no cost estimate: paved prices apply -f prices.yaml (docs/cost.md)"
	case err != nil:
		return err
	default:
		if d.Cost, err = p.CostReport(ctx, paved.CostFilter{}); err != nil {
			return err
		}
	}
	if d.TimeSaved, err = p.timeSaved(ctx, req, from, now); err != nil {
		return err
	}
	if d.TimeSaved.HourlyRate > 0 && prices != nil {
		d.TimeSaved.Currency = prices.Currency
	}
	if d.Risks, err = p.risks(ctx, d, from, now); err != nil {
		return err
	}
	pr := d.Program
	for i := range pr.Funnels {
		if pr.Program.NextCohort != 0 && pr.Funnels[i].Cohort == pr.Program.NextCohort {
			d.NextCohort = &pr.Funnels[i]
		}
	}
	return nil
}

// timeSaved estimates the time saved in [from, now): the scaffolds' own
// recorded figures, successful deployments and previews opened at the
// request's assumptions.
func (p *Platform) timeSaved(ctx context.Context, req *paved.ReportRequest, from, now time.Time) (paved.TimeSaved, error) {
	var ts paved.TimeSaved
	sc, err := p.ListScaffolds(ctx, paved.ScaffoldFilter{})
	if err != nil {
		return ts, err
	}
	setting, err := p.ScaffoldTimeSaved(ctx)
	if err != nil {
		return ts, err
	}
	scaffolds := paved.TimeSavedItem{What: "services scaffolded from a golden path",
		Assumption: fmt.Sprintf("each scaffold saves the time recorded with it: the platform's setting when it was made (%s now)", time.Duration(setting)),
		Change:     "paved scaffolds time-saved set DURATION (for scaffolds made from then on)"}
	for _, s := range sc.Items {
		if !s.CreatedAt.Before(from) && s.CreatedAt.Before(now) {
			scaffolds.Count++
			scaffolds.Total += s.TimeSaved
		}
	}
	deployEach := paved.Duration(paved.DefaultDeploymentTimeSaved)
	if req.DeploymentTimeSaved != nil {
		deployEach = *req.DeploymentTimeSaved
	}
	succeeded := 0
	for _, t := range paved.EnvTypes() {
		f, err := p.cfg.Store.DORA(ctx, paved.DORAQuery{EnvType: t, From: from, To: now})
		if err != nil {
			return ts, err
		}
		succeeded += f.Succeeded
	}
	deploys := paved.TimeSavedItem{What: "successful deployments (every environment type)", Count: succeeded, Each: deployEach,
		Total:      paved.Duration(succeeded) * deployEach,
		Assumption: fmt.Sprintf("each saves %s of writing manifests, provisioning by ticket and applying by hand", time.Duration(deployEach)),
		Change:     "paved report --deployment-time-saved DURATION"}
	previewEach := paved.Duration(paved.DefaultPreviewTimeSaved)
	if req.PreviewTimeSaved != nil {
		previewEach = *req.PreviewTimeSaved
	}
	clones, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{Kind: paved.KindClone, CreatedSince: &from, CreatedBefore: &now, Limit: reportScanLimit})
	if err != nil {
		return ts, err
	}
	envs := map[string]bool{}
	for _, c := range clones {
		if c.EnvType == paved.EnvEphemeral {
			envs[c.EnvID] = true
		}
	}
	previews := paved.TimeSavedItem{What: "preview environments opened", Count: len(envs), Each: previewEach,
		Total:      paved.Duration(len(envs)) * previewEach,
		Assumption: fmt.Sprintf("each saves %s of setting an environment up and tearing it down by hand", time.Duration(previewEach)),
		Change:     "paved report --preview-time-saved DURATION"}
	ts.Items = []paved.TimeSavedItem{scaffolds, deploys, previews}
	for _, it := range ts.Items {
		ts.Total += it.Total
	}
	if req.HourlyRate > 0 {
		ts.HourlyRate = req.HourlyRate
		ts.Money = time.Duration(ts.Total).Hours() * req.HourlyRate
	}
	return ts, nil
}

// risks gathers denials (by rule), failed deployments, waivers asked for
// or in force, the program's open checks and pitfalls.
func (p *Platform) risks(ctx context.Context, d *paved.ReportData, from, now time.Time) (paved.Risks, error) {
	r := paved.Risks{Denials: []paved.DenialCount{}, Waivers: []paved.Waiver{}, OpenChecks: []paved.OpenCheck{}, Pitfalls: d.Program.Pitfalls}
	failed, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{Statuses: []paved.DeploymentStatus{paved.DeploymentFailed},
		CreatedSince: &from, CreatedBefore: &now, Limit: reportScanLimit})
	if err != nil {
		return r, err
	}
	byRule := map[string]*paved.DenialCount{}
	for _, f := range failed {
		if f.StartedAt != nil {
			r.Failed++
			continue
		}
		if !strings.HasPrefix(f.Error, deniedPrefix) {
			continue
		}
		r.Denied++
		if r.Denied > reportDenialsRead {
			continue
		}
		full, err := p.cfg.Store.GetDeployment(ctx, f.ID)
		if err != nil {
			return r, err
		}
		if full.Plan == nil {
			continue
		}
		for _, fd := range full.Plan.Findings {
			if fd.Level != paved.FindingDeny {
				continue
			}
			rule := cmp.Or(fd.Rule, fd.Gate)
			if byRule[rule] == nil {
				byRule[rule] = &paved.DenialCount{Rule: rule, Owner: fd.Owner}
			}
			byRule[rule].Count++
		}
	}
	for _, c := range byRule {
		r.Denials = append(r.Denials, *c)
	}
	slices.SortFunc(r.Denials, func(a, b paved.DenialCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Rule, b.Rule))
	})
	ws, err := p.ListWaivers(ctx, paved.WaiverFilter{})
	if err != nil {
		return r, err
	}
	for _, w := range ws {
		if w.Status == paved.WaiverRequested || w.Active(now) {
			r.Waivers = append(r.Waivers, w)
		}
	}
	slices.SortFunc(r.Waivers, func(a, b paved.Waiver) int {
		return cmp.Or(strings.Compare(a.App, b.App), strings.Compare(a.Env, b.Env), strings.Compare(a.Rule, b.Rule), strings.Compare(a.ID, b.ID))
	})
	for _, ph := range d.Program.Phases {
		for _, c := range ph.Checks {
			if !c.Done {
				r.OpenChecks = append(r.OpenChecks, paved.OpenCheck{Phase: ph.Phase, PhaseCheck: c})
			}
		}
	}
	r.Unrecovered = d.DORA[0].Current.Figures.Unrecovered
	return r, nil
}

// deniedPrefix starts the error of a deployment the gates denied.
const deniedPrefix = "denied before anything was provisioned"

// changeActions are the audit actions of the platform team's changes an
// engineering report lists.
var changeActions = []string{"definitions.apply", "definitions.delete", "policies.apply", "template.apply", "prices.apply", "program.apply"}

func (p *Platform) engineering(ctx context.Context, d *paved.ReportData) error {
	var err error
	if d.Templates, err = p.ListTemplates(ctx); err != nil {
		return err
	}
	set, err := p.definitions(ctx)
	if err != nil {
		return err
	}
	for _, t := range paved.EnvTypes() {
		types := typesFor(set, paved.DeployContext{EnvType: t})
		slices.SortFunc(types, func(a, b paved.TypeInfo) int {
			return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Class, b.Class))
		})
		d.EnvTypes = append(d.EnvTypes, paved.EnvTypeResources{EnvType: t, Types: types})
	}
	pols, err := p.ListPolicies(ctx)
	if err != nil {
		return err
	}
	for _, pol := range pols {
		s := paved.PolicySummary{ID: pol.ID, Owner: pol.Owner, Kind: pol.Kind, Description: pol.Description, Version: pol.Version, Rules: []paved.PolicyRule{}}
		if p.cfg.PolicyRules != nil {
			if s.Rules, err = p.cfg.PolicyRules(pol); err != nil {
				return fmt.Errorf("the rules of policy %s: %w", pol.ID, err)
			}
		}
		d.Policies = append(d.Policies, s)
	}
	if d.Deployments, err = p.ListDeployments(ctx, paved.DeploymentFilter{Limit: reportRecent}); err != nil {
		return err
	}
	if d.Definitions, err = p.ListDefinitions(ctx); err != nil {
		return err
	}
	slices.SortFunc(d.Definitions, func(a, b paved.ResourceDefinition) int { return strings.Compare(a.ID, b.ID) })
	for _, action := range changeActions {
		es, err := p.ListAudit(ctx, paved.AuditFilter{Action: action, Limit: reportRecent})
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Result == "ok" {
				d.Changes = append(d.Changes, e)
			}
		}
	}
	slices.SortFunc(d.Changes, func(a, b paved.AuditEntry) int { return cmp.Or(b.Time.Compare(a.Time), cmp.Compare(b.ID, a.ID)) })
	if len(d.Changes) > reportRecent {
		d.Changes = d.Changes[:reportRecent]
	}
	if d.Apps, err = p.ListApps(ctx); err != nil {
		return err
	}
	return nil
}

// reportScorecards gathers every app's results on the scorecards in
// force (which records those that changed, as any reading of them does).
func (p *Platform) reportScorecards(ctx context.Context, d *paved.ReportData) error {
	apps, err := p.ListApps(ctx)
	if err != nil {
		return err
	}
	slices.SortFunc(apps, func(a, b paved.App) int { return strings.Compare(a.Name, b.Name) })
	for _, a := range apps {
		if ev, _ := p.scorecardEngine(); ev == nil {
			d.ScorecardNote = "this server evaluates no scorecards"
			return nil
		}
		r, err := p.AppScorecards(ctx, a.Name, "")
		if err != nil {
			// One app's (or one scorecard's) failure is a note in the
			// report, not the end of it.
			d.ScorecardNote = strings.TrimPrefix(d.ScorecardNote+"; ", "; ") + a.Name + ": " + paved.ErrorMessage(err)
			continue
		}
		res := slices.Clone(r.Scorecards)
		slices.SortFunc(res, func(x, y paved.ScorecardResult) int { return strings.Compare(x.Scorecard, y.Scorecard) })
		d.Scorecards = append(d.Scorecards, res...)
	}
	if len(d.Scorecards) == 0 && d.ScorecardNote == "" {
		d.ScorecardNote = "no app has a scorecard result yet"
	}
	return nil
}
