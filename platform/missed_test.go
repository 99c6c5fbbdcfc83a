package platform

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"paved.dev/paved"
)

// sweepLostStore leaves a deployment running (its result unwritable), then
// plays a store whose answer to a sweep's failing of it is lost after the
// change: FailOrphaned fails the orphans and answers that it may have
// been done; or FinishDeployment writes the result, and it and every
// write after it answer that the store is unavailable, finishes times.
type sweepLostStore struct {
	paved.Store
	stick    atomic.Bool  // results are refused
	loseFail atomic.Bool  // the next FailOrphaned's answer is lost
	finishes atomic.Int32 // results still to answer unavailable (the first written)
	written  atomic.Bool  // one of them was written
	noLease  atomic.Bool  // leases cannot be taken (the store is down for them)
}

func (s *sweepLostStore) AcquireLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error) {
	if s.noLease.Load() {
		return false, storeDown()
	}
	return s.Store.AcquireLease(ctx, name, holder, until, now)
}

func maybeDone() error {
	return &paved.Error{Code: paved.EUNAVAILABLE, Err: errors.Join(paved.ErrStoreUnavailable, errors.New("conn closed")),
		Message: "the PostgreSQL database went away before confirming the change (the connection was closed): it may have been done; once the database is back, check (list or get what was changed) before trying again"}
}

func (s *sweepLostStore) FinishDeployment(ctx context.Context, id, runner, lease string, st paved.DeploymentStatus, r *paved.DeploymentResult, at time.Time) error {
	if s.stick.Load() {
		// An answer the runner does not try again (a failing store is
		// tried again for about 2 s): the deployment is left running at
		// once.
		return paved.Errorf(paved.ENOTFOUND, "deployment %s not found", id)
	}
	if s.finishes.Add(-1) >= 0 {
		if s.written.CompareAndSwap(false, true) {
			if err := s.Store.FinishDeployment(ctx, id, runner, lease, st, r, at); err != nil {
				return err
			}
			return maybeDone()
		}
		return storeDown()
	}
	return s.Store.FinishDeployment(ctx, id, runner, lease, st, r, at)
}

func (s *sweepLostStore) FailOrphaned(ctx context.Context, staleBefore time.Time, except, reason string, at time.Time) ([]paved.Deployment, error) {
	ds, err := s.Store.FailOrphaned(ctx, staleBefore, except, reason, at)
	if err == nil && len(ds) > 0 && s.loseFail.CompareAndSwap(true, false) {
		return nil, maybeDone()
	}
	return ds, err
}

// TestSweepWhoseAnswerWasLost: a deployment that left the web workload out
// is applied, and left running (its result could not be written). The
// orphan check (its server's heartbeat stale), or the sweep of this
// server's own stuck deployments, fails it, but the store's answer is lost
// after the change: the sweep has no list of what it failed. The next
// sweep that succeeds finds it, failed with that sweep's reason and the
// latest deployment of its environment, and does what was missed: its
// event is written, and the environment is brought back to its last
// success (Git holds the web workload again). Without it the target kept
// the failed deployment's objects.
func TestSweepWhoseAnswerWasLost(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reason string
		sweep  func(f *fixture, s *sweepLostStore) error
	}{
		{"the orphan check", orphanReason, func(f *fixture, s *sweepLostStore) error {
			must(t, f.store.Heartbeat(context.Background(), f.p.id, time.Unix(0, 0).UTC()))
			s.loseFail.Store(true)
			return f.p.failOrphanedExcept(context.Background(), "")
		}},
		{"the sweep of this server's own", stuckReason, func(f *fixture, s *sweepLostStore) error {
			s.finishes.Store(storeAttempts)
			return f.p.sweepOwn(context.Background())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := &sweepLostStore{}
			f := newFixture(t, func(c *Config) {
				ls.Store = c.Store
				c.Store = ls
			})
			ctx := context.Background()
			good := f.deployToEnd(t, shopSpecs())
			if good.Status != paved.DeploymentSucceeded {
				t.Fatalf("first deployment: %s %q", good.Status, good.Error)
			}
			specs := shopSpecs()
			delete(specs, "web.score.yaml")
			ls.stick.Store(true)
			d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
			must(t, err)
			f.p.Wait()
			ls.stick.Store(false)
			if got, _ := f.store.GetDeployment(ctx, d.ID); got.Status != paved.DeploymentRunning {
				t.Fatalf("with its result unwritable the deployment is %s; the test wants it left running", got.Status)
			}
			if web := f.gitHasWeb(t); web {
				t.Fatal("Git holds the web workload after a deployment that left it out: the test proves nothing")
			}
			if err := tc.sweep(f, ls); err == nil {
				t.Fatal("the sweep met no error: the test proves nothing")
			}
			got, _ := f.store.GetDeployment(ctx, d.ID)
			if got.Status != paved.DeploymentFailed || got.Error != tc.reason {
				t.Fatalf("after the sweep whose answer was lost: %s %q; want it failed all the same, saying %q", got.Status, got.Error, tc.reason)
			}
			// A sweep that cannot bring the environment back (no lease to
			// be had) leaves the failures pending.
			ls.noLease.Store(true)
			if err := f.p.recoverMissed(ctx, tc.reason); err == nil {
				t.Error("recovering with no lease to be had met no error")
			}
			ls.noLease.Store(false)
			if _, ok := f.p.missed.pending(tc.reason); !ok {
				t.Fatal("the missed failures were forgotten although their environment was not brought back")
			}
			if f.gitHasWeb(t) {
				t.Fatal("Git holds the web workload though no lease was to be had: the test proves nothing")
			}
			// The next sweep, the store back.
			must(t, f.p.sweepOwn(ctx))
			must(t, f.p.failOrphaned(ctx))
			f.p.Wait()
			if !f.gitHasWeb(t) {
				t.Error("Git still holds the failed deployment's objects (no web workload): the environment was not brought back")
			}
			evs, err := f.store.Events(ctx, d.ID, 0)
			must(t, err)
			n := 0
			for _, e := range evs {
				if e.Message == "failed: "+tc.reason {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d events say the deployment failed for its reason, want 1", n)
			}
			for _, p := range f.resourcesOf(t, good) {
				t.Error(p)
			}
			// Done once: a later sweep does not bring it back again.
			if _, ok := f.p.missed.pending(tc.reason); ok {
				t.Error("the missed failures are still pending after a sweep that succeeded")
			}
		})
	}
}

// gitHasWeb says whether Git holds the web workload's Deployment.
func (f *fixture) gitHasWeb(t *testing.T) bool {
	t.Helper()
	inv, err := f.git.Inventory(paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Namespace: "shop-dev"})
	must(t, err)
	for _, r := range inv {
		if r.Kind == "Deployment" && strings.Contains(r.Name, "web") {
			return true
		}
	}
	return false
}
