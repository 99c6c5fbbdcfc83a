// Package platform implements paved's services (teams, apps, environments,
// definitions, deployments, resources, audit) over a Store, the engine and
// the targets. The API server, and through it the CLI and the portal, call
// these services; nothing else changes platform data.
package platform

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/seal"
)

// Config wires a Platform.
type Config struct {
	Store  paved.Store
	Engine *engine.Engine
	Sealer *seal.Sealer
	// Targets by name; environments name theirs, DefaultTarget otherwise.
	Targets       map[string]paved.Target
	DefaultTarget string
	// MVPMode refuses production environments: the MVP serves non-production
	// environments until its production-readiness items pass.
	MVPMode bool
	// NamespaceTemplates name namespaces per environment type, such as
	// {"ephemeral": "preview-{app}-{env}"}; "<app>-<env>" otherwise.
	NamespaceTemplates map[string]string
	DefaultTTL         time.Duration
	MaxTTL             time.Duration
	Logger             *slog.Logger
	// Now is the clock; tests set it.
	Now func() time.Time
	// TargetFactory builds registered targets (clusters); nil refuses
	// registrations.
	TargetFactory TargetFactory
	// ServerID names this server to the others sharing the store; keep it
	// across restarts. "" makes one up.
	ServerID string
}

// Defaults of Config.
const (
	DefaultTTL = 72 * time.Hour
	MaxTTL     = 14 * 24 * time.Hour
)

// Platform is the service implementation.
type Platform struct {
	cfg    Config
	log    *slog.Logger
	mu     sync.Mutex
	queues map[string]*envQueue
	wg     sync.WaitGroup
	// runCtx lives as long as the platform: deployments run in it, not in
	// the context of the request that queued them.
	runCtx context.Context
	cancel context.CancelFunc
	id     string
	// built caches the targets made from registrations.
	built map[string]paved.Target
	// locks order this server's work per environment ("app/env").
	locks map[string]*sync.Mutex
}

var (
	_ paved.TeamService       = (*Platform)(nil)
	_ paved.AppService        = (*Platform)(nil)
	_ paved.DefinitionService = (*Platform)(nil)
	_ paved.DeploymentService = (*Platform)(nil)
	_ paved.ResourceService   = (*Platform)(nil)
	_ paved.AuditService      = (*Platform)(nil)
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
	if cfg.DefaultTTL == 0 {
		cfg.DefaultTTL = DefaultTTL
	}
	if cfg.MaxTTL == 0 {
		cfg.MaxTTL = MaxTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ServerID == "" {
		cfg.ServerID = NewServerID()
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Platform{cfg: cfg, log: cfg.Logger, queues: map[string]*envQueue{}, runCtx: ctx, cancel: cancel, id: cfg.ServerID}
	p.built = map[string]paved.Target{}
	p.locks = map[string]*sync.Mutex{}
	return p, nil
}

// Start recovers from a crash (deployments left queued or running end as
// failed, and targets are brought back to the last successful deployment),
// starts the heartbeat when the store coordinates several servers, and the
// reaper of expired environments.
func (p *Platform) Start(ctx context.Context, reapEvery time.Duration) error {
	if err := p.startCoordination(ctx); err != nil {
		return err
	}
	p.coordinate()
	if reapEvery > 0 {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t := time.NewTicker(reapEvery)
			defer t.Stop()
			for {
				select {
				case <-p.runCtx.Done():
					return
				case <-t.C:
					if n, err := p.Reap(p.runCtx); err != nil {
						p.log.Error("reaping expired environments", "err", err)
					} else if n > 0 {
						p.log.Info("reaped expired environments", "count", n)
					}
				}
			}
		}()
	}
	return nil
}

// Close stops the reaper and waits for running deployments to end.
func (p *Platform) Close() {
	p.cancel()
	p.wg.Wait()
}

func (p *Platform) now() time.Time { return p.cfg.Now().UTC() }

// Wait blocks until every queued deployment has run (for tests and demo).
func (p *Platform) Wait() {
	for {
		p.mu.Lock()
		busy := false
		for _, q := range p.queues {
			if q.running || len(q.ids) > 0 {
				busy = true
			}
		}
		p.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
