// Package platform implements paved's services (teams, users, apps,
// environments, definitions, deployments, resources, targets, audit) over a
// Store, the engine and the targets. The API server, and through it the CLI
// and the portal, call these services; nothing else changes platform data.
//
// Every deployment, whatever its kind (deploy, rollback, promotion, clone),
// goes through one pipeline: plan → gates → queue → provision → render →
// apply → record (pipeline.go, run.go).
package platform

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/scorek8s"
)

// Config wires a Platform.
type Config struct {
	// PatchTemplates are score-k8s patch templates applied, in order, to
	// what every deployment to an environment of a type renders.
	PatchTemplates map[paved.EnvType][]*scorek8s.PatchTemplate
	Store          paved.Store
	Engine         *engine.Engine
	Sealer         paved.Sealer
	// Registry builds registered targets by type.
	Registry *paved.Registry
	// Targets configured on the server, by name; environments name theirs,
	// DefaultTarget otherwise.
	Targets       map[string]paved.Target
	DefaultTarget string
	// TargetTypes names the type of each configured target (gitops when
	// not given).
	TargetTypes map[string]string
	// Gates judge every plan before anything is provisioned.
	Gates []paved.Gate
	// CheckPolicy compiles a policy before it is stored (the policy
	// engine's); BuiltinPolicies are the packs in force besides the stored
	// ones.
	CheckPolicy     func(ctx context.Context, p paved.Policy) error
	BuiltinPolicies []paved.Policy
	// Scorecards evaluates scorecards (the policy engine); without it
	// there are none. BuiltinScorecards are in force besides the stored
	// ones.
	Scorecards        paved.ScorecardEvaluator
	BuiltinScorecards []paved.Scorecard
	// PolicyRules lists a policy's rules (the policy engine's), for the
	// engineering report; none are listed without it.
	PolicyRules func(p paved.Policy) ([]paved.PolicyRule, error)
	// AllowedRegistries are the registries images may come from (the
	// security pack; none: any); DataRegions the regions each data
	// classification may live in (the data pack; none: any).
	AllowedRegistries []string
	DataRegions       map[string][]string
	// MVPMode refuses production environments: the MVP serves non-production
	// environments first.
	MVPMode bool
	// DeveloperEnvTypes are the environment types a developer may create
	// for their team's apps; the others need the admin role. Ephemeral and
	// development by default.
	DeveloperEnvTypes []paved.EnvType
	// NamespaceTemplates name namespaces per environment type, such as
	// {"ephemeral": "preview-{app}-{env}"}; "<app>-<env>" otherwise.
	NamespaceTemplates map[string]string
	DefaultTTL         time.Duration
	MaxTTL             time.Duration
	// Tokens: the default and longest lifetime of a token, and how many
	// active tokens one user may hold.
	DefaultTokenTTL  time.Duration
	MaxTokenTTL      time.Duration
	MaxTokensPerUser int
	// MaxFailedLogins is how many failed authentications one client address
	// may make within FailedLoginWindow before every attempt of its is
	// refused (429) until the window has passed; 0 means the defaults.
	MaxFailedLogins   int
	FailedLoginWindow time.Duration
	// ProbeEvery is how often one target or definition may be probed
	// (probes make paved connect with admin credentials).
	ProbeEvery time.Duration
	// MaxStreamsPerUser bounds the event streams one user follows at once.
	MaxStreamsPerUser int
	// LeaseTTL is how long an environment's deployment lease lasts unless
	// renewed; DefaultLeaseTTL when zero.
	LeaseTTL time.Duration
	// OrphanAfter is how long a server sharing the store may be silent
	// (no heartbeat) before another takes it for dead and fails its
	// deployments; DefaultOrphanAfter when zero (the server refuses less
	// than MinOrphanAfter; tests go lower).
	OrphanAfter time.Duration
	Logger      *slog.Logger
	// Now is the clock; tests set it.
	Now func() time.Time
	// Observer is told what happens, for metrics; none when nil.
	Observer paved.Observer
	// ServerID names this server to the others sharing the store; keep it
	// across restarts. "" makes one up.
	ServerID string
	// Backup writes a backup archive of the store and the local GitOps
	// repository (the composition root's, which knows where they are);
	// nil when the store is backed up with its own tools (PostgreSQL).
	Backup func(ctx context.Context, w io.Writer) error
}

