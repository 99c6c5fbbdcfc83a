package naming

import "paved.dev/paved"

// Space is what a driver keeps, in the resource's state, of a resource's
// space on a shared server: the space it made (a database, a vhost), the
// login user, and the password it generated.
type Space struct {
	Space, Username, Password string
	layout                    Layout
}

// Layout says how a driver names a space: its name in messages, the state
// key of the space ("database", "vhost"), and the server's length limits.
type Layout struct {
	Driver, SpaceKey  string
	SpaceMax, UserMax int
}

// Load reads a resource's space from its state; names the state lacks (a
// new resource, or lost state) are derived, so they are the same every time.
func (l Layout) Load(req *paved.ResourceRequest) Space {
	s := Space{layout: l}
	s.Space, _ = req.State[l.SpaceKey].(string)
	s.Username, _ = req.State["username"].(string)
	s.Password, _ = req.State["password"].(string)
	def := ""
	if req.Definition != nil {
		def = req.Definition.ID
	}
	if s.Space == "" {
		s.Space = Resource(req.Context, req.UID, def, l.SpaceMax)
	}
	if s.Username == "" {
		s.Username = Resource(req.Context, req.UID, def, l.UserMax)
	}
	return s
}

// Verify refuses names paved would not have made: a state that was tampered
// with must not lead a driver to drop someone else's database.
func (s Space) Verify() error {
	for _, n := range []struct {
		name string
		max  int
	}{{s.Space, s.layout.SpaceMax}, {s.Username, s.layout.UserMax}} {
		if !Owned(n.name, n.max) {
			return paved.Errorf(paved.EINVALID, "%s: the resource state names %q, which paved does not create (names start with %q): refusing to touch it", s.layout.Driver, n.name, Prefix)
		}
	}
	return nil
}

// State is the space as the resource's state keeps it.
func (s Space) State() map[string]any {
	return map[string]any{s.layout.SpaceKey: s.Space, "username": s.Username, "password": s.Password}
}
