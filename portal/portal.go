// Package portal is paved's web face: server-rendered pages over the same
// service interfaces as the API (paved.*Service), a session cookie made
// from a token, and progressive enhancement (htmx, live events over
// Server-Sent Events) for what changes while one looks.
package portal

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"paved.dev/paved"
)

// Services are what the portal calls: the same the API serves.
type Services = paved.Services

// Config configures a Portal.
type Config struct {
	Services Services
	// Authenticate returns the user a token belongs to (the platform's).
	Authenticate func(ctx context.Context, token string) (*paved.User, error)
	Logger       *slog.Logger
	Version      string
	// IssueLink and RedeemLink issue and use single-use login links (the
	// platform's).
	IssueLink  func(ctx context.Context, user string, ttl time.Duration) (*paved.IssuedToken, error)
	RedeemLink func(ctx context.Context, secret string) (*paved.User, error)
	// EndSession revokes the token a session's secret is, at logout (the
	// platform's).
	EndSession func(ctx context.Context, secret string) error
	// DeveloperEnvTypes are the environment types developers may create
	// and delete (as the server's --developer-env-types), for what the
	// pages offer; the services decide anyway.
	DeveloperEnvTypes []paved.EnvType
	// SessionTTL is how long a login lasts; 12 hours when zero.
	SessionTTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Portal serves the pages.
type Portal struct {
	svc       Services
	auth      func(ctx context.Context, token string) (*paved.User, error)
	issueLink func(ctx context.Context, user string, ttl time.Duration) (*paved.IssuedToken, error)
	redeem    func(ctx context.Context, secret string) (*paved.User, error)
	endSess   func(ctx context.Context, secret string) error
	devTypes  []paved.EnvType
	closing   chan struct{}
	closeOnce sync.Once
	log       *slog.Logger
	version   string
	ttl       time.Duration
	now       func() time.Time
	pages     *pages
	mux       *http.ServeMux
	// patterns are the routes as registered, for Routes.
	patterns []string
}

//go:embed assets
var assets embed.FS

//go:embed templates
var templates embed.FS

// Limits of what comes from outside.
const (
	maxForm      = 1 << 20 // forms without files
	maxUpload    = 8 << 20 // the deploy form: Score files, as the API's limit
	sessionTTL   = 12 * time.Hour
	loginLinkTTL = 10 * time.Minute
)

// New returns a Portal for cfg.
func New(cfg Config) (*Portal, error) {
	if cfg.Authenticate == nil || cfg.IssueLink == nil || cfg.RedeemLink == nil || cfg.EndSession == nil {
		return nil, fmt.Errorf("portal: Config needs Authenticate, IssueLink, RedeemLink and EndSession (the platform's)")
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	p := &Portal{
		svc: cfg.Services, auth: cfg.Authenticate, issueLink: cfg.IssueLink, redeem: cfg.RedeemLink, endSess: cfg.EndSession, devTypes: cfg.DeveloperEnvTypes,
		closing: make(chan struct{}), log: cfg.Logger, version: cfg.Version,
		ttl: cfg.SessionTTL, now: cfg.Now, pages: pg, mux: http.NewServeMux(),
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.ttl <= 0 {
		p.ttl = sessionTTL
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.version == "" {
		p.version = "dev"
	}
	if p.redeem == nil {
		p.redeem = func(context.Context, string) (*paved.User, error) {
			return nil, paved.Errorf(paved.EUNAUTHORIZED, "this server takes no login links")
		}
	}
	p.routes()
	return p, nil
}

// Close ends the portal's event streams, so that a server's shutdown need
// not wait for them (register it with http.Server.RegisterOnShutdown).
func (p *Portal) Close() { p.closeOnce.Do(func() { close(p.closing) }) }

// Handler returns the portal's handler, with its security headers.
func (p *Portal) Handler() http.Handler { return securityHeaders(p.mux) }

func (p *Portal) routes() {
	static, _ := fs.Sub(assets, "assets")
	p.handle("GET /assets/", http.StripPrefix("/assets/", cacheAssets(http.FileServerFS(static))))

	// Browsers ask for it on every page: no login redirect for it.
	p.handleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/assets/favicon.svg", http.StatusMovedPermanently)
	})
	p.handleFunc("GET /login", p.loginForm)
	p.handleFunc("POST /login", p.login)
	p.handleFunc("GET /login/{code}", p.loginLinkPage)
	p.handleFunc("POST /login/{code}", p.loginLink)
	p.handle("POST /logout", p.page(p.logout))

	p.handle("GET /{$}", p.page(p.home))
	p.handle("GET /apps", p.page(p.apps))
	p.handle("GET /apps/{app}", p.page(p.app))
	p.handle("GET /apps/{app}/envs/{env}", p.page(p.env))
	p.handle("POST /apps/{app}/envs/{env}/delete", p.page(p.envDelete))
	p.handle("POST /apps/{app}/envs/{env}/promote", p.page(p.envPromote))
	p.handle("POST /apps/{app}/envs/{env}/preview", p.page(p.envPreview))
	p.handle("POST /apps/{app}/envs/{env}/reveal", p.page(p.envReveal))
	p.handle("POST /apps/{app}/envs/{env}/prune", p.page(p.envPrune))
	p.handle("GET /deployments/{id}", p.page(p.deployment))
	p.handle("GET /deployments/{id}/events", p.page(p.deploymentEvents))
	p.handle("POST /deployments/{id}/rollback", p.page(p.rollback))
	p.handle("GET /deploy", p.page(p.deployForm))
	p.handle("POST /deploy", p.page(p.deploy))
	p.handle("GET /types", p.page(p.types))
	p.handle("GET /platform", p.page(p.platform))
	p.handle("GET /platform/definitions", p.page(p.definitions))
	p.handle("GET /platform/definitions/{id}", p.page(p.definitionHistory))
	p.handle("GET /platform/targets", p.page(p.targets))
	p.handle("GET /platform/teams", p.page(p.teams))
	p.handle("GET /platform/users", p.page(p.users))
	p.handle("GET /platform/users/{user}", p.page(p.user))
	p.handle("GET /audit", p.page(p.audit))
	p.handle("GET /platform/policies", p.page(p.policies))
	p.handle("POST /platform/waivers/{id}", p.page(p.decideWaiver))
	p.handle("GET /platform/costs", p.page(p.costs))
	p.handle("GET /apps/{app}/readiness", p.page(p.readiness))
	p.handle("POST /apps/{app}/signoffs", p.page(p.signOff))
	p.handle("POST /apps/{app}/checks/{id}/confirm", p.page(p.confirmCheck))
	p.handle("GET /new", p.page(p.newForm))
	p.handle("POST /new", p.page(p.newService))
	p.handle("POST /new/download", p.page(p.newDownload))
	p.handle("GET /apps/{app}/scorecards", p.page(p.scorecards))
	p.handle("GET /program", p.page(p.program))
	p.handle("POST /program/checks/{phase}/{id}/confirm", p.page(p.confirmProgramCheck))
	p.handle("GET /program/cohorts", p.page(p.cohorts))
	p.handle("GET /dora", p.page(p.dora))
	p.handle("GET /feedback", p.page(p.feedback))
	p.handle("POST /feedback", p.page(p.giveFeedback))
	p.handle("POST /feedback/{id}/triage", p.page(p.triage))
	p.handle("POST /roadmap/{item}/vote", p.page(p.vote))
	p.handle("POST /roadmap/{item}", p.page(p.setItemStatus))
	p.handle("/", p.page(p.notFound, noCSRF))
}

// cacheAssets lets browsers keep the embedded assets for an hour.
func cacheAssets(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// securityHeaders sets what every response of the portal carries: a
// Content-Security-Policy without inline scripts or styles, no framing, no
// sniffing, no referrer leaving the portal.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "+
			"frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}
