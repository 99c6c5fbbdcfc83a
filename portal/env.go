package portal

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"paved.dev/paved"
)

type envPage struct {
	App         *paved.App
	Env         *paved.Environment
	Deployments []paved.Deployment
	Resources   []paved.Resource
	Revealed    map[paved.ResourceUID]map[string]any
	Status      *paved.EnvironmentStatus
	StatusErr   string
	Others      []paved.Environment
	Graph       template.HTML
	MayChange   bool
	MayDelete   bool
	// Orphans counts the orphaned resources, which MayChange may prune;
	// Prune is what a prune would do without and (Kept) with include data,
	// listed in its confirmation and bound to it.
	Orphans  int
	Prune    *paved.PruneResult
	PruneErr string
	Notice   string
}

func (e envPage) title() string { return e.App.Name + "/" + e.Env.Name }

func (p *Portal) envPage(rq *request, revealed map[paved.ResourceUID]map[string]any, notice string) error {
	app, name := rq.r.PathValue("app"), rq.r.PathValue("env")
	a, err := p.svc.Apps.GetApp(rq.ctx, app)
	if err != nil {
		return err
	}
	e, err := p.svc.Environments.GetEnvironment(rq.ctx, app, name)
	if err != nil {
		return err
	}
	page := envPage{App: a, Env: e, Revealed: revealed, MayChange: mayChange(rq.user, a.Team), MayDelete: p.mayDeleteEnv(rq.user, a.Team, e.Type), Notice: notice}
	if page.Deployments, err = p.svc.Deployments.ListDeployments(rq.ctx, paved.DeploymentFilter{App: app, Env: name, Limit: 20}); err != nil {
		return err
	}
	if page.Resources, err = p.svc.Resources.ListResources(rq.ctx, app, name); err != nil {
		return err
	}
	for _, r := range page.Resources {
		if r.Status == paved.ResourceOrphaned {
			page.Orphans++
		}
	}
	if page.MayChange && page.Orphans > 0 {
		if pr, err := p.svc.Resources.PruneResources(rq.ctx, app, name, paved.PruneOptions{DryRun: true}); err == nil {
			page.Prune = pr
		} else {
			page.PruneErr = paved.ErrorMessage(err)
		}
	}
	dctx, cancel := context.WithTimeout(rq.ctx, driftTimeout)
	defer cancel()
	if st, err := p.svc.Environments.EnvironmentStatus(dctx, app, name); err == nil {
		page.Status = st
	} else {
		page.StatusErr = paved.ErrorMessage(err)
	}
	envs, err := p.svc.Environments.ListEnvironments(rq.ctx, app)
	if err != nil {
		return err
	}
	for _, o := range envs {
		if o.Name != name {
			page.Others = append(page.Others, o)
		}
	}
	for _, d := range page.Deployments {
		if d.Status == paved.DeploymentSucceeded {
			full, err := p.svc.Deployments.GetDeployment(rq.ctx, d.ID)
			if err != nil {
				return err
			}
			page.Graph = resourceGraph(full, workloadsOf(full.Specs))
			break
		}
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "env", page)
	return nil
}

func (p *Portal) env(rq *request) error {
	return p.envPage(rq, nil, "")
}

// envReveal shows one resource's secret outputs, as the service allows
// (the app's team, audited).
func (p *Portal) envReveal(rq *request) error {
	uid := paved.ResourceUID(rq.r.PostFormValue("uid"))
	out, err := p.svc.Resources.Outputs(rq.ctx, rq.r.PathValue("app"), rq.r.PathValue("env"), uid, true)
	if err != nil {
		return err
	}
	return p.envPage(rq, map[paved.ResourceUID]map[string]any{uid: out}, "")
}

