package api

import (
	"context"
	"net/http"

	"paved.dev/paved"
)

// catalog serves GET /api/catalog: the platform as Backstage entities.
func (s *Server) catalog(w http.ResponseWriter, r *http.Request) error {
	es, err := s.svc.Catalog.Catalog(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(es))
}

// Catalog lists the platform's Backstage catalog entities.
func (c *Client) Catalog(ctx context.Context) ([]paved.CatalogEntity, error) {
	var l list[paved.CatalogEntity]
	return l.Items, c.do(ctx, http.MethodGet, "/api/catalog", nil, nil, &l)
}

func (u unavailable) Catalog(context.Context) ([]paved.CatalogEntity, error) { return nil, u.err() }
