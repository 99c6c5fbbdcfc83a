// Package server assembles a paved server from its parts: the store
// (embedded SQLite in a data directory, or PostgreSQL), the secret key, the
// engine with every driver, the targets, the platform services and the HTTP
// API. `paved server`, `paved demo` and the end-to-end tests start it the
// same way.
package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/engine"
	"paved.dev/paved/metrics"
	"paved.dev/paved/modules"
	"paved.dev/paved/platform"
	"paved.dev/paved/policy"
	"paved.dev/paved/portal"
	"paved.dev/paved/scorek8s"
	"paved.dev/paved/seal"
	pgstore "paved.dev/paved/store/postgres"
	"paved.dev/paved/store/sqlite"
	"paved.dev/paved/target/gitops"
)

// Config is everything a server needs; zero values mean the defaults.
type Config struct {
	// Addr to listen on; ":0" picks a free port.
	Addr string
	// DataDir holds the SQLite store, the key file and the GitOps repository.
	DataDir string
	// Database is "" for SQLite in DataDir, or a postgres:// URL.
	Database string
	// SecretKey is the base64 key (PAVED_SECRET_KEY); "" uses DataDir's key file.
	SecretKey string
	// OldSecretKey is the key a rotation under way replaces
	// (PAVED_OLD_SECRET_KEY, with SecretKey only): values it sealed still
	// open. With the key file, secret.key.old plays its part.
	OldSecretKey string
	// AdminToken becomes the first admin's token on first start; "" makes one.
	AdminToken string
	MVPMode    bool
	// NamespaceTemplates: environment type → namespace template.
	NamespaceTemplates map[string]string
	DefaultTTL         time.Duration
	MaxTTL             time.Duration
	ReapEvery          time.Duration
	// RolloutTimeout bounds how long a deployment to a cluster waits for
	// workloads to roll out; 0 means the Kubernetes target's default.
	RolloutTimeout time.Duration
	// RolloutPoll is how often that wait reads the workloads' progress;
	// 0 means the Kubernetes target's default (a second).
	RolloutPoll time.Duration
	// DeveloperEnvTypes are the environment types developers may create;
	// nil means ephemeral and development.
	DeveloperEnvTypes []paved.EnvType
	// AllowedRegistries and DataRegions are the guardrails' settings: the
	// registries images may come from, the regions each data
	// classification may live in (none: any).
	AllowedRegistries []string
	// PatchTemplates are score-k8s patch templates per environment type,
	// applied to what every deployment to an environment of that type
	// renders (platform.Config.PatchTemplates).
	PatchTemplates map[paved.EnvType][]*scorek8s.PatchTemplate
	DataRegions    map[string][]string
	// DefaultTokenTTL and MaxTokenTTL bound tokens' lifetimes; 0 means the
	// platform's defaults (90 days, a year).
	DefaultTokenTTL, MaxTokenTTL time.Duration
	// MaxFailedLogins failed authentications of one client address a
	// minute, beyond which its every attempt gets 429 until the minute
	// has passed; 0 means the platform's default (20).
	MaxFailedLogins int
	// OrphanAfter is how long a server sharing the store may be silent
	// before another fails its deployments, LeaseTTL how long an
	// environment's deployment lease lasts unless renewed; 0 means the
	// platform's defaults (30 s each).
	OrphanAfter, LeaseTTL time.Duration
	// Gates judge every deployment's plan before anything is provisioned.
	Gates []paved.Gate
	// ClusterScopedKinds, InsecureKubeconfigExec, InsecureKubeconfigFiles
	// and NoLegacyAdoption configure registered clusters (see
	// modules.KubernetesOptions).
	ClusterScopedKinds                                                []string
	InsecureKubeconfigExec, InsecureKubeconfigFiles, NoLegacyAdoption bool
	// SealingCert is the PEM certificate of the Sealed Secrets controller
	// of the clusters that sync the GitOps repository; "" makes (once) a
	// key pair in the data dir for the embedded default.
	SealingCert string
	// GitURL pushes to a remote repository instead of DataDir/gitops.
	GitURL, GitBranch, GitUsername, GitPassword string
	Version                                     string
	Logger                                      *slog.Logger
	// Now is the platform's clock (platform.Config.Now); time.Now when
	// nil. paved demo sets it to seed a history in the past.
	Now func() time.Time
	// readTimeout and writeTimeout replace ReadTimeout and WriteTimeout
	// when set: tests check them with an input just over a short one.
	readTimeout, writeTimeout time.Duration
}

