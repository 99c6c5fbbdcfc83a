package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"paved.dev/paved"
)

// Services are the platform services the API exposes. A nil service makes
// its routes answer 503 (EUNAVAILABLE) instead of failing at start.
type Services = paved.Services

// Config configures a Server.
type Config struct {
	Services Services
	// Authenticate returns the user a bearer token belongs to. An error with
	// code EUNAUTHORIZED or ENOTFOUND means the token is not valid: the
	// client gets 401 with the error's message as it is, so that message
	// is the whole explanation (the platform's says "the token is not
	// valid: ..."). Other errors (the store is down) are reported as they
	// are. When nil, every token is refused.
	Authenticate func(ctx context.Context, token string) (*paved.User, error)
	Logger       *slog.Logger
	// Version is reported by /api/healthz.
	Version string
	// Mounts are extra handlers by ServeMux pattern outside /api/, such as
	// "/" for the portal or "GET /metrics". They get request logging and
	// panic recovery but no authentication: they do their own.
	Mounts map[string]http.Handler
	// PollInterval is how often an event stream asks for new events; 200ms
	// when zero.
	PollInterval time.Duration
	// RequestTimeout bounds each request's work (event streams excepted);
	// DefaultRequestTimeout when zero.
	RequestTimeout time.Duration
}

// Server serves the paved API.
type Server struct {
	svc Services
	// mounts are cfg.Mounts' patterns, sorted, for Mounts.
	mounts  []string
	auth    func(ctx context.Context, token string) (*paved.User, error)
	log     *slog.Logger
	version string
	poll    time.Duration
	timeout time.Duration
	// keepAlive is how often a quiet event stream gets a comment: the
	// constant keepAlive, shorter in tests.
	keepAlive time.Duration

	mux     *http.ServeMux
	routes  []route
	handler http.Handler
	openapi []byte

	closeOnce sync.Once
	closing   chan struct{}

	// unavailable limits the warnings of errors answered 503 (with their
	// cause), unavailableRequests those of the request log's lines of
	// 503s (the portal's too); the request log writes the others at info.
	unavailable, unavailableRequests *limitedLog
	// unavailableStore limits apart the warnings of paved's own store
	// being out of reach, so that an outage of it does not hide another
	// cause of 503 (a target out of reach, the request deadline).
	unavailableStore *limitedLog
}

// route is one API route as registered on the mux.
type route struct {
	method, path string
	public       bool
}

// handlerFunc is an API handler: it writes a response or returns an error,
// which writeError renders.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Body size limits: Score specs make deployments larger than anything else;
// a target carries a kubeconfig of up to 1 MiB (the CLI's limit), which JSON
// escaping makes larger.
const (
	maxBody       = 1 << 20
	maxTargetBody = 2 << 20
	maxDeployBody = 8 << 20
)

// NewServer returns a Server for cfg.
func NewServer(cfg Config) *Server {
	s := &Server{
		svc:       withDefaults(cfg.Services),
		auth:      cfg.Authenticate,
		log:       cfg.Logger,
		version:   cfg.Version,
		poll:      cfg.PollInterval,
		timeout:   cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout),
		keepAlive: keepAlive,
		mux:       http.NewServeMux(),
		closing:   make(chan struct{}),

		unavailable:         &limitedLog{period: unavailableEvery, now: time.Now},
		unavailableRequests: &limitedLog{period: unavailableEvery, now: time.Now},
		unavailableStore:    &limitedLog{period: unavailableEvery, now: time.Now},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.auth == nil {
		s.auth = func(context.Context, string) (*paved.User, error) {
			return nil, paved.Errorf(paved.EUNAUTHORIZED, "the token is not valid: this server accepts no tokens")
		}
	}
	if s.poll <= 0 {
		s.poll = 200 * time.Millisecond
	}
	if s.version == "" {
		s.version = "dev"
	}
	doc, err := json.Marshal(openAPI(s.version))
	if err != nil {
		panic(fmt.Sprintf("api: the OpenAPI document does not marshal: %v", err))
	}
	s.openapi = doc
	s.registerRoutes()
	// Paths under /api/ that match no route get a JSON answer, not the portal.
	s.mux.Handle("/api/", s.handle(s.noRoute))
	for pattern, h := range cfg.Mounts {
		s.mux.Handle(pattern, h)
		s.mounts = append(s.mounts, pattern)
	}
	slices.Sort(s.mounts)
	s.handler = s.logRequests(s.recoverPanics(s.mux))
	return s
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close ends open event streams, so that http.Server.Shutdown need not wait
// for them (register it with http.Server.RegisterOnShutdown). Clients resume
// on another replica with Last-Event-ID.
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.closing) }) }

