package api

import (
	"context"
	"net/http"
	"net/url"

	"paved.dev/paved"
)

// maxTemplateBody bounds a template sent to be applied: its files are at
// most 8 MiB together, which JSON escaping makes larger.
const maxTemplateBody = 20 << 20

// TimeSavedBody is the body of GET and PUT /api/settings/scaffold-time-saved.
type TimeSavedBody struct {
	TimeSaved paved.Duration `json:"time_saved"`
}

func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.svc.Templates.ListTemplates(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ts))
}

func (s *Server) applyTemplate(w http.ResponseWriter, r *http.Request) error {
	var t paved.Template
	if err := decode(w, r, maxTemplateBody, &t); err != nil {
		return err
	}
	out, err := s.svc.Templates.ApplyTemplate(r.Context(), &t)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) templateHistory(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.svc.Templates.TemplateHistory(r.Context(), r.PathValue("template"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ts))
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.svc.Templates.GetTemplate(r.Context(), r.PathValue("template"), r.URL.Query().Get("version"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) renderTemplate(w http.ResponseWriter, r *http.Request) error {
	var req paved.RenderRequest
	if err := decode(w, r, maxBody, &req); err != nil {
		return err
	}
	req.Template = r.PathValue("template")
	out, err := s.svc.Templates.RenderTemplate(r.Context(), &req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) scaffold(w http.ResponseWriter, r *http.Request) error {
	var req paved.RenderRequest
	if err := decode(w, r, maxBody, &req); err != nil {
		return err
	}
	out, err := s.svc.Scaffolds.Scaffold(r.Context(), &req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) listScaffolds(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rep, err := s.svc.Scaffolds.ListScaffolds(r.Context(), paved.ScaffoldFilter{Team: q.Get("team"), Template: q.Get("template")})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

func (s *Server) getScaffoldTimeSaved(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.Scaffolds.ScaffoldTimeSaved(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, TimeSavedBody{TimeSaved: d})
}

func (s *Server) setScaffoldTimeSaved(w http.ResponseWriter, r *http.Request) error {
	var b TimeSavedBody
	if err := decode(w, r, maxBody, &b); err != nil {
		return err
	}
	if err := s.svc.Scaffolds.SetScaffoldTimeSaved(r.Context(), b.TimeSaved); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

func (c *Client) ListTemplates(ctx context.Context) ([]paved.Template, error) {
	var l list[paved.Template]
	return l.Items, c.do(ctx, http.MethodGet, "/api/templates", nil, nil, &l)
}

func (c *Client) ApplyTemplate(ctx context.Context, t *paved.Template) (*paved.Template, error) {
	var out paved.Template
	if err := c.do(ctx, http.MethodPut, "/api/templates", nil, t, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) TemplateHistory(ctx context.Context, name string) ([]paved.Template, error) {
	p, err := path("/api/templates/%s/history", name)
	if err != nil {
		return nil, err
	}
	var l list[paved.Template]
	return l.Items, c.do(ctx, http.MethodGet, p, nil, nil, &l)
}

func (c *Client) GetTemplate(ctx context.Context, name, version string) (*paved.Template, error) {
	p, err := path("/api/templates/%s", name)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if version != "" {
		q.Set("version", version)
	}
	var t paved.Template
	if err := c.do(ctx, http.MethodGet, p, q, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

func (c *Client) RenderTemplate(ctx context.Context, req *paved.RenderRequest) (*paved.Rendering, error) {
	p, err := path("/api/templates/%s/render", req.Template)
	if err != nil {
		return nil, err
	}
	var out paved.Rendering
	if err := c.do(ctx, http.MethodPost, p, nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) Scaffold(ctx context.Context, req *paved.RenderRequest) (*paved.ScaffoldResult, error) {
	var out paved.ScaffoldResult
	if err := c.do(ctx, http.MethodPost, "/api/scaffolds", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) ListScaffolds(ctx context.Context, f paved.ScaffoldFilter) (*paved.ScaffoldReport, error) {
	q := url.Values{}
	if f.Team != "" {
		q.Set("team", f.Team)
	}
	if f.Template != "" {
		q.Set("template", f.Template)
	}
	var rep paved.ScaffoldReport
	if err := c.do(ctx, http.MethodGet, "/api/scaffolds", q, nil, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

func (c *Client) ScaffoldTimeSaved(ctx context.Context) (paved.Duration, error) {
	var b TimeSavedBody
	err := c.do(ctx, http.MethodGet, "/api/settings/scaffold-time-saved", nil, nil, &b)
	return b.TimeSaved, err
}

func (c *Client) SetScaffoldTimeSaved(ctx context.Context, d paved.Duration) error {
	return c.do(ctx, http.MethodPut, "/api/settings/scaffold-time-saved", nil, TimeSavedBody{TimeSaved: d}, nil)
}

func (u unavailable) ApplyTemplate(context.Context, *paved.Template) (*paved.Template, error) {
	return nil, u.err()
}
func (u unavailable) ListTemplates(context.Context) ([]paved.Template, error) { return nil, u.err() }
func (u unavailable) TemplateHistory(context.Context, string) ([]paved.Template, error) {
	return nil, u.err()
}
func (u unavailable) GetTemplate(context.Context, string, string) (*paved.Template, error) {
	return nil, u.err()
}
func (u unavailable) RenderTemplate(context.Context, *paved.RenderRequest) (*paved.Rendering, error) {
	return nil, u.err()
}
func (u unavailable) Scaffold(context.Context, *paved.RenderRequest) (*paved.ScaffoldResult, error) {
	return nil, u.err()
}
func (u unavailable) ListScaffolds(context.Context, paved.ScaffoldFilter) (*paved.ScaffoldReport, error) {
	return nil, u.err()
}
func (u unavailable) ScaffoldTimeSaved(context.Context) (paved.Duration, error)  { return 0, u.err() }
func (u unavailable) SetScaffoldTimeSaved(context.Context, paved.Duration) error { return u.err() }

// templateRoutes are the golden paths' routes.
func (s *Server) templateRoutes() {
	s.route("GET /api/templates", false, s.listTemplates)
	s.route("PUT /api/templates", false, s.applyTemplate)
	s.route("GET /api/templates/{template}", false, s.getTemplate)
	s.route("GET /api/templates/{template}/history", false, s.templateHistory)
	s.route("POST /api/templates/{template}/render", false, s.renderTemplate)
	s.route("GET /api/scaffolds", false, s.listScaffolds)
	s.route("POST /api/scaffolds", false, s.scaffold)
	s.route("GET /api/settings/scaffold-time-saved", false, s.getScaffoldTimeSaved)
	s.route("PUT /api/settings/scaffold-time-saved", false, s.setScaffoldTimeSaved)
}

func templateOperations() []operation {
	type (
		templates = list[paved.Template]
	)
	return []operation{
		{method: "GET", path: "/api/templates", id: "listTemplates", tag: "templates", summary: "Golden-path templates: the latest version of each, stored or built in, without files", status: 200, resp: templates{}},
		{method: "PUT", path: "/api/templates", id: "applyTemplate", tag: "templates", summary: "Store a new version of a template (admin)",
			description: "The same version with the same content changes nothing; with other content, or a version not newer than the latest, it is 409. Audited (`template.apply`).",
			body:        paved.Template{}, status: 200, resp: paved.Template{}},
		{method: "GET", path: "/api/templates/{template}", id: "getTemplate", tag: "templates", summary: "A version of a template with its files",
			query: []param{{"version", "string", "The version (MAJOR.MINOR.PATCH); absent for the latest."}}, status: 200, resp: paved.Template{}},
		{method: "GET", path: "/api/templates/{template}/history", id: "templateHistory", tag: "templates", summary: "Every version of a template, oldest first", status: 200, resp: templates{}},
		{method: "POST", path: "/api/templates/{template}/render", id: "renderTemplate", tag: "templates", summary: "Render a version of a template with parameters; nothing is recorded",
			description: "Parameters are checked against the template's JSON Schema (400 naming the parameter). paved upgrade renders the recorded and the new version this way.",
			body:        paved.RenderRequest{}, status: 200, resp: paved.Rendering{}},
		{method: "GET", path: "/api/scaffolds", id: "listScaffolds", tag: "templates", summary: "Services scaffolded from templates, newest first, with the time they saved",
			query: []param{{"team", "string", "Only this team's."}, {"template", "string", "Only from this template."}}, status: 200, resp: paved.ScaffoldReport{}},
		{method: "POST", path: "/api/scaffolds", id: "scaffold", tag: "templates", summary: "Scaffold a service: render a template, register the app, record the time saved (admin, or a developer of the team)",
			description: "The caller writes the files (paved new makes a Git repository of them). Audited (`scaffold.create`).", body: paved.RenderRequest{}, status: 201, resp: paved.ScaffoldResult{}},
		{method: "GET", path: "/api/settings/scaffold-time-saved", id: "getScaffoldTimeSaved", tag: "meta", summary: "The time each new scaffold is recorded to save", status: 200, resp: TimeSavedBody{}},
		{method: "PUT", path: "/api/settings/scaffold-time-saved", id: "setScaffoldTimeSaved", tag: "meta", summary: "Set the time each new scaffold is recorded to save (admin)",
			description: "Scaffolds recorded before keep theirs. Audited (`settings.scaffold_time_saved`).", body: TimeSavedBody{}, status: 200, resp: TimeSavedBody{}},
	}
}