// Server is a running paved server.
type Server struct {
	URL      string
	Platform *platform.Platform
	// AdminToken is set when this start created the first admin.
	AdminToken string
	store      paved.Store
	http       *http.Server
	api        *api.Server
	portal     *portal.Portal
	listener   net.Listener
	// metrics are served at /metrics.
	metrics *metrics.Metrics
	// served is closed when Serve returned (serveErr says why): any
	// number of readers, Close among them, may wait on it.
	served   chan struct{}
	serveErr error
	// Close runs once; a second call returns the first's result.
	closeOnce sync.Once
	closeErr  error
}

// LoginLink returns a single-use link into the portal for user, valid ten
// minutes, landing on next ("" for the home page). The link is issued by
// admin, who must be an admin (or the user).
func (s *Server) LoginLink(ctx context.Context, admin *paved.User, user, next string) (string, error) {
	path, err := s.portal.LoginLink(paved.WithActor(ctx, admin), user, next)
	if err != nil {
		return "", err
	}
	return s.URL + path, nil
}

// Start opens everything, recovers from a crash, and serves.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The address is taken first: a port in use fails the start before
	// anything is written (the first admin's token is shown only by the
	// start that creates it).
	addr := cmp.Or(cfg.Addr, "127.0.0.1:8080")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "cannot listen on %s: %v; stop what listens there (a paved demo still running?) or give another --addr", addr, err)
	}
	s, err := open(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			ln.Close()
			s.closeParts()
		}
	}()
	p := s.Platform
	if err := p.Start(ctx, cmp.Or(cfg.ReapEvery, time.Minute)); err != nil {
		return nil, err
	}
	tok, created, err := p.Bootstrap(ctx, cfg.AdminToken)
	if err != nil {
		return nil, fmt.Errorf("creating the first admin: %w", err)
	}
	if created {
		s.AdminToken = tok
	}
	services := paved.Services{Teams: p, Users: p, Apps: p, Environments: p, Definitions: p, Deployments: p,
		Resources: p, Audit: p, Targets: p, Events: p, Policies: p, Prices: p, Waivers: p, Readiness: p, Settings: p, Checks: p,
		DORA: p, Catalog: p, Scorecards: p, Backup: p}
	services.Templates, services.Scaffolds = p, p
	services.Program, services.Feedback = p, p
	services.Reports = p
	web, err := portal.New(portal.Config{Services: services, Authenticate: p.Authenticate, IssueLink: p.IssueLoginLink, RedeemLink: p.RedeemLoginLink, EndSession: p.EndSession,
		DeveloperEnvTypes: p.DeveloperEnvTypes(), SessionTTL: min(12*time.Hour, p.MaxTokenTTL()), Logger: log, Version: cfg.Version})
	if err != nil {
		return nil, err
	}
	s.portal = web
	s.api = api.NewServer(api.Config{
		Services: services, Authenticate: p.Authenticate, Logger: log, Version: cfg.Version,
		Mounts: map[string]http.Handler{"/": web.Handler(), "GET /metrics": s.metrics.Handler()},
	})
	s.listener = ln
	s.URL = "http://" + hostPort(ln.Addr().String())
	// Timeouts bound what a slow or stalled client can hold; event streams
	// lift the write timeout for themselves and bound each flush instead.
	s.http = &http.Server{Handler: s.api.Handler(), ReadHeaderTimeout: min(ReadHeaderTimeout, cmp.Or(cfg.readTimeout, ReadTimeout)),
		ReadTimeout: cmp.Or(cfg.readTimeout, ReadTimeout), WriteTimeout: cmp.Or(cfg.writeTimeout, WriteTimeout),
		IdleTimeout: IdleTimeout, MaxHeaderBytes: MaxHeaderBytes}
	// Open event streams end at shutdown instead of holding it up.
	s.http.RegisterOnShutdown(s.api.Close)
	s.http.RegisterOnShutdown(web.Close)
	go func() { s.serveErr = s.http.Serve(ln); close(s.served) }()
	log.Info("paved server listening", "url", s.URL, "data_dir", cfg.DataDir, "store", storeName(cfg), "mvp_mode", cfg.MVPMode)
	ok = true
	return s, nil
}

