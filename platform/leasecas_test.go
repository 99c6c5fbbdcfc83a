package platform

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"paved.dev/paved"
)

// thiefStore plays another server that takes the environment's lease
// (for a short while) just before the runner records a success, as after a
// pause of the runner longer than its lease.
type thiefStore struct {
	paved.Store
	steal atomic.Bool
}

func (s *thiefStore) FinishDeployment(ctx context.Context, id, runner, lease string, st paved.DeploymentStatus, r *paved.DeploymentResult, at time.Time) error {
	if lease != "" && s.steal.CompareAndSwap(true, false) {
		if err := s.Store.ReleaseLease(ctx, lease, runner); err != nil {
			return err
		}
		now := time.Now()
		if ok, err := s.Store.AcquireLease(ctx, lease, "another-server", now.Add(300*time.Millisecond), now); err != nil || !ok {
			panic("the thief could not take the lease")
		}
	}
	return s.Store.FinishDeployment(ctx, id, runner, lease, st, r, at)
}

// TestSuccessAfterLostLeaseIsNotRecorded: the runner lost the environment's
// lease to another server between applying and recording its success. The
// success is refused by the store's compare and swap; the runner records
// the deployment as failed, saying why, and brings the environment back to
// its last successful deployment once the lease is free again.
func TestSuccessAfterLostLeaseIsNotRecorded(t *testing.T) {
	var ts *thiefStore
	f := newFixture(t, func(c *Config) {
		ts = &thiefStore{Store: c.Store}
		c.Store = ts
		c.Now = time.Now // the thief's lease expires by the real clock
	})
	good := f.deployToEnd(t, shopSpecs())
	if good.Status != paved.DeploymentSucceeded {
		t.Fatalf("first deployment: %s %q", good.Status, good.Error)
	}
	// The second leaves the web workload out: its objects are pruned from
	// Git by the apply, and must come back.
	specs := shopSpecs()
	delete(specs, "web.score.yaml")
	ts.steal.Store(true)
	lost := f.deployToEnd(t, specs)
	if lost.Status != paved.DeploymentFailed || !strings.Contains(lost.Error, "lost the environment's lease") {
		t.Fatalf("a success after the lease was lost: %s %q; want failed, saying the lease was lost", lost.Status, lost.Error)
	}
	if ts.steal.Load() {
		t.Fatal("the thief never ran: the test proves nothing")
	}
	last, err := f.store.LastSuccessful(context.Background(), good.EnvID)
	must(t, err)
	if last.ID != good.ID {
		t.Errorf("last successful is %s, want %s", last.ID, good.ID)
	}
	inv, err := f.git.Inventory(paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Namespace: "shop-dev"})
	must(t, err)
	want := slices.Clone(good.Inventory)
	slices.SortFunc(want, func(a, b paved.ObjectRef) int { return strings.Compare(a.String(), b.String()) })
	slices.SortFunc(inv, func(a, b paved.ObjectRef) int { return strings.Compare(a.String(), b.String()) })
	if !slices.Equal(inv, want) {
		t.Errorf("Git holds %v,\nwant the last success's %v", inv, want)
	}
	// The apply orphaned the web workload's resources; the last success
	// uses them: they are active again.
	for _, p := range f.resourcesOf(t, good) {
		t.Error(p)
	}
	// And the environment deploys again.
	if again := f.deployToEnd(t, specs); again.Status != paved.DeploymentSucceeded {
		t.Fatalf("deploying after the lost lease: %s %q", again.Status, again.Error)
	}
}
