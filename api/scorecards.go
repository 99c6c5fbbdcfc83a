package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"paved.dev/paved"
)

// ScorecardsRequest is the body of PUT /api/scorecards.
type ScorecardsRequest struct {
	Items []paved.Scorecard `json:"items"`
}

func (s *Server) listScorecards(w http.ResponseWriter, r *http.Request) error {
	scs, err := s.svc.Scorecards.ListScorecards(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(scs))
}

func (s *Server) applyScorecards(w http.ResponseWriter, r *http.Request) error {
	var req ScorecardsRequest
	if err := decode(w, r, maxPolicyBody, &req); err != nil {
		return err
	}
	scs, err := s.svc.Scorecards.ApplyScorecards(r.Context(), req.Items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(scs))
}

func (s *Server) appScorecards(w http.ResponseWriter, r *http.Request) error {
	out, err := s.svc.Scorecards.AppScorecards(r.Context(), r.PathValue("app"), r.URL.Query().Get("scorecard"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) scorecardHistory(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit > 1000 {
		return paved.Errorf(paved.EINVALID, "limit: at most 1000, got %d", limit)
	}
	hs, err := s.svc.Scorecards.ScorecardHistory(r.Context(), r.PathValue("app"), r.PathValue("id"), int(limit))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(hs))
}

func (c *Client) ListScorecards(ctx context.Context) ([]paved.Scorecard, error) {
	var l list[paved.Scorecard]
	return l.Items, c.do(ctx, http.MethodGet, "/api/scorecards", nil, nil, &l)
}

func (c *Client) ApplyScorecards(ctx context.Context, scs []paved.Scorecard) ([]paved.Scorecard, error) {
	var l list[paved.Scorecard]
	return l.Items, c.do(ctx, http.MethodPut, "/api/scorecards", nil, ScorecardsRequest{Items: scs}, &l)
}

func (c *Client) AppScorecards(ctx context.Context, app, id string) (*paved.AppScorecards, error) {
	p, err := path("/api/apps/%s/scorecards", app)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if id != "" {
		q.Set("scorecard", id)
	}
	var out paved.AppScorecards
	if err := c.do(ctx, http.MethodGet, p, q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) ScorecardHistory(ctx context.Context, app, id string, limit int) ([]paved.ScorecardRecord, error) {
	p, err := path("/api/apps/%s/scorecards/%s/history", app, id)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var l list[paved.ScorecardRecord]
	return l.Items, c.do(ctx, http.MethodGet, p, q, nil, &l)
}

var _ paved.ScorecardService = (*Client)(nil)

func (u unavailable) ListScorecards(context.Context) ([]paved.Scorecard, error) { return nil, u.err() }
func (u unavailable) ApplyScorecards(context.Context, []paved.Scorecard) ([]paved.Scorecard, error) {
	return nil, u.err()
}
func (u unavailable) AppScorecards(context.Context, string, string) (*paved.AppScorecards, error) {
	return nil, u.err()
}
func (u unavailable) ScorecardHistory(context.Context, string, string, int) ([]paved.ScorecardRecord, error) {
	return nil, u.err()
}