// RecoverAdmin is the break-glass way back in when no admin can log in
// (every admin token expired, revoked or lost): run on the server's host
// with the server's --data-dir or --database, it opens the existing store
// as it is (nothing is created, migrated or served; no key is needed, as
// tokens are stored hashed) and issues a token for the named admin (see
// platform.RecoverAdmin).
func RecoverAdmin(ctx context.Context, cfg Config, user string, ttl time.Duration) (*paved.IssuedToken, error) {
	if cfg.Database == "" && cfg.DataDir == "" {
		return nil, paved.Errorf(paved.EINVALID, "data dir: give the --data-dir (or --database) the server runs with")
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return platform.RecoverAdmin(ctx, st, cfg.Logger, user, ttl, cfg.MaxTokenTTL)
}

// open opens the store and builds the platform on it, starting nothing.
func open(ctx context.Context, cfg Config, log *slog.Logger) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, paved.Errorf(paved.EINVALID, "data dir: give a directory for paved's data (--data-dir)")
	}
	if cfg.SealingCert == "" && cfg.Database != "" {
		// Each server would make its own key pair in its own data dir:
		// servers sharing a store would seal with different keys, and
		// re-seal each other's Secrets on every deployment.
		return nil, paved.Errorf(paved.EINVALID, "--sealing-cert: required with --database: servers sharing a store must seal the GitOps repository's Secrets with one certificate, that of the clusters' sealed-secrets controller (kubeseal --fetch-cert > cert.pem)")
	}
	if cfg.OrphanAfter != 0 && cfg.OrphanAfter < platform.MinOrphanAfter {
		return nil, paved.Errorf(paved.EINVALID, "--orphan-after: %v is shorter than %v; give the time a server may be silent before another takes it for dead", cfg.OrphanAfter, platform.MinOrphanAfter)
	}
	if cfg.LeaseTTL != 0 && cfg.LeaseTTL < platform.MinLeaseTTL {
		return nil, paved.Errorf(paved.EINVALID, "--lease-ttl: %v is shorter than %v; an environment's lease must outlast its renewals", cfg.LeaseTTL, platform.MinLeaseTTL)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "data dir %s: %w", cfg.DataDir, err)
	}
	keys, err := seal.LoadKeys(cfg.SecretKey, cfg.OldSecretKey, keyFile(cfg))
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "secret key: %w", err)
	}
	sealer, err := seal.NewKeys(keys)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg, false)
	if err != nil {
		return nil, err
	}
	s := &Server{store: st, served: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			s.closeParts()
		}
	}()
	installation, err := st.InstallationID(ctx)
	if err != nil {
		return nil, err
	}
	// The one place where drivers and target types are registered.
	reg := paved.NewRegistry()
	if err := modules.Drivers(reg, log); err != nil {
		return nil, err
	}
	if err := modules.Targets(reg, modules.KubernetesOptions{RolloutTimeout: cfg.RolloutTimeout, RolloutPoll: cfg.RolloutPoll, Installation: installation,
		ClusterScopedKinds: cfg.ClusterScopedKinds, InsecureKubeconfigExec: cfg.InsecureKubeconfigExec,
		InsecureKubeconfigFiles: cfg.InsecureKubeconfigFiles, NoLegacyAdoption: cfg.NoLegacyAdoption, Logger: log}); err != nil {
		return nil, err
	}
	eng, err := engine.New(reg.Drivers())
	if err != nil {
		return nil, err
	}
	gcfg, err := gitopsConfig(cfg, sealer, log)
	if err != nil {
		return nil, err
	}
	git, err := gitops.New(gcfg)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "GitOps target: %w", err)
	}
	id, err := serverID(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	// Policy as code judges every plan and deployment before anything is
	// provisioned: the built-in packs and the stored policies.
	policies := policy.New(0)
	gates := append([]paved.Gate{&policy.Gate{Engine: policies, Stored: st.ListPolicies}}, cfg.Gates...)
	// Prometheus metrics (/metrics): the platform tells them what happens;
	// the queue depth is read from it at each scrape.
	var queueDepth func() int
	s.metrics = metrics.New(func() int { return queueDepth() })
	p, err := platform.New(platform.Config{
		Store: st, Engine: eng, Sealer: sealer, ServerID: id, Registry: reg, Gates: gates,
		CheckPolicy: policies.Check, BuiltinPolicies: policy.Builtin(), Scorecards: policies, BuiltinScorecards: policy.BuiltinScorecards(), PolicyRules: policy.Rules, AllowedRegistries: cfg.AllowedRegistries, DataRegions: cfg.DataRegions,
		Targets: map[string]paved.Target{"gitops": git}, DefaultTarget: "gitops", TargetTypes: map[string]string{"gitops": paved.TargetGitOps},
		PatchTemplates: cfg.PatchTemplates,
		MVPMode:        cfg.MVPMode, NamespaceTemplates: cfg.NamespaceTemplates, DefaultTTL: cfg.DefaultTTL, MaxTTL: cfg.MaxTTL,
		DeveloperEnvTypes: cfg.DeveloperEnvTypes, DefaultTokenTTL: cfg.DefaultTokenTTL, MaxTokenTTL: cfg.MaxTokenTTL, MaxFailedLogins: cfg.MaxFailedLogins, Logger: log,
		Observer: s.metrics, Now: cfg.Now, Backup: backupFunc(cfg, st), OrphanAfter: cfg.OrphanAfter, LeaseTTL: cfg.LeaseTTL,
	})
	if err != nil {
		return nil, err
	}
	s.Platform, queueDepth = p, p.QueueDepth
	ok = true
	return s, nil
}

