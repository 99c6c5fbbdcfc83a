package platform

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"paved.dev/paved"
)

// Timings of the coordination between servers sharing a store.
const (
	heartbeatEvery = 5 * time.Second
	// DefaultOrphanAfter: a server silent this long is taken for dead,
	// and its deployments are failed by another (Config.OrphanAfter).
	DefaultOrphanAfter = 30 * time.Second
	// MinOrphanAfter and MinLeaseTTL are the shortest the server accepts
	// (--orphan-after, --lease-ttl): a server beats six times in the one
	// and renews three times in the other.
	MinOrphanAfter = time.Second
	MinLeaseTTL    = time.Second
	// DefaultLeaseTTL is how long an environment's lease lasts unless
	// renewed (Config.LeaseTTL); it is renewed every third of that.
	DefaultLeaseTTL = 30 * time.Second
	leaseRetry      = 250 * time.Millisecond
	// leaseAcquireAttempts is how many store errors taking a lease
	// meets before the deployment fails for them.
	leaseAcquireAttempts = 3
)

// NewServerID returns a random server id; a server keeps its id across
// restarts (in its data dir) so that it recognises its own interrupted work.
func NewServerID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "srv-" + hex.EncodeToString(b)
}

// coordinate starts the heartbeat and, apart from it so that a long wait
// for a lease never delays a heartbeat, the checks for dead servers' and
// this server's own stuck work.
func (p *Platform) coordinate() {
	// Six heartbeats at least before a server is taken for dead.
	every := min(heartbeatEvery, p.cfg.OrphanAfter/6)
	p.loop(every, "heartbeat", func() error { return p.cfg.Store.Heartbeat(p.runCtx, p.id, p.now()) })
	p.loop(every, "failing deployments of dead servers", func() error { return p.failOrphaned(p.runCtx) })
	p.loop(every, "failing this server's stuck deployments", func() error { return p.sweepOwn(p.runCtx) })
}

const orphanReason = "the server running this deployment stopped (or lost touch with the store) while it was queued or running; " +
	"what it provisioned is kept and goes with the environment, and the environment is brought back to its last successful deployment: deploy again to retry"

// failOrphaned fails the deployments of servers that stopped and brings
// their environments back to the last successful deployment. This server's
// own deployments are never among them, whatever its heartbeat says: the
// sweep (sweepOwn) knows which of them it still runs.
func (p *Platform) failOrphaned(ctx context.Context) error {
	return p.failOrphanedExcept(ctx, p.id)
}

// failOrphanedExcept fails orphans of every server but except ("" for
// none: at start, this server's own earlier work is orphaned too).
func (p *Platform) failOrphanedExcept(ctx context.Context, except string) error {
	now := p.now()
	orphans, err := p.cfg.Store.FailOrphaned(ctx, now.Add(-p.cfg.OrphanAfter), except, orphanReason, now)
	if err != nil {
		// It may have failed them all the same (its answer lost): the
		// next check that succeeds finds them.
		p.missed.note(orphanReason, now)
		return err
	}
	for _, d := range orphans {
		p.log.Warn("failed a deployment whose server stopped", "deployment", d.ID, "runner", d.Runner)
		p.event(d.ID, paved.EventError, "failed: "+orphanReason)
		p.events.finished(d.ID)
	}
	if err := p.reconcileAfter(ctx, orphans); err != nil {
		// Not brought back (logged; a target out of reach, say): the
		// next check tries again. Not an error of the check, which did
		// its part: at start, it must not keep the server from serving.
		p.missed.note(orphanReason, now)
		return nil
	}
	return p.recoverMissed(ctx, orphanReason)
}

// reconcileAfter brings the environments of deployments failed part way
// back, on their targets, to their last successful deployment, each once.
// It returns what failed (logged too), an environment gone excepted.
func (p *Platform) reconcileAfter(ctx context.Context, failed []paved.Deployment) error {
	seen := map[string]bool{}
	var errs []error
	for _, d := range failed {
		if key := envKey(d.App, d.Env); !seen[key] {
			seen[key] = true
			err := p.withLease(ctx, d.App, d.Env, func(ctx context.Context) error { return p.reconcile(ctx, d.App, d.Env) })
			if err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
				p.log.Error("bringing an environment back to its last deployment", "app", d.App, "env", d.Env, "err", err)
				errs = append(errs, fmt.Errorf("bringing %s/%s back: %w", d.App, d.Env, err))
			}
		}
	}
	return errors.Join(errs...)
}

const stuckReason = "this deployment's server is alive but no longer runs it (a write to the store failed while it ran or started); what was applied may be incomplete: deploy again"

