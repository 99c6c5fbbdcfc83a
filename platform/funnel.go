package platform

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/score"
)

// weeksDeploying is how many recent weeks a team must have deployed in,
// each, to count as deploying every week (fewer when it started later).
const weeksDeploying = 4

// funnels computes each cohort's funnel: its teams (by their cohort
// number), invited when the cohort was, their first successful deployment
// and whether they deploy every week.
func (p *Platform) funnels(ctx context.Context, pr *paved.Program, f *programFacts) ([]paved.Funnel, error) {
	cohorts := slices.Clone(pr.Cohorts)
	sort.Slice(cohorts, func(i, j int) bool { return cohorts[i].Number < cohorts[j].Number })
	var out []paved.Funnel
	for _, c := range cohorts {
		fn := paved.Funnel{Cohort: c.Number, Name: c.Name, InvitedAt: c.InvitedAt, Teams: []paved.TeamFunnel{}}
		for _, t := range f.teams {
			if t.Cohort != c.Number {
				continue
			}
			tf, err := p.teamFunnel(ctx, t.Name, c.InvitedAt, f)
			if err != nil {
				return nil, err
			}
			// The funnel narrows: only invited teams (the pioneers count as
			// invited) count as deployed or deploying weekly.
			if c.InvitedAt != nil || t.Pioneering {
				fn.Invited++
				if tf.FirstDeployment != nil {
					fn.Deployed++
				}
				if tf.Weekly {
					fn.Weekly++
				}
			}
			fn.Teams = append(fn.Teams, tf)
		}
		out = append(out, fn)
	}
	return out, nil
}

// teamFunnel finds a team's first successful deployment (one oldest-first
// query per app) and whether it deployed in each recent week (one query
// per app and week).
func (p *Platform) teamFunnel(ctx context.Context, team string, invited *time.Time, f *programFacts) (paved.TeamFunnel, error) {
	tf := paved.TeamFunnel{Team: team}
	var apps []string
	for _, a := range f.apps {
		if a.Team == team {
			apps = append(apps, a.Name)
		}
	}
	ok := []paved.DeploymentStatus{paved.DeploymentSucceeded}
	// The team's first deployment; a team that deployed before it was
	// invited took no time to its first deployment.
	for _, a := range apps {
		ds, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: a, Statuses: ok, Oldest: true, Limit: 1})
		if err != nil {
			return tf, err
		}
		if len(ds) > 0 && ds[0].FinishedAt != nil && (tf.FirstDeployment == nil || ds[0].FinishedAt.Before(*tf.FirstDeployment)) {
			at := *ds[0].FinishedAt
			tf.FirstDeployment = &at
		}
	}
	if tf.FirstDeployment == nil {
		return tf, nil
	}
	if invited != nil {
		h := max(0, tf.FirstDeployment.Sub(*invited).Hours())
		tf.TimeToFirst = &h
	}
	weeks := min(weeksDeploying, int(f.now.Sub(*tf.FirstDeployment)/(7*24*time.Hour))+1)
	tf.Weekly = true
	for w := range weeks {
		from, to := f.now.Add(-time.Duration(w+1)*7*24*time.Hour), f.now.Add(-time.Duration(w)*7*24*time.Hour)
		found := false
		for _, a := range apps {
			ds, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: a, Statuses: ok, CreatedSince: &from, CreatedBefore: &to, Limit: 1})
			if err != nil {
				return tf, err
			}
			if found = len(ds) > 0; found {
				break
			}
		}
		if !found {
			tf.Weekly = false
			break
		}
	}
	return tf, nil
}

// requirements are the program's own, and, for each cohort, the resource
// types its teams' Score files ask for that no definition provides in
// development or staging, where the MVP takes them (read from each app's
// latest recorded deployment, whatever its status).
func (p *Platform) requirements(ctx context.Context, pr *paved.Program, f *programFacts) ([]paved.Requirement, error) {
	out := append([]paved.Requirement{}, pr.Requirements...)
	set, err := p.definitions(ctx)
	if err != nil {
		return nil, err
	}
	// The program's cohorts' teams, and the pioneers.
	inProgram := map[int]bool{}
	for _, c := range pr.Cohorts {
		inProgram[c.Number] = true
	}
	cohortOf := map[string]int{}
	for _, t := range f.teams {
		if inProgram[t.Cohort] || t.Pioneering {
			cohortOf[t.Name] = t.Cohort
		}
	}
	seen := map[string]bool{}
	for _, a := range f.apps {
		c, ok := cohortOf[a.Team]
		if !ok {
			continue
		}
		ds, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: a.Name, Limit: 1})
		if err != nil || len(ds) == 0 {
			if err != nil {
				return nil, err
			}
			continue
		}
		d, err := p.cfg.Store.GetDeployment(ctx, ds[0].ID)
		if err != nil {
			return nil, err
		}
		for _, w := range p.specTypes(d) {
			for _, et := range []paved.EnvType{paved.EnvDevelopment, paved.EnvStaging} {
				if _, err := set.Match(definition.Want{Type: w.typ, Class: w.class, Context: paved.DeployContext{App: a.Name, Env: string(et), EnvType: et}}); err == nil {
					continue
				}
				key := fmt.Sprintf("%d/%s.%s/%s", c, w.typ, w.class, et)
				if seen[key] {
					continue
				}
				seen[key] = true
				title := "a definition of resource type " + w.typ
				if w.class != "" && w.class != paved.DefaultClass {
					title += " (class " + w.class + ")"
				}
				out = append(out, paved.Requirement{Cohort: c, Title: fmt.Sprintf("%s for %s, which %s asks for", title, et, a.Name), Computed: true})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Cohort < out[j].Cohort })
	return out, nil
}

type wantType struct{ typ, class string }

// specTypes lists the resource types and classes a deployment's Score
// files ask for; specs that do not load are skipped (their deployment
// said why).
func (p *Platform) specTypes(d *paved.Deployment) []wantType {
	var out []wantType
	names := make([]string, 0, len(d.Specs))
	for n := range d.Specs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := p.cfg.Engine.Loader.Load(n, []byte(d.Specs[n]), "", score.Options{})
		if err != nil {
			continue
		}
		rnames := make([]string, 0, len(w.Spec.Resources))
		for r := range w.Spec.Resources {
			rnames = append(rnames, r)
		}
		slices.Sort(rnames)
		for _, r := range rnames {
			res := w.Spec.Resources[r]
			class := ""
			if res.Class != nil {
				class = *res.Class
			}
			out = append(out, wantType{typ: res.Type, class: class})
		}
	}
	return out
}