// Limits of the HTTP server: the whole request (headers and the largest
// body, 8 MiB of Score specs) must arrive within ReadTimeout, a response be
// written within WriteTimeout; idle keep-alive connections close after
// IdleTimeout.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = time.Minute
	WriteTimeout      = 2 * time.Minute
	IdleTimeout       = 2 * time.Minute
	MaxHeaderBytes    = 64 << 10
)

// serverID is this server's name to others sharing its store, kept in the
// data dir so that after a crash it recognises its own interrupted work.
func serverID(dir string) (string, error) {
	p := filepath.Join(dir, "server.id")
	if b, err := os.ReadFile(p); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	id := platform.NewServerID()
	if err := os.WriteFile(p, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", p, err)
	}
	return id, nil
}

func hostPort(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func storeName(cfg Config) string {
	if cfg.Database == "" {
		return "sqlite"
	}
	return "postgres"
}

// openStore opens the configured store, creating and migrating it; or,
// existing, as it is (it must exist at this paved's schema).
func openStore(ctx context.Context, cfg Config, existing bool) (paved.Store, error) {
	switch {
	case cfg.Database == "" && existing:
		db, err := sqlite.OpenExisting(filepath.Join(cfg.DataDir, "paved.db"))
		switch {
		case paved.ErrorCode(err) == paved.EINVALID:
			return nil, paved.Errorf(paved.EINVALID, "data dir %s holds no paved store (paved.db); give the --data-dir (or --database) the server runs with", cfg.DataDir)
		case err != nil:
			return nil, err
		}
		return db, nil
	case cfg.Database == "":
		db, err := sqlite.Open(filepath.Join(cfg.DataDir, "paved.db"))
		if err != nil {
			return nil, paved.Errorf(paved.EUNAVAILABLE, "opening the SQLite store in %s: %w", cfg.DataDir, err)
		}
		return db, nil
	case strings.HasPrefix(cfg.Database, "postgres://"), strings.HasPrefix(cfg.Database, "postgresql://"):
		open, code := pgstore.Open, paved.EUNAVAILABLE
		if existing {
			open, code = pgstore.OpenExisting, ""
		}
		db, err := open(ctx, cfg.Database)
		if err != nil {
			return nil, paved.Errorf(cmp.Or(code, paved.ErrorCode(err)), "opening the PostgreSQL store: %w", err)
		}
		return db, nil
	}
	return nil, paved.Errorf(paved.EINVALID, "database: %q is neither empty (SQLite in the data dir) nor a postgres:// URL", redact(cfg.Database))
}

func redact(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			return u[:j+3] + "***" + u[i:]
		}
	}
	return u
}

