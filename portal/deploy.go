package portal

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/score"
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

// specsOf reads the form's Score files: the pasted one (under the name
// given, or its workload's) and the uploaded ones, keyed by workload name
// as the CLI keys them (score.SpecKey); on the confirm step, the ones
// planned (spec.NAME fields).
func specsOf(r *http.Request) (map[string]string, string, error) {
	specs := map[string]string{}
	for k, v := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "spec."); ok && len(v) > 0 {
			if !validName(name) {
				return nil, "spec", paved.Errorf(paved.EINVALID, "spec: %q is not a file name", name)
			}
			specs[name] = lf(v[0])
		}
	}
	if len(specs) > 0 {
		return specs, "", nil
	}
	if text := strings.TrimSpace(r.PostFormValue("spec")); text != "" {
		name := strings.TrimSpace(r.PostFormValue("name"))
		if name == "" {
			name = score.SpecKey("score.yaml", []byte(text))
		}
		if name = filepath.Base(name); !validName(name) {
			return nil, "name", paved.Errorf(paved.EINVALID, "name: %q is not a file name; give one such as score.yaml", r.PostFormValue("name"))
		}
		specs[name] = lf(text) + "\n"
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["files"] {
			name := filepath.Base(fh.Filename)
			if !validName(name) {
				return nil, "files", paved.Errorf(paved.EINVALID, "files: %q is not a file name", fh.Filename)
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
				key := score.SpecKey(name, data)
				if _, dup := specs[key]; dup {
					return nil, "files", paved.Errorf(paved.EINVALID, "files: %s: two Score files are kept as %s (the same workload name); give each workload its own metadata.name", name, key)
				}
				specs[key] = lf(string(data))
			}
		}
	}
	if len(specs) == 0 {
		return nil, "spec", paved.Errorf(paved.EINVALID, "spec: paste a Score file, or upload Score files")
	}
	return specs, "", nil
}

// validName is a Score file's name as the CLI keys it: a base name.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\\\x00")
}

// lf gives a spec the line ends a file has: browsers send text areas'
// and hidden fields' lines ended with CRLF.
func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

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
	// The message names what it is about first: a spec's file and path,
	// or the app or environment.
	switch first := strings.ToLower(page.Problem); {
	case strings.HasPrefix(first, "env"):
		page.Field = "env"
	case strings.HasPrefix(first, "app"):
		page.Field = "app"
	default:
		page.Field = "spec"
	}
	page.Plan, page.Specs = nil, nil
	status := map[string]int{paved.EINVALID: http.StatusBadRequest, paved.ENOTFOUND: http.StatusNotFound, paved.EFORBIDDEN: http.StatusForbidden, paved.ECONFLICT: http.StatusConflict}[paved.ErrorCode(err)]
	return p.showDeploy(rq, status, page)
}
