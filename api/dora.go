package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"paved.dev/paved"
)

// dora serves GET /api/dora?app=|team=&window=&weekly=true.
func (s *Server) dora(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	window, err := paved.ParseDORAWindow(q.Get("window"))
	if err != nil {
		return err
	}
	var weekly bool
	if v := q.Get("weekly"); v != "" {
		if weekly, err = strconv.ParseBool(v); err != nil {
			return paved.Errorf(paved.EINVALID, "weekly: %q is not true or false", v)
		}
	}
	rep, err := s.svc.DORA.DORA(r.Context(), paved.DORARequest{App: q.Get("app"), Team: q.Get("team"), Window: window, Weekly: weekly})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

// DORA asks for the DORA metrics of an app, a team or the organisation.
func (c *Client) DORA(ctx context.Context, req paved.DORARequest) (*paved.DORAReport, error) {
	q := url.Values{}
	if req.App != "" {
		q.Set("app", req.App)
	}
	if req.Team != "" {
		q.Set("team", req.Team)
	}
	if req.Window != 0 {
		q.Set("window", paved.FormatDORAWindow(req.Window))
	}
	if req.Weekly {
		q.Set("weekly", "true")
	}
	p := "/api/dora"
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	var rep paved.DORAReport
	if err := c.do(ctx, http.MethodGet, p, nil, nil, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

func (u unavailable) DORA(context.Context, paved.DORARequest) (*paved.DORAReport, error) {
	return nil, u.err()
}
