package portal

import "net/http"

// handle registers a route and remembers its pattern for Routes.
func (p *Portal) handle(pattern string, h http.Handler) {
	p.mux.Handle(pattern, h)
	p.patterns = append(p.patterns, pattern)
}

func (p *Portal) handleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	p.handle(pattern, http.HandlerFunc(h))
}

// Routes lists the portal's ServeMux patterns ("GET /apps/{app}",
// "/" for the not-found page) in the order they were registered: the route
// table that the authorisation matrix checks against.
func (p *Portal) Routes() []string { return append([]string(nil), p.patterns...) }
