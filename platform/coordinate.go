package platform

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"paved.dev/paved"
)

// Timings of the coordination between servers sharing a store.
const (
	heartbeatEvery = 5 * time.Second
	// staleAfter: a server silent this long is taken for dead, and its
	// deployments are failed by another.
	staleAfter = 30 * time.Second
	leaseTTL   = 30 * time.Second
	leaseRetry = 250 * time.Millisecond
)

// NewServerID returns a random server id; a server keeps its id across
// restarts (in its data dir) so that it recognises its own interrupted work.
func NewServerID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "srv-" + hex.EncodeToString(b)
}

// coordinate starts the heartbeat and the orphan check when the store
// coordinates several servers.
func (p *Platform) coordinate() {
	if p.coord == nil {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			if err := p.coord.Heartbeat(p.runCtx, p.id, p.now()); err != nil && p.runCtx.Err() == nil {
				p.log.Error("heartbeat", "err", err)
			}
			if err := p.failOrphaned(p.runCtx); err != nil && p.runCtx.Err() == nil {
				p.log.Error("failing deployments of dead servers", "err", err)
			}
			select {
			case <-p.runCtx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

const orphanReason = "the server running this deployment stopped while it was queued or running; nothing of it is kept: deploy again to retry"

// failOrphaned fails deployments whose server is dead and brings their
// environments back to the last successful deployment.
func (p *Platform) failOrphaned(ctx context.Context) error {
	now := p.now()
	orphans, err := p.coord.FailOrphaned(ctx, now.Add(-staleAfter), orphanReason, now)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, d := range orphans {
		p.log.Warn("failed a deployment whose server stopped", "deployment", d.ID, "runner", d.Runner)
		p.event(d.ID, "error", "failed: "+orphanReason)
		if key := envKey(d.App, d.Env); !seen[key] {
			seen[key] = true
			if err := p.withLease(ctx, d.App, d.Env, func() error { return p.reconcile(ctx, d.App, d.Env) }); err != nil {
				p.log.Error("bringing an environment back to its last deployment", "app", d.App, "env", d.Env, "err", err)
			}
		}
	}
	return nil
}

// withLease runs f holding the environment's deployment lease, so that no
// other server deploys there meanwhile; the lease is renewed while f runs.
func (p *Platform) withLease(ctx context.Context, app, env string, f func() error) error {
	if p.coord == nil {
		return f()
	}
	name := "deploy/" + app + "/" + env
	for {
		now := p.now()
		ok, err := p.coord.AcquireLease(ctx, name, p.id, now.Add(leaseTTL), now)
		if err != nil {
			return err
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(leaseRetry):
		}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(leaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				now := p.now()
				if ok, err := p.coord.AcquireLease(context.WithoutCancel(ctx), name, p.id, now.Add(leaseTTL), now); err != nil || !ok {
					p.log.Error("renewing an environment's deployment lease", "lease", name, "held", ok, "err", err)
				}
			}
		}
	}()
	defer func() {
		close(done)
		if err := p.coord.ReleaseLease(context.WithoutCancel(ctx), name, p.id); err != nil {
			p.log.Error("releasing an environment's deployment lease", "lease", name, "err", err)
		}
	}()
	return f()
}

// startCoordination runs at start: this server's own earlier work (same
// id, before a crash) is orphaned at once, not after staleAfter.
func (p *Platform) startCoordination(ctx context.Context) error {
	if err := p.coord.Heartbeat(ctx, p.id, time.Unix(0, 0).UTC()); err != nil {
		return err
	}
	if err := p.failOrphaned(ctx); err != nil {
		return err
	}
	return p.coord.Heartbeat(ctx, p.id, p.now())
}

var _ = paved.Coordinator(nil)
