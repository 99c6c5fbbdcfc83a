package api

import (
	"context"
	"net/http"

	"paved.dev/paved"
)

// rotateToken answers POST /api/users/{user}/tokens/{id}/rotate with the
// new token, shown this once.
func (s *Server) rotateToken(w http.ResponseWriter, r *http.Request) error {
	tok, err := s.svc.Users.RotateToken(r.Context(), r.PathValue("user"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tok)
}

// RotateToken replaces one of a user's tokens by a new one and revokes it.
func (c *Client) RotateToken(ctx context.Context, user, id string) (*paved.IssuedToken, error) {
	p, err := path("/api/users/%s/tokens/%s/rotate", user, id)
	if err != nil {
		return nil, err
	}
	var t paved.IssuedToken
	if err := c.do(ctx, http.MethodPost, p, nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}