// Defaults of Config.
const (
	DefaultTTL              = 72 * time.Hour
	MaxTTL                  = 14 * 24 * time.Hour
	DefaultTokenTTL         = 90 * 24 * time.Hour
	MaxTokenTTL             = 365 * 24 * time.Hour
	DefaultMaxTokensPerUser = 20
	DefaultProbeEvery       = 10 * time.Second
	// DefaultMaxFailedLogins failed authentications from one address per
	// DefaultFailedLoginWindow.
	DefaultMaxFailedLogins   = 20
	DefaultFailedLoginWindow = time.Minute
	DefaultStreamsPerUser    = 16
)

// Platform is the service implementation.
type Platform struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	queues map[string]*envQueue
	// active holds the deployments this process has queued or runs: the
	// sweep fails any of its own that the store still calls unfinished.
	active map[string]bool
	// built caches the targets made from registrations, each with the
	// fingerprint of the registration it was made from.
	built map[string]builtTarget
	// locks order this server's work per environment ("app/env").
	locks map[string]*sync.Mutex
	// probed is when each target or definition was last probed.
	probed map[string]time.Time
	// logins counts failed authentications by client address.
	logins *loginLimiter
	// renders bounds the template renderings running at once
	// (templates.go).
	renders chan struct{}

	events *hub
	// missed: sweeps whose failing of deployments may have been done
	// though they met an error (missed.go).
	missed missedFailures
	wg     sync.WaitGroup
	// runCtx lives as long as the platform: deployments run in it, not in
	// the context of the request that queued them.
	runCtx context.Context
	cancel context.CancelFunc
	id     string
}

var (
	_ paved.TeamService        = (*Platform)(nil)
	_ paved.UserService        = (*Platform)(nil)
	_ paved.AppService         = (*Platform)(nil)
	_ paved.EnvironmentService = (*Platform)(nil)
	_ paved.DefinitionService  = (*Platform)(nil)
	_ paved.DeploymentService  = (*Platform)(nil)
	_ paved.ResourceService    = (*Platform)(nil)
	_ paved.TargetService      = (*Platform)(nil)
	_ paved.AuditService       = (*Platform)(nil)
)

