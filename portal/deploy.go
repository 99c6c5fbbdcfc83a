package portal

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"paved.dev/paved"
)

// The deploy page: Score files pasted or uploaded, planned, then deployed
// once confirmed. The files travel in the form between the two steps.

type deployPage struct {
	Apps    []paved.App
	Envs    []paved.Environment
	App     string
	Env     string
	Name    string // the pasted file's name
	Spec    string // the pasted file
	Specs   map[string]string
	Plan    *paved.Plan
	Problem string
	Field   string // the form field the problem is about
}

func (deployPage) title() string { return "Deploy" }

func (p *Portal) deployForm(rq *request) error {
	q := rq.r.URL.Query()
	page := deployPage{App: q.Get("app"), Env: q.Get("env"), Name: "score.yaml"}
	return p.showDeploy(rq, http.StatusOK, page)
}

func (p *Portal) showDeploy(rq *request, status int, page deployPage) error {
	apps, err := p.svc.Apps.ListApps(rq.ctx)
	if err != nil {
		return err
	}
	for _, a := range apps {
		if mayChange(rq.user, a.Team) {
			page.Apps = append(page.Apps, a)
		}
	}
	if page.App == "" && len(page.Apps) > 0 {
		page.App = page.Apps[0].Name
	}
	if page.App != "" {
		envs, err := p.svc.Environments.ListEnvironments(rq.ctx, page.App)
		if err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
			return err
		}
		page.Envs = envs
	}
	p.render(rq.w, rq.r, rq, status, "deploy", page)
	return nil
}

// specsOf reads the form's Score files: the pasted one and the uploaded
// ones, keyed by file name as the CLI keys them; on the confirm step, the
// ones planned (spec.NAME fields).
func specsOf(r *http.Request) (map[string]string, string, error) {
	specs := map[string]string{}
	for k, v := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "spec."); ok && len(v) > 0 {
			specs[name] = v[0]
		}
	}
	if len(specs) > 0 {
		return specs, "", nil
	}
	if text := strings.TrimSpace(r.PostFormValue("spec")); text != "" {
		name := filepath.Base(strings.TrimSpace(r.PostFormValue("name")))
		if name == "" || name == "." || name == "/" {
			name = "score.yaml"
		}
		specs[name] = text + "\n"
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["files"] {
			name := filepath.Base(fh.Filename)
			if _, dup := specs[name]; dup {
				return nil, "files", paved.Errorf(paved.EINVALID, "files: two Score files are named %s; rename one", name)
			}
			f, err := fh.Open()
			if err != nil {
				return nil, "files", paved.Errorf(paved.EINVALID, "files: %s: %s", name, err)
			}
			data, err := io.ReadAll(io.LimitReader(f, maxUpload))
			f.Close()
			if err != nil {
				return nil, "files", paved.Errorf(paved.EINVALID, "files: %s: %s", name, err)
			}
			if len(data) > 0 {
				specs[name] = string(data)
			}
		}
	}
	if len(specs) == 0 {
		return nil, "spec", paved.Errorf(paved.EINVALID, "spec: paste a Score file, or upload Score files")
	}
	return specs, "", nil
}

// deploy plans what the form holds; with confirm, it deploys it and goes
// to the deployment, whose events are followed live.
func (p *Portal) deploy(rq *request) error {
	f := rq.r.PostForm
	page := deployPage{App: f.Get("app"), Env: f.Get("env"), Name: f.Get("name"), Spec: f.Get("spec")}
	specs, field, err := specsOf(rq.r)
	if err != nil {
		page.Problem, page.Field = paved.ErrorMessage(err), field
		return p.showDeploy(rq, http.StatusBadRequest, page)
	}
	page.Specs = specs
	req := &paved.DeployRequest{App: page.App, Env: page.Env, Specs: specs}
	if f.Get("confirm") == "deploy" {
		d, err := p.svc.Deployments.Deploy(rq.ctx, req)
		if err == nil {
			http.Redirect(rq.w, rq.r, "/deployments/"+url.PathEscape(d.ID), http.StatusSeeOther)
			return nil
		}
		if d != nil && d.ID != "" {
			// Recorded and refused by a gate: the deployment says why.
			http.Redirect(rq.w, rq.r, "/deployments/"+url.PathEscape(d.ID), http.StatusSeeOther)
			return nil
		}
		return p.planProblem(rq, page, err)
	}
	plan, err := p.svc.Deployments.Plan(rq.ctx, req)
	if err != nil {
		return p.planProblem(rq, page, err)
	}
	page.Plan = plan
	return p.showDeploy(rq, http.StatusOK, page)
}

// planProblem shows a refused plan or deployment on the form, at the field
// it is about: the message is the service's, as the CLI prints it.
func (p *Portal) planProblem(rq *request, page deployPage, err error) error {
	switch paved.ErrorCode(err) {
	case paved.EINVALID, paved.ENOTFOUND, paved.EFORBIDDEN, paved.ECONFLICT:
	default:
		return err
	}
	page.Problem = paved.ErrorMessage(err)
	switch {
	case strings.Contains(page.Problem, "environment") || strings.HasPrefix(page.Problem, "env"):
		page.Field = "env"
	case strings.HasPrefix(page.Problem, "app"):
		page.Field = "app"
	default:
		page.Field = "spec"
	}
	page.Plan, page.Specs = nil, nil
	status := map[string]int{paved.EINVALID: http.StatusBadRequest, paved.ENOTFOUND: http.StatusNotFound, paved.EFORBIDDEN: http.StatusForbidden, paved.ECONFLICT: http.StatusConflict}[paved.ErrorCode(err)]
	return p.showDeploy(rq, status, page)
}
