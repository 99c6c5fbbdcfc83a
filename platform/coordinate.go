package platform

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
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

// coordinate starts the heartbeat and, apart from it so that a long wait
// for a lease never delays a heartbeat, the check for dead servers' work.
func (p *Platform) coordinate() {
	loop := func(what string, f func() error) {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t := time.NewTicker(heartbeatEvery)
			defer t.Stop()
			for {
				if err := f(); err != nil && p.runCtx.Err() == nil {
					p.log.Error(what, "err", err)
				}
				select {
				case <-p.runCtx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	loop("heartbeat", func() error { return p.cfg.Store.Heartbeat(p.runCtx, p.id, p.now()) })
	loop("failing deployments of dead servers", func() error { return p.failOrphaned(p.runCtx) })
}

const orphanReason = "the server running this deployment stopped while it was queued or running; nothing of it is kept: deploy again to retry"

// failOrphaned fails deployments whose server is dead and brings their
// environments back to the last successful deployment.
func (p *Platform) failOrphaned(ctx context.Context) error {
	now := p.now()
	orphans, err := p.cfg.Store.FailOrphaned(ctx, now.Add(-staleAfter), orphanReason, now)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, d := range orphans {
		p.log.Warn("failed a deployment whose server stopped", "deployment", d.ID, "runner", d.Runner)
		p.event(d.ID, "error", "failed: "+orphanReason)
		if key := envKey(d.App, d.Env); !seen[key] {
			seen[key] = true
			err := p.withLease(ctx, d.App, d.Env, func(ctx context.Context) error { return p.reconcile(ctx, d.App, d.Env) })
			if err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
				p.log.Error("bringing an environment back to its last deployment", "app", d.App, "env", d.Env, "err", err)
			}
		}
	}
	return nil
}

// envLock is the in-process lock of an environment, taken before the store's
// lease: it orders this server's own work on the environment.
func (p *Platform) envLock(app, env string) *sync.Mutex {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := envKey(app, env)
	l := p.locks[key]
	if l == nil {
		l = &sync.Mutex{}
		p.locks[key] = l
	}
	return l
}

// withLease runs f alone on the environment: under this server's lock for
// it and the environment's lease in the store (which orders servers sharing
// it), renewed while f runs. Waiting stops with ctx; f itself runs on to its end (a
// shutdown does not cut a deployment in half) unless the lease is lost,
// which cancels the context f gets.
func (p *Platform) withLease(ctx context.Context, app, env string, f func(context.Context) error) error {
	lock := p.envLock(app, env)
	locked := make(chan struct{})
	go func() { lock.Lock(); close(locked) }()
	select {
	case <-locked:
	case <-ctx.Done():
		go func() { <-locked; lock.Unlock() }()
		return ctx.Err()
	}
	defer lock.Unlock()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	name := "deploy/" + app + "/" + env
	for {
		now := p.now()
		ok, err := p.cfg.Store.AcquireLease(ctx, name, p.id, now.Add(leaseTTL), now)
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
				ok, err := p.cfg.Store.AcquireLease(runCtx, name, p.id, now.Add(leaseTTL), now)
				if err != nil || !ok {
					// Another server may take the environment now: stop.
					p.log.Error("lost an environment's deployment lease; stopping the work under it", "lease", name, "err", err)
					cancel()
					return
				}
			}
		}
	}()
	defer func() {
		close(done)
		if err := p.cfg.Store.ReleaseLease(context.WithoutCancel(ctx), name, p.id); err != nil {
			p.log.Error("releasing an environment's deployment lease", "lease", name, "err", err)
		}
	}()
	return f(runCtx)
}

// startCoordination runs at start: this server's own earlier work (same
// id, before a crash) is orphaned at once, not after staleAfter.
func (p *Platform) startCoordination(ctx context.Context) error {
	if err := p.cfg.Store.Heartbeat(ctx, p.id, time.Unix(0, 0).UTC()); err != nil {
		return err
	}
	if err := p.failOrphaned(ctx); err != nil {
		return err
	}
	return p.cfg.Store.Heartbeat(ctx, p.id, p.now())
}