// New checks the configuration and returns a Platform; call Start before use.
func New(cfg Config) (*Platform, error) {
	switch {
	case cfg.Store == nil:
		return nil, fmt.Errorf("platform: no store")
	case cfg.Engine == nil:
		return nil, fmt.Errorf("platform: no engine")
	case cfg.Sealer == nil:
		return nil, fmt.Errorf("platform: no sealer")
	case cfg.Targets[cfg.DefaultTarget] == nil:
		return nil, fmt.Errorf("platform: default target %q is not configured", cfg.DefaultTarget)
	}
	if cfg.Registry == nil {
		cfg.Registry = paved.NewRegistry()
	}
	cfg.DefaultTTL = cmp.Or(cfg.DefaultTTL, DefaultTTL)
	cfg.MaxTTL = cmp.Or(cfg.MaxTTL, MaxTTL)
	cfg.DefaultTokenTTL = cmp.Or(cfg.DefaultTokenTTL, DefaultTokenTTL)
	cfg.MaxTokenTTL = cmp.Or(cfg.MaxTokenTTL, MaxTokenTTL)
	if cfg.DefaultTokenTTL > cfg.MaxTokenTTL {
		return nil, fmt.Errorf("platform: the default token lifetime %v is longer than the maximum %v", cfg.DefaultTokenTTL, cfg.MaxTokenTTL)
	}
	cfg.MaxTokensPerUser = cmp.Or(cfg.MaxTokensPerUser, DefaultMaxTokensPerUser)
	cfg.ProbeEvery = cmp.Or(cfg.ProbeEvery, DefaultProbeEvery)
	cfg.LeaseTTL = cmp.Or(cfg.LeaseTTL, DefaultLeaseTTL)
	cfg.OrphanAfter = cmp.Or(cfg.OrphanAfter, DefaultOrphanAfter)
	cfg.MaxStreamsPerUser = cmp.Or(cfg.MaxStreamsPerUser, DefaultStreamsPerUser)
	if cfg.DeveloperEnvTypes == nil {
		cfg.DeveloperEnvTypes = []paved.EnvType{paved.EnvEphemeral, paved.EnvDevelopment}
	}
	for _, t := range cfg.DeveloperEnvTypes {
		if !t.Valid() {
			return nil, fmt.Errorf("platform: developer environment type %q is not one of %s", t, paved.EnvTypeList())
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Observer == nil {
		cfg.Observer = paved.NopObserver{}
	}
	if cfg.ServerID == "" {
		cfg.ServerID = NewServerID()
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Platform{
		cfg: cfg, log: cfg.Logger, runCtx: ctx, cancel: cancel, id: cfg.ServerID,
		queues: map[string]*envQueue{}, active: map[string]bool{}, built: map[string]builtTarget{},
		locks: map[string]*sync.Mutex{}, probed: map[string]time.Time{},
		logins:  newLoginLimiter(cmp.Or(cfg.MaxFailedLogins, DefaultMaxFailedLogins), cmp.Or(cfg.FailedLoginWindow, DefaultFailedLoginWindow), cfg.Logger),
		renders: make(chan struct{}, maxRenders()),
	}
	p.events = newHub(p)
	return p, nil
}

// Start recovers from a crash (deployments left queued or running end as
// failed, and targets are brought back to the last successful deployment),
// starts the heartbeat, the checks for dead servers' and this server's
// stuck work, and the reaper of expired environments.
func (p *Platform) Start(ctx context.Context, reapEvery time.Duration) error {
	if err := p.startCoordination(ctx); err != nil {
		return err
	}
	p.coordinate()
	if reapEvery > 0 {
		p.loop(reapEvery, "reaping expired environments", func() error {
			n, err := p.Reap(p.runCtx)
			if n > 0 {
				p.log.Info("reaped expired environments", "count", n)
			}
			return err
		})
	}
	return nil
}

// loop runs f every interval until the platform closes.
func (p *Platform) loop(every time.Duration, what string, f func() error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.runCtx.Done():
				return
			case <-t.C:
				if err := f(); err != nil && p.runCtx.Err() == nil {
					p.log.Error(what, "err", err)
				}
			}
		}
	}()
}

// Close stops the background work and waits for running deployments to end.
func (p *Platform) Close() {
	// The hub closes first: no stream starts a poller (wg.Add) while the
	// wait below runs.
	p.events.close()
	p.cancel()
	p.wg.Wait()
}

func (p *Platform) now() time.Time { return p.cfg.Now().UTC() }

// Wait blocks until every queued deployment has run (for tests and demo).
func (p *Platform) Wait() {
	for {
		p.mu.Lock()
		busy := len(p.active) > 0
		p.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// developerMay reports whether developers may create environments of a type.
func (p *Platform) developerMay(t paved.EnvType) bool {
	return slices.Contains(p.cfg.DeveloperEnvTypes, t)
}

// DeveloperEnvTypes are the environment types developers may create and
// delete on this server.
func (p *Platform) DeveloperEnvTypes() []paved.EnvType { return slices.Clone(p.cfg.DeveloperEnvTypes) }

// MaxTokenTTL is the longest lifetime a token may have on this server.
func (p *Platform) MaxTokenTTL() time.Duration { return p.cfg.MaxTokenTTL }
