package api

import (
	"context"
	"net/http"
	"net/url"

	"paved.dev/paved"
)

// CheckBody defines a manual check: PUT /api/checks/{scope}/{id}.
type CheckBody struct {
	Title string     `json:"title"`
	How   string     `json:"how,omitempty"`
	Role  paved.Role `json:"role"`
}

// ConfirmBody confirms a check for a subject: an app for a readiness
// check, an iteration ("1", "2"...) for a program check.
type ConfirmBody struct {
	Subject string `json:"subject"`
}

func (s *Server) listChecks(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.Checks.ListChecks(r.Context(), r.URL.Query().Get("scope"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[paved.ManualCheck]{Items: cs})
}

func (s *Server) putCheck(w http.ResponseWriter, r *http.Request) error {
	var b CheckBody
	if err := decode(w, r, maxBody, &b); err != nil {
		return err
	}
	c, err := s.svc.Checks.PutCheck(r.Context(), &paved.ManualCheck{Scope: r.PathValue("scope"), ID: r.PathValue("id"), Title: b.Title, How: b.How, Role: b.Role})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) deleteCheck(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Checks.DeleteCheck(r.Context(), r.PathValue("scope"), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) confirmCheck(w http.ResponseWriter, r *http.Request) error {
	var b ConfirmBody
	if err := decode(w, r, maxBody, &b); err != nil {
		return err
	}
	c, err := s.svc.Checks.ConfirmCheck(r.Context(), r.PathValue("scope"), r.PathValue("id"), b.Subject)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) listConfirmations(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.Checks.ListConfirmations(r.Context(), r.PathValue("scope"), r.URL.Query().Get("subject"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[paved.CheckConfirmation]{Items: cs})
}

func (c *Client) ListChecks(ctx context.Context, scope string) ([]paved.ManualCheck, error) {
	q := url.Values{}
	if scope != "" {
		q.Set("scope", scope)
	}
	var l list[paved.ManualCheck]
	return l.Items, c.do(ctx, http.MethodGet, "/api/checks", q, nil, &l)
}

func (c *Client) PutCheck(ctx context.Context, mc *paved.ManualCheck) (*paved.ManualCheck, error) {
	p, err := path("/api/checks/%s/%s", mc.Scope, mc.ID)
	if err != nil {
		return nil, err
	}
	var out paved.ManualCheck
	if err := c.do(ctx, http.MethodPut, p, nil, CheckBody{Title: mc.Title, How: mc.How, Role: mc.Role}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) DeleteCheck(ctx context.Context, scope, id string) error {
	p, err := path("/api/checks/%s/%s", scope, id)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, p, nil, nil, nil)
}

func (c *Client) ConfirmCheck(ctx context.Context, scope, id, subject string) (*paved.CheckConfirmation, error) {
	p, err := path("/api/checks/%s/%s/confirmations", scope, id)
	if err != nil {
		return nil, err
	}
	var out paved.CheckConfirmation
	if err := c.do(ctx, http.MethodPost, p, nil, ConfirmBody{Subject: subject}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) ListConfirmations(ctx context.Context, scope, subject string) ([]paved.CheckConfirmation, error) {
	p, err := path("/api/checks/%s/confirmations", scope)
	if err != nil {
		return nil, err
	}
	var l list[paved.CheckConfirmation]
	return l.Items, c.do(ctx, http.MethodGet, p, url.Values{"subject": {subject}}, nil, &l)
}

func (u unavailable) ListChecks(context.Context, string) ([]paved.ManualCheck, error) {
	return nil, u.err()
}
func (u unavailable) PutCheck(context.Context, *paved.ManualCheck) (*paved.ManualCheck, error) {
	return nil, u.err()
}
func (u unavailable) DeleteCheck(context.Context, string, string) error { return u.err() }
func (u unavailable) ConfirmCheck(context.Context, string, string, string) (*paved.CheckConfirmation, error) {
	return nil, u.err()
}
func (u unavailable) ListConfirmations(context.Context, string, string) ([]paved.CheckConfirmation, error) {
	return nil, u.err()
}
