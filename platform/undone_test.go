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

// storeUndid is what the PostgreSQL store answers when the database kept
// undoing a change for concurrent ones (deadlocks, serialization
// failures): unavailable, nothing changed.
func storeUndid() error {
	return &paved.Error{Code: paved.EUNAVAILABLE, Err: errors.Join(paved.ErrStoreUnavailable, errors.New("deadlock detected (SQLSTATE 40P01)")),
		Message: "the PostgreSQL database kept undoing it for concurrent changes (deadlock or serialization failure, 4 runs, the last: deadlock detected (SQLSTATE 40P01)); nothing was changed: try again"}
}

// undoingStore refuses the next few results written under a lease as the
// store does when the database kept undoing them, writing nothing.
type undoingStore struct {
	paved.Store
	undo atomic.Int32 // still to refuse
}

func (s *undoingStore) FinishDeployment(ctx context.Context, id, runner, lease string, st paved.DeploymentStatus, r *paved.DeploymentResult, at time.Time) error {
	if lease != "" && s.undo.Add(-1) >= 0 {
		return storeUndid()
	}
	return s.Store.FinishDeployment(ctx, id, runner, lease, st, r, at)
}

// recoverCounter counts the applies that bring an environment back
// (reconcile's).
type recoverCounter struct {
	paved.Target
	recovers atomic.Int32
}

func (c *recoverCounter) Apply(ctx context.Context, req *paved.ApplyRequest) (*paved.ApplyResult, error) {
	if strings.HasPrefix(req.Message, "recover") {
		c.recovers.Add(1)
	}
	return c.Target.Apply(ctx, req)
}

// TestSuccessUndoneByTheDatabaseIsTriedAgain: the store's database undoes
// the write of a success under the lease (a deadlock) until its retries
// run out, twice. That is no lost lease: the runner writes the result
// again, the success is recorded and counted, and the environment is not
// brought back. (When the store answered it as a conflict, the runner
// took the lease for lost, recorded the success as a failure and undid it
// on the target.)
func TestSuccessUndoneByTheDatabaseIsTriedAgain(t *testing.T) {
	us := &undoingStore{}
	obs := &countingObserver{finished: map[paved.DeploymentStatus]int{}}
	var rc *recoverCounter
	f := newFixture(t, func(c *Config) {
		us.Store = c.Store
		c.Store = us
		c.Observer = obs
		rc = &recoverCounter{Target: c.Targets["gitops"]}
		c.Targets = map[string]paved.Target{"gitops": rc}
	})
	us.undo.Store(2)
	d := f.deployToEnd(t, shopSpecs())
	if d.Status != paved.DeploymentSucceeded {
		t.Fatalf("deployment: %s %q; want the success written again and recorded", d.Status, d.Error)
	}
	if n := us.undo.Load(); n >= 0 {
		t.Fatalf("the store undid %d of 2 writes: the test proves nothing", 2-n)
	}
	f.p.Wait()
	if n := rc.recovers.Load(); n != 0 {
		t.Errorf("the environment was brought back %d times after a recorded success", n)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.finished[paved.DeploymentSucceeded] != 1 || obs.finished[paved.DeploymentFailed] != 0 {
		t.Errorf("counted %v, want one success", obs.finished)
	}
}
