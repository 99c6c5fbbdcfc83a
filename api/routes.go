package api

import "slices"

// Route is one API route: its method, its path pattern (as the ServeMux
// has it, "/api/apps/{app}") and whether it needs no token.
type Route struct {
	Method, Path string
	Public       bool
}

// Routes lists the server's API routes in the order they were registered:
// the route table that the authorisation matrix and the OpenAPI test check
// against.
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.routes))
	for i, r := range s.routes {
		out[i] = Route{Method: r.method, Path: r.path, Public: r.public}
	}
	return out
}

// Mounts lists the patterns of the handlers mounted outside the API (the
// portal at "/", "GET /metrics"), sorted: they do their own
// authentication, and the authorisation matrix decides for each.
func (s *Server) Mounts() []string { return slices.Clone(s.mounts) }