func (p *Portal) envDelete(rq *request) error {
	app, name := rq.r.PathValue("app"), rq.r.PathValue("env")
	if rq.r.PostFormValue("confirm") != name {
		return paved.Errorf(paved.EINVALID, "confirm: type the environment's name (%s) to delete it", name)
	}
	d, err := p.svc.Environments.DeleteEnvironment(rq.ctx, app, name, paved.DeleteOptions{Force: rq.r.PostFormValue("force") == "on"})
	if err != nil {
		return err
	}
	notice := fmt.Sprintf("Environment %s deleted: %d objects removed, %d resources deprovisioned.", name, d.Objects, len(d.Deprovisioned))
	if len(d.Forgotten) > 0 {
		notice += fmt.Sprintf(" Forgotten (may still exist): %v", d.Forgotten)
	}
	setFlash(rq.w, rq.r, notice)
	http.Redirect(rq.w, rq.r, "/apps/"+url.PathEscape(app), http.StatusSeeOther)
	return nil
}

func (p *Portal) envPromote(rq *request) error {
	d, err := p.svc.Deployments.Promote(rq.ctx, rq.r.PathValue("app"), rq.r.PathValue("env"), rq.r.PostFormValue("to"))
	if err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/deployments/"+url.PathEscape(d.ID), http.StatusSeeOther)
	return nil
}

// envPreview opens a preview environment cloned from this one.
func (p *Portal) envPreview(rq *request) error {
	ttl, err := time.ParseDuration(rq.r.PostFormValue("ttl"))
	if err != nil {
		return paved.Errorf(paved.EINVALID, "ttl: %q is not a duration such as 48h", rq.r.PostFormValue("ttl"))
	}
	app := rq.r.PathValue("app")
	e, err := p.svc.Environments.CreateEnvironment(rq.ctx, &paved.EnvironmentRequest{App: app, Name: rq.r.PostFormValue("name"),
		From: rq.r.PathValue("env"), TTL: paved.Duration(ttl)})
	if err != nil {
		return err
	}
	target := "/apps/" + url.PathEscape(app) + "/envs/" + url.PathEscape(e.Name)
	if ds, err := p.svc.Deployments.ListDeployments(rq.ctx, paved.DeploymentFilter{App: app, Env: e.Name, Limit: 1}); err == nil && len(ds) > 0 {
		target = "/deployments/" + url.PathEscape(ds[0].ID)
	}
	http.Redirect(rq.w, rq.r, target, http.StatusSeeOther)
	return nil
}

// envPrune deprovisions the environment's orphaned resources through the
// same service as the API, once the environment's name is typed.
func (p *Portal) envPrune(rq *request) error {
	app, name := rq.r.PathValue("app"), rq.r.PathValue("env")
	if rq.r.PostFormValue("confirm") != name {
		return paved.Errorf(paved.EINVALID, "confirm: type the environment's name (%s) to prune its orphaned resources", name)
	}
	// The prune removes what the confirmation listed, or nothing.
	opt := paved.PruneOptions{IncludeData: rq.r.PostFormValue("include_data") == "on", UIDs: []paved.ResourceUID{}}
	for _, u := range rq.r.PostForm["uid"] {
		opt.UIDs = append(opt.UIDs, paved.ResourceUID(u))
	}
	if opt.IncludeData {
		for _, u := range rq.r.PostForm["data_uid"] {
			opt.UIDs = append(opt.UIDs, paved.ResourceUID(u))
		}
	}
	res, err := p.svc.Resources.PruneResources(rq.ctx, app, name, opt)
	if err != nil {
		return err
	}
	notice := fmt.Sprintf("%d orphaned resource(s) pruned, %d forgotten.", len(res.Pruned), len(res.Forgotten))
	if len(res.Kept) > 0 {
		var kept []string
		for _, k := range res.Kept {
			kept = append(kept, string(k.UID))
		}
		notice += fmt.Sprintf(" Kept, holding data (tick \"include data\" to prune them): %s.", strings.Join(kept, ", "))
	}
	if len(res.InUse) > 0 {
		var used []string
		for _, k := range res.InUse {
			used = append(used, string(k.UID))
		}
		notice += fmt.Sprintf(" Kept, used by the environment's last successful deployment (deploy to settle them): %s.", strings.Join(used, ", "))
	}
	setFlash(rq.w, rq.r, notice)
	http.Redirect(rq.w, rq.r, "/apps/"+url.PathEscape(app)+"/envs/"+url.PathEscape(name), http.StatusSeeOther)
	return nil
}