func (s *Server) registerRoutes() {
	s.route("GET /api/healthz", true, s.health)
	s.route("GET /api/openapi.json", true, s.openAPIDoc)
	s.route("GET /api/whoami", false, s.whoAmI)

	s.route("GET /api/teams", false, s.listTeams)
	s.route("POST /api/teams", false, s.createTeam)
	s.route("GET /api/teams/{team}", false, s.getTeam)
	s.route("PATCH /api/teams/{team}", false, s.updateTeam)
	s.route("DELETE /api/teams/{team}", false, s.deleteTeam)
	s.route("GET /api/users", false, s.listUsers)
	s.route("POST /api/users", false, s.createUser)
	s.route("PATCH /api/users/{user}", false, s.updateUser)
	s.route("DELETE /api/users/{user}", false, s.deleteUser)
	s.route("GET /api/users/{user}/tokens", false, s.listTokens)
	s.route("POST /api/users/{user}/tokens", false, s.createToken)
	s.route("DELETE /api/users/{user}/tokens", false, s.revokeTokens)
	s.route("DELETE /api/users/{user}/tokens/{id}", false, s.revokeTokens)
	s.route("POST /api/users/{user}/tokens/{id}/rotate", false, s.rotateToken)

	s.route("GET /api/apps", false, s.listApps)
	s.route("POST /api/apps", false, s.createApp)
	s.route("GET /api/apps/{app}", false, s.getApp)
	s.route("PATCH /api/apps/{app}", false, s.updateApp)
	s.route("DELETE /api/apps/{app}", false, s.deleteApp)
	s.route("GET /api/apps/{app}/envs", false, s.listEnvironments)
	s.route("POST /api/apps/{app}/envs", false, s.createEnvironment)
	s.route("GET /api/apps/{app}/envs/{env}", false, s.getEnvironment)
	s.route("DELETE /api/apps/{app}/envs/{env}", false, s.deleteEnvironment)
	s.route("POST /api/apps/{app}/envs/{env}/extend", false, s.extendEnvironment)
	s.route("GET /api/apps/{app}/envs/{env}/types", false, s.resourceTypes)
	s.route("POST /api/apps/{app}/envs/{env}/promote", false, s.promote)

	s.route("GET /api/definitions", false, s.listDefinitions)
	s.route("PUT /api/definitions", false, s.applyDefinitions)
	s.route("GET /api/definitions/{id}/history", false, s.definitionHistory)
	s.route("DELETE /api/definitions/{id}", false, s.deleteDefinition)

	s.route("POST /api/apps/{app}/envs/{env}/plan", false, s.plan)
	s.route("POST /api/apps/{app}/envs/{env}/deployments", false, s.deploy)
	s.route("GET /api/apps/{app}/deployments", false, s.listDeployments)
	s.route("GET /api/deployments", false, s.listDeployments)
	s.route("GET /api/deployments/{id}", false, s.getDeployment)
	s.route("POST /api/deployments/{id}/rollback", false, s.rollback)
	s.route("POST /api/apps/{app}/envs/{env}/rollback", false, s.rollbackEnvironment)
	s.route("GET /api/deployments/{id}/events", false, s.events)

	s.route("GET /api/apps/{app}/envs/{env}/resources", false, s.listResources)
	s.route("GET /api/apps/{app}/envs/{env}/resources/{uid}/outputs", false, s.outputs)
	s.route("POST /api/apps/{app}/envs/{env}/resources/prune", false, s.pruneResources)

	s.route("GET /api/audit", false, s.listAudit)

	s.route("GET /api/targets", false, s.listTargets)
	s.route("POST /api/targets", false, s.registerTarget)
	s.route("POST /api/targets/{name}/probe", false, s.probeTarget)
	s.route("DELETE /api/targets/{name}", false, s.removeTarget)
	s.route("GET /api/apps/{app}/envs/{env}/status", false, s.environmentStatus)
	s.route("POST /api/definitions/probe", false, s.probeDefinitions)

	s.route("GET /api/policies", false, s.listPolicies)
	s.route("PUT /api/policies", false, s.applyPolicies)
	s.route("GET /api/policies/{id}/history", false, s.policyHistory)

	s.route("GET /api/prices", false, s.getPrices)
	s.route("PUT /api/prices", false, s.applyPrices)
	s.route("GET /api/costs", false, s.costReport)

	s.route("GET /api/settings/mvp-mode", false, s.getMVPMode)
	s.route("PUT /api/settings/mvp-mode", false, s.setMVPMode)
	s.route("GET /api/apps/{app}/readiness", false, s.readiness)
	s.route("POST /api/apps/{app}/signoffs", false, s.signOff)
	s.route("GET /api/checks", false, s.listChecks)
	s.route("PUT /api/checks/{scope}/{id}", false, s.putCheck)
	s.route("DELETE /api/checks/{scope}/{id}", false, s.deleteCheck)
	s.route("POST /api/checks/{scope}/{id}/confirmations", false, s.confirmCheck)
	s.route("GET /api/checks/{scope}/confirmations", false, s.listConfirmations)
	s.route("GET /api/program", false, s.getProgram)
	s.route("PUT /api/program", false, s.applyProgram)
	s.route("POST /api/program/cohorts/{cohort}/invite", false, s.inviteCohort)
	s.route("POST /api/program/announcements", false, s.announce)
	s.route("POST /api/program/iterations", false, s.nextIteration)
	s.route("GET /api/feedback", false, s.listFeedback)
	s.route("POST /api/feedback", false, s.giveFeedback)
	s.route("POST /api/feedback/{id}/triage", false, s.triageFeedback)
	s.route("GET /api/roadmap", false, s.listRoadmap)
	s.route("PUT /api/roadmap/{item}", false, s.putRoadmapItem)
	s.route("POST /api/roadmap/{item}/votes", false, s.vote)

	s.route("GET /api/waivers", false, s.listWaivers)
	s.route("POST /api/waivers", false, s.requestWaiver)
	s.route("POST /api/waivers/{id}/approve", false, s.approveWaiver)
	s.route("POST /api/waivers/{id}/reject", false, s.rejectWaiver)
	s.templateRoutes()

	s.route("GET /api/dora", false, s.dora)
	s.route("GET /api/catalog", false, s.catalog)

	s.route("GET /api/scorecards", false, s.listScorecards)
	s.route("PUT /api/scorecards", false, s.applyScorecards)
	s.route("GET /api/apps/{app}/scorecards", false, s.appScorecards)
	s.route("GET /api/apps/{app}/scorecards/{id}/history", false, s.scorecardHistory)
	s.route("GET /api/reports/{audience}", false, s.report)
	s.route("GET /api/backup", false, s.backup)
}

