package platform

import (
	"context"
	"fmt"
	"time"

	"paved.dev/paved"
)

// objectiveWindow is the window an objective is measured over; the trend
// compares it with the window before.
const objectiveWindow = 30 * 24 * time.Hour

// metricValue reads an objective's metric from a DORA report, in the
// objective's unit: per day, hours, or a fraction.
func metricValue(r *paved.DORAReport, metric string) (*float64, error) {
	var m paved.DORAMetric
	switch metric {
	case "deployment_frequency":
		m = r.DeploymentFrequency
	case "change_lead_time":
		m = r.ChangeLeadTime
	case "change_fail_rate":
		m = r.ChangeFailRate
	case "failed_deployment_recovery_time":
		m = r.FailedDeploymentRecoveryTime
	case "deployment_rework_rate":
		m = r.DeploymentReworkRate
	default:
		return nil, paved.Errorf(paved.EINVALID, "objectives: metric %q is not a DORA metric (deployment_frequency, change_lead_time, change_fail_rate, failed_deployment_recovery_time, deployment_rework_rate)", metric)
	}
	if m.Value == nil {
		return nil, nil
	}
	v := *m.Value
	if m.Unit == "seconds" {
		v /= 3600
	}
	return &v, nil
}

// measureObjectives measures each objective over the last 30 days (and
// the 30 before, for the trend) with the DORA figures of its team.
func (p *Platform) measureObjectives(ctx context.Context, pr *paved.Program, f *programFacts) ([]paved.ObjectiveNow, error) {
	out := []paved.ObjectiveNow{}
	for _, o := range pr.Objectives {
		team := o.Team
		if team == "" {
			team = f.pioneer
		}
		now := paved.ObjectiveNow{Objective: o}
		if team == "" {
			now.Measures = "not measured: no team (name one, or mark the pioneering team)"
			out = append(out, now)
			continue
		}
		window := objectiveWindow
		cur, err := p.doraOver(ctx, paved.DORAQuery{Team: team}, f.now, window)
		if err != nil {
			return nil, err
		}
		prev, err := p.doraOver(ctx, paved.DORAQuery{Team: team, EnvType: cur.EnvType}, f.now.Add(-window), window)
		if err != nil {
			return nil, err
		}
		if now.Value, err = metricValue(cur, o.Metric); err != nil {
			return nil, err
		}
		if now.Previous, err = metricValue(prev, o.Metric); err != nil {
			return nil, err
		}
		if now.Value != nil {
			now.Met = *now.Value >= o.Target
			if o.AtMost {
				now.Met = *now.Value <= o.Target
			}
		}
		now.Measures = fmt.Sprintf("team %s, the last 30 days, %s", team, cur.Measured)
		out = append(out, now)
	}
	return out, nil
}

// doraOver is the DORA report of q's app, team or organisation over the
// window ending at to, for the environment type DORA would measure then.
func (p *Platform) doraOver(ctx context.Context, q paved.DORAQuery, to time.Time, window time.Duration) (*paved.DORAReport, error) {
	q.From, q.To = to.Add(-window), to
	mvp, err := p.mvpMode(ctx)
	if err != nil {
		return nil, err
	}
	measured := fmt.Sprintf("%s: the type the window it is compared with measures", q.EnvType)
	if q.EnvType == "" {
		// The type to measure, unless the caller compares with a window
		// that measured one.
		types, err := p.cfg.Store.DeployedEnvTypes(ctx, q)
		if err != nil {
			return nil, err
		}
		q.EnvType, measured = paved.MeasuredEnvType(types, mvp)
	}
	f, err := p.cfg.Store.DORA(ctx, q)
	if err != nil {
		return nil, err
	}
	r := paved.NewDORAReport(*f, window)
	r.Scope = "organisation"
	switch {
	case q.App != "":
		r.Scope = "app"
	case q.Team != "":
		r.Scope = "team"
	}
	r.App, r.Team, r.From, r.To = q.App, q.Team, q.From, q.To
	r.EnvType, r.Measured, r.MVPMode = q.EnvType, measured, mvp
	return &r, nil
}