// sweepOwn fails the deployments the store says this server runs or has
// queued but that this process does not hold: a result write that kept
// failing leaves one, and nothing else would ever end it while the server
// lives.
//
// A result written whose answer was lost is read back (finishRetried); one
// that still failed may have been written all the same: the next sweep
// that meets no error brings its environment back (recoverMissed).
func (p *Platform) sweepOwn(ctx context.Context) error {
	began := p.now()
	ds, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{Runner: p.id,
		Statuses: []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning}, Limit: -1})
	if err != nil {
		return err
	}
	var errs []error
	var failed []paved.Deployment
	for _, d := range ds {
		if p.holds(d.ID) {
			continue
		}
		err := p.finishRetried(ctx, d.ID, "", paved.DeploymentFailed, &paved.DeploymentResult{Error: stuckReason, Inventory: d.Inventory})
		switch {
		case err == nil:
			p.log.Warn("failed a deployment this server no longer runs", "deployment", d.ID)
			p.event(d.ID, paved.EventError, "failed: "+stuckReason)
			p.events.finished(d.ID)
			failed = append(failed, d)
		case paved.ErrorCode(err) != paved.ECONFLICT:
			p.missed.note(stuckReason, began)
			errs = append(errs, err)
		}
	}
	// What they applied part way is undone, as for a dead server's.
	if err := p.reconcileAfter(ctx, failed); err != nil {
		p.missed.note(stuckReason, began) // the next sweep tries again
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return p.recoverMissed(ctx, stuckReason)
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

// leaseName names an environment's deployment lease in the store.
func leaseName(app, env string) string { return "deploy/" + app + "/" + env }

// errLeaseLost is the cause of the context of work whose lease was lost.
var errLeaseLost = errors.New("the environment's lease could not be renewed before it expired")

// withLease runs f alone on the environment: under this server's lock for
// it and the environment's lease in the store (which orders servers sharing
// it), renewed while f runs. Waiting stops with ctx; f itself runs on to its
// end (a shutdown does not cut a deployment in half) unless the lease is
// really lost: a renewal that fails is retried while the lease still has
// time, and only when it would expire is f's context cancelled.
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
	runCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	name := leaseName(app, env)
	leaseTTL := p.cfg.LeaseTTL
	// A renewal that failed is tried again this often while the lease is
	// still ours.
	renewRetry := min(time.Second, leaseTTL/10)
	// The work stops this long before the lease would expire by this
	// server's clock: other servers judge expiry by theirs, so clocks of
	// servers sharing a store must agree to within it (a fifth of the
	// lease, 6 s by default; NTP keeps them far closer).
	margin := leaseTTL / 5
	var acquired time.Time
	backoff := leaseRetry
	for failures := 0; ; {
		acquired = time.Now()
		now := p.now()
		// Each attempt is bounded: a store that hangs fails the attempt,
		// not the environment's queue for ever.
		actx, acancel := context.WithTimeout(ctx, leaseTTL/3)
		ok, err := p.cfg.Store.AcquireLease(actx, name, p.id, now.Add(leaseTTL), now)
		acancel()
		switch {
		case err == nil && ok:
		case err == nil:
			// Another server holds it: wait, without counting it as a
			// failure.
			failures, backoff = 0, leaseRetry
		case failures < leaseAcquireAttempts-1 && ctx.Err() == nil:
			// A store that blinked is tried again, backing off, before
			// the deployment is failed for it.
			failures++
			backoff = min(2*backoff, leaseTTL/3)
			p.log.Warn("taking an environment's deployment lease failed; trying again", "lease", name, "err", err, "in", backoff)
		default:
			return err
		}
		if ok && err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
	// The lease is ours until leaseTTL after the last renewal that was
	// sent: a timer stops the work margin before then, whether or not a
	// renewal is still waiting on the store, so that f never runs on an
	// expired lease.
	expiry := time.AfterFunc(leaseTTL-margin-time.Since(acquired), func() {
		p.log.Error("could not renew an environment's deployment lease before it expired; stopping the work under it", "lease", name)
		cancel(errLeaseLost)
	})
	defer expiry.Stop()
	done := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		wait := leaseTTL / 3
		for {
			select {
			case <-done:
				return
			case <-runCtx.Done():
				return
			case <-time.After(wait):
			}
			sent := time.Now()
			rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), leaseTTL/3)
			now := p.now()
			// Renew, never re-take: a lease that expired and went to
			// another server meanwhile (and perhaps came free again) is
			// lost, whatever the store holds now.
			ok, err := p.cfg.Store.RenewLease(rctx, name, p.id, now.Add(leaseTTL), now)
			rcancel()
			switch {
			case err == nil && ok:
				expiry.Reset(leaseTTL - margin - time.Since(sent))
				wait = leaseTTL / 3
			case err == nil:
				// Another server holds it: ours expired unnoticed.
				p.log.Error("lost an environment's deployment lease to another server; stopping the work under it", "lease", name)
				cancel(errLeaseLost)
				return
			default:
				p.log.Warn("renewing an environment's deployment lease failed; trying again while it lasts", "lease", name, "err", err)
				wait = renewRetry
			}
		}
	}()
	defer func() {
		close(done)
		// Every renewal has a deadline, so this wait is bounded.
		<-renewed
		// Released even when it was thought lost (a renewal that landed
		// late keeps it ours): the store releases only its holder's.
		if err := p.cfg.Store.ReleaseLease(context.WithoutCancel(ctx), name, p.id); err != nil {
			p.log.Error("releasing an environment's deployment lease", "lease", name, "err", err)
		}
	}()
	return f(runCtx)
}

// startCoordination runs at start: this server's own earlier work (same
// id, before a crash) is orphaned at once, not after OrphanAfter.
func (p *Platform) startCoordination(ctx context.Context) error {
	if err := p.cfg.Store.Heartbeat(ctx, p.id, time.Unix(0, 0).UTC()); err != nil {
		return err
	}
	if err := p.failOrphanedExcept(ctx, ""); err != nil {
		return err
	}
	return p.cfg.Store.Heartbeat(ctx, p.id, p.now())
}