// route registers an API handler; every route but the public ones requires
// a bearer token.
func (s *Server) route(pattern string, public bool, h handlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	if pattern != "GET /api/deployments/{id}/events" {
		// Event streams last up to their own limit.
		h = s.withDeadline(s.timeout, h)
	}
	var hh http.Handler = s.handle(h)
	if !public {
		hh = s.authenticate(hh)
	}
	s.mux.Handle(pattern, hh)
	s.routes = append(s.routes, route{method: method, path: path, public: public})
}

// handle adapts a handlerFunc: a returned error becomes the response.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// writeError is the one function that writes errors. Anything that is not a
// *paved.Error with a known code is logged and shown as "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := paved.ErrorCode(err), paved.ErrorMessage(err)
	if !knownCode(code) {
		code = paved.EINTERNAL
	}
	switch code {
	case paved.EINTERNAL:
		msg = "internal error"
		if r.Context().Err() != nil {
			// The client went away and took the request's context with it.
			s.log.DebugContext(r.Context(), "request cancelled", "method", r.Method, "path", r.URL.Path, "err", err)
		} else {
			s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	case paved.EUNAVAILABLE:
		// At most one a second: during an outage of the store every
		// request is one.
		lim := s.unavailable
		if errors.Is(err, paved.ErrStoreUnavailable) {
			lim = s.unavailableStore
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "err", err}
		if ok, withheld := lim.allow(); ok {
			if withheld > 0 {
				attrs = append(attrs, "more_since_last", withheld)
			}
			s.log.WarnContext(r.Context(), "unavailable", attrs...)
		} else {
			s.log.DebugContext(r.Context(), "unavailable", attrs...) // held back from the warnings
		}
	case paved.EUNAUTHORIZED:
		w.Header().Set("WWW-Authenticate", `Bearer realm="paved"`)
	}
	status := StatusCode(code)
	var se statusError
	if errors.As(err, &se) {
		status = se.status
	}
	writeJSON(w, status, errorResponse{Error: errorBody{Code: code, Message: msg}})
}

