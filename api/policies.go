package api

import (
	"context"
	"net/http"
	"net/url"

	"paved.dev/paved"
)

// PoliciesRequest is the body of PUT /api/policies.
type PoliciesRequest struct {
	Items []paved.Policy `json:"items"`
}

// maxPolicyBody bounds a request of policies: several modules of up to
// 256 KiB each.
const maxPolicyBody = 16 << 20

func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Policies.ListPolicies(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ps))
}

func (s *Server) applyPolicies(w http.ResponseWriter, r *http.Request) error {
	var req PoliciesRequest
	if err := decode(w, r, maxPolicyBody, &req); err != nil {
		return err
	}
	ps, err := s.svc.Policies.ApplyPolicies(r.Context(), req.Items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ps))
}

func (s *Server) policyHistory(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Policies.PolicyHistory(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ps))
}

func (c *Client) ListPolicies(ctx context.Context) ([]paved.Policy, error) {
	var l list[paved.Policy]
	return l.Items, c.do(ctx, http.MethodGet, "/api/policies", nil, nil, &l)
}

func (c *Client) ApplyPolicies(ctx context.Context, ps []paved.Policy) ([]paved.Policy, error) {
	var l list[paved.Policy]
	return l.Items, c.do(ctx, http.MethodPut, "/api/policies", nil, PoliciesRequest{Items: ps}, &l)
}

func (c *Client) PolicyHistory(ctx context.Context, id string) ([]paved.Policy, error) {
	p, err := path("/api/policies/%s/history", id)
	if err != nil {
		return nil, err
	}
	var l list[paved.Policy]
	return l.Items, c.do(ctx, http.MethodGet, p, nil, nil, &l)
}

func (s *Server) getPrices(w http.ResponseWriter, r *http.Request) error {
	pl, err := s.svc.Prices.GetPrices(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pl)
}

func (s *Server) applyPrices(w http.ResponseWriter, r *http.Request) error {
	var pl paved.PriceList
	if err := decode(w, r, maxBody, &pl); err != nil {
		return err
	}
	out, err := s.svc.Prices.ApplyPrices(r.Context(), &pl)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (c *Client) GetPrices(ctx context.Context) (*paved.PriceList, error) {
	var pl paved.PriceList
	if err := c.do(ctx, http.MethodGet, "/api/prices", nil, nil, &pl); err != nil {
		return nil, err
	}
	return &pl, nil
}

func (c *Client) ApplyPrices(ctx context.Context, pl *paved.PriceList) (*paved.PriceList, error) {
	var out paved.PriceList
	if err := c.do(ctx, http.MethodPut, "/api/prices", nil, pl, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Server) costReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rep, err := s.svc.Prices.CostReport(r.Context(), paved.CostFilter{Team: q.Get("team"), App: q.Get("app"), Env: q.Get("env")})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

func (c *Client) CostReport(ctx context.Context, f paved.CostFilter) (*paved.CostReport, error) {
	q := url.Values{}
	for k, v := range map[string]string{"team": f.Team, "app": f.App, "env": f.Env} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var rep paved.CostReport
	if err := c.do(ctx, http.MethodGet, "/api/costs", q, nil, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

func (s *Server) listWaivers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ws, err := s.svc.Waivers.ListWaivers(r.Context(), paved.WaiverFilter{App: q.Get("app"), Env: q.Get("env"), Status: paved.WaiverStatus(q.Get("status"))})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ws))
}

func (s *Server) requestWaiver(w http.ResponseWriter, r *http.Request) error {
	var req paved.WaiverRequest
	if err := decode(w, r, maxBody, &req); err != nil {
		return err
	}
	out, err := s.svc.Waivers.RequestWaiver(r.Context(), &req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) approveWaiver(w http.ResponseWriter, r *http.Request) error {
	out, err := s.svc.Waivers.DecideWaiver(r.Context(), r.PathValue("id"), true)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) rejectWaiver(w http.ResponseWriter, r *http.Request) error {
	out, err := s.svc.Waivers.DecideWaiver(r.Context(), r.PathValue("id"), false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (c *Client) RequestWaiver(ctx context.Context, req *paved.WaiverRequest) (*paved.Waiver, error) {
	var out paved.Waiver
	if err := c.do(ctx, http.MethodPost, "/api/waivers", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) DecideWaiver(ctx context.Context, id string, approve bool) (*paved.Waiver, error) {
	verb := "reject"
	if approve {
		verb = "approve"
	}
	p, err := path("/api/waivers/%s/"+verb, id)
	if err != nil {
		return nil, err
	}
	var out paved.Waiver
	if err := c.do(ctx, http.MethodPost, p, nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) ListWaivers(ctx context.Context, f paved.WaiverFilter) ([]paved.Waiver, error) {
	q := url.Values{}
	for k, v := range map[string]string{"app": f.App, "env": f.Env, "status": string(f.Status)} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var l list[paved.Waiver]
	return l.Items, c.do(ctx, http.MethodGet, "/api/waivers", q, nil, &l)
}

func (s *Server) readiness(w http.ResponseWriter, r *http.Request) error {
	rd, err := s.svc.Readiness.Readiness(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rd)
}

func (s *Server) signOff(w http.ResponseWriter, r *http.Request) error {
	so, err := s.svc.Readiness.SignOff(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, so)
}

func (c *Client) Readiness(ctx context.Context, app string) (*paved.Readiness, error) {
	p, err := path("/api/apps/%s/readiness", app)
	if err != nil {
		return nil, err
	}
	var rd paved.Readiness
	if err := c.do(ctx, http.MethodGet, p, nil, nil, &rd); err != nil {
		return nil, err
	}
	return &rd, nil
}

func (c *Client) SignOff(ctx context.Context, app string) (*paved.SignOff, error) {
	p, err := path("/api/apps/%s/signoffs", app)
	if err != nil {
		return nil, err
	}
	var so paved.SignOff
	if err := c.do(ctx, http.MethodPost, p, nil, nil, &so); err != nil {
		return nil, err
	}
	return &so, nil
}

// MVPModeBody is the body of the MVP mode's routes.
type MVPModeBody struct {
	MVPMode bool `json:"mvp_mode"`
}

func (s *Server) getMVPMode(w http.ResponseWriter, r *http.Request) error {
	on, err := s.svc.Settings.MVPMode(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, MVPModeBody{MVPMode: on})
}

func (s *Server) setMVPMode(w http.ResponseWriter, r *http.Request) error {
	var b MVPModeBody
	if err := decode(w, r, maxBody, &b); err != nil {
		return err
	}
	if err := s.svc.Settings.SetMVPMode(r.Context(), b.MVPMode); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

func (c *Client) MVPMode(ctx context.Context) (bool, error) {
	var b MVPModeBody
	err := c.do(ctx, http.MethodGet, "/api/settings/mvp-mode", nil, nil, &b)
	return b.MVPMode, err
}

func (c *Client) SetMVPMode(ctx context.Context, on bool) error {
	return c.do(ctx, http.MethodPut, "/api/settings/mvp-mode", nil, MVPModeBody{MVPMode: on}, nil)
}