// gitopsConfig is the embedded default target: a local repository in the
// data dir, or a remote. Secrets are written to Git as Bitnami SealedSecrets,
// sealed with the controller's certificate (SealingCert) or, when none is
// given, with a key pair made once in the data dir (outside the repository),
// which an admin installs into the cluster's controller
// (docs/targets-gitops.md). No plaintext secret ever reaches Git.
func gitopsConfig(cfg Config, sealer paved.Sealer, log *slog.Logger) (gitops.Config, error) {
	g := gitops.Config{SecretsMode: gitops.SecretsSealed, Logger: log, Branch: cfg.GitBranch,
		SealingHashKey: sealer.Derive("gitops/sealed-mac")}
	if cfg.GitURL != "" {
		g.URL, g.Username, g.Password = cfg.GitURL, cfg.GitUsername, cfg.GitPassword
		g.CloneDir = filepath.Join(cfg.DataDir, "gitops-clone")
	} else {
		g.Path = filepath.Join(cfg.DataDir, "gitops")
	}
	switch {
	case cfg.SealingCert != "":
		b, err := os.ReadFile(cfg.SealingCert)
		if err != nil {
			return g, paved.Errorf(paved.EINVALID, "--sealing-cert: %v; give the sealed-secrets controller's certificate (kubeseal --fetch-cert > cert.pem)", err)
		}
		g.SealingCert = b
	default:
		dir := filepath.Join(cfg.DataDir, "sealing")
		cert, err := gitops.LoadOrCreateSealingKey(dir)
		if err != nil {
			return g, paved.Errorf(paved.EINVALID, "the GitOps repository's sealing key in %s: %s", dir, paved.ErrorMessage(err))
		}
		g.SealingCert = cert
		log.Info("Secrets in the GitOps repository are sealed with the key in the data dir; install it into the cluster's sealed-secrets controller, or give --sealing-cert",
			"key", filepath.Join(dir, gitops.SealingKeyFile))
	}
	return g, nil
}

// Close stops serving, waits for running deployments, and closes the store.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	var errs []error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := s.Err(); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, s.closeParts())
	return errors.Join(errs...)
}

func (s *Server) closeParts() error {
	if s.Platform != nil {
		s.Platform.Close()
	}
	if s.store != nil {
		return s.store.Close()
	}
	return nil
}

// Done is closed when the HTTP server stopped, by itself or by Close.
func (s *Server) Done() <-chan struct{} { return s.served }

// Err waits for the HTTP server to stop and says why, nil after Close.
func (s *Server) Err() error {
	<-s.served
	if errors.Is(s.serveErr, http.ErrServerClosed) {
		return nil
	}
	return s.serveErr
}