// statusError is an error whose HTTP status is more precise than its code's
// (405, 413); the client still goes by the code.
type statusError struct {
	status int
	err    *paved.Error
}

func (e statusError) Error() string { return e.err.Error() }
func (e statusError) Unwrap() error { return e.err }

// writeJSON writes v with status. It fails only when v does not marshal, in
// which case nothing is written; a client that went away is not an error.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// list is the shape of every list response.
type list[T any] struct {
	Items []T `json:"items"`
}

func items[T any](s []T) list[T] {
	if s == nil {
		s = []T{}
	}
	return list[T]{Items: s}
}

// decode reads a JSON request body into v: at most limit bytes, one object,
// no unknown fields. Its errors name what to fix.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	return decodeBody(w, r, limit, v, false)
}

// decodeOptional is decode for a body that may be empty: an empty body
// leaves v as it is, however it was sent (Content-Length: 0, or chunked
// with no data, whose length is unknown until it is read).
func decodeOptional(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	return decodeBody(w, r, limit, v, true)
}

func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any, optional bool) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if optional && errors.Is(err, io.EOF) {
			return nil // nothing but white space
		}
		return bodyError(err, limit)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return bodyError(err, limit)
		}
		return paved.Errorf(paved.EINVALID, "body: unexpected data after the JSON object")
	}
	return nil
}

func bodyError(err error, limit int64) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return statusError{http.StatusRequestEntityTooLarge, paved.Errorf(paved.EINVALID, "body: larger than the limit of %s", size(limit))}
	case errors.Is(err, io.EOF):
		return paved.Errorf(paved.EINVALID, "body: empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return paved.Errorf(paved.EINVALID, "body: the JSON ends too early")
	case errors.As(err, &syntax):
		return paved.Errorf(paved.EINVALID, "body: not valid JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		if want := jsonKind(typ.Type.Kind().String()); want == "number" && strings.HasPrefix(typ.Value, "number") {
			// A number, but not one the field holds: too large, or a
			// fraction where a whole number goes.
			field := cmp.Or(typ.Field, "the value")
			return paved.Errorf(paved.EINVALID, "body: %s: %s is out of range for the field (%s): send a smaller number, or a whole one", field, strings.TrimPrefix(typ.Value, "number "), typ.Type.Kind())
		}
		if typ.Field == "" {
			return paved.Errorf(paved.EINVALID, "body: want a JSON %s, got %s", jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return paved.Errorf(paved.EINVALID, "body: %s: want %s, got %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	}
	// Unknown fields and errors of the domain's own decoders (a duration)
	// carry their message as they are.
	msg, _ := strings.CutPrefix(err.Error(), "json: ")
	return paved.Errorf(paved.EINVALID, "body: %s", msg)
}

// jsonKind names a Go kind the way a JSON author thinks of it.
func jsonKind(kind string) string {
	switch {
	case kind == "struct" || kind == "map":
		return "object"
	case kind == "slice" || kind == "array":
		return "array"
	case strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "uint") || strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "bool":
		return "boolean"
	}
	return kind
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// noRoute answers paths under /api/ that no route matches: 405 when another
// method would match, 404 otherwise.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/api/" && !slices.Contains(allow, m) {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return statusError{http.StatusMethodNotAllowed, paved.Errorf(paved.EINVALID,
			"%s %s: method not allowed; use %s", r.Method, r.URL.Path, strings.Join(allow, " or "))}
	}
	return paved.Errorf(paved.ENOTFOUND, "no API route %s %s: see /api/openapi.json", r.Method, r.URL.Path)
}

// requestInfo lets handlers deeper in the chain tell the request logger who
// the caller was.
type requestInfo struct{ actor string }

type requestInfoKey struct{}

// loggedPath is a request's path as the log keeps it: a portal login
// link's code is left out.
func loggedPath(p string) string {
	if strings.HasPrefix(p, "/login/") {
		return "/login/(code)"
	}
	return p
}

// logRequests logs one line per request: method, path, status, duration and
// the caller. Never headers (the token) or bodies (specs, secrets,
// kubeconfigs).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		sw := &statusWriter{ResponseWriter: w}
		// Deferred, so that a request aborted by a panic is logged too.
		defer func() {
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			switch {
			case status == http.StatusServiceUnavailable:
				// A warning at most once a second: during an outage of
				// the store every request is one.
				if ok, _ := s.unavailableRequests.allow(); ok {
					level = slog.LevelWarn
				}
			case status >= 500:
				level = slog.LevelWarn
			case r.URL.Path == "/api/healthz":
				level = slog.LevelDebug // probes would drown everything else
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", loggedPath(r.URL.Path)),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
				slog.Int64("bytes", sw.bytes),
			}
			if info.actor != "" {
				attrs = append(attrs, slog.String("actor", info.actor))
			}
			s.log.LogAttrs(r.Context(), level, "request", attrs...)
		}()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
	})
}

// recoverPanics turns a panic into a logged 500 "internal error". When the
// response had already begun, the connection is aborted instead, so that
// the client sees a broken response rather than a short one.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if sw.status != 0 {
				panic(http.ErrAbortHandler)
			}
			writeJSON(sw, http.StatusInternalServerError, errorResponse{Error: errorBody{Code: paved.EINTERNAL, Message: "internal error"}})
		}()
		next.ServeHTTP(sw, r)
	})
}

// authenticate requires "Authorization: Bearer <token>" and puts the user
// it belongs to in the request's context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearerToken(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// Failed logins are limited per client address.
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		u, err := s.auth(paved.WithClient(r.Context(), host), token)
		switch code := paved.ErrorCode(err); {
		case code == paved.EUNAUTHORIZED || code == paved.ENOTFOUND:
			// Authenticate owns the message.
			s.writeError(w, r, paved.Errorf(paved.EUNAUTHORIZED, "%s", paved.ErrorMessage(err)))
			return
		case err != nil:
			s.writeError(w, r, fmt.Errorf("authenticate: %w", err))
			return
		case u == nil:
			s.writeError(w, r, paved.Errorf(paved.EUNAUTHORIZED, "the token is not valid: it belongs to no user"))
			return
		}
		if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
			info.actor = u.Name
		}
		next.ServeHTTP(w, r.WithContext(paved.WithActor(r.Context(), u)))
	})
}

func bearerToken(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", paved.Errorf(paved.EUNAUTHORIZED, "no bearer token: log in with paved login")
	}
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", paved.Errorf(paved.EUNAUTHORIZED, "no bearer token: the Authorization header must be \"Bearer <token>\"; log in with paved login")
	}
	return token, nil
}

// statusWriter remembers the status and size of a response. Unwrap lets
// http.ResponseController reach the connection (Flush for event streams).
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
