package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"paved.dev/paved"
)

// testFinishUnderLease: a result written with a lease lands only while its
// runner holds that lease unexpired; otherwise nothing is written and the
// deployment stays as it was, for its runner to record a failure (without
// the lease) or for another server to fail.
func testFinishUnderLease(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	const lease = "deploy/shop/dev"
	ok := &paved.DeploymentResult{Revision: "r1", Rollout: paved.RolloutCommitted}
	for i, c := range []struct {
		name string
		// holder and until of the lease before the finish ("" for none);
		// finishing at.
		holder     string
		until, now time.Time
		lease      string
		status     paved.DeploymentStatus
		want       string
		wantSubstr string
	}{
		{"held", "a", at(30), at(10), lease, paved.DeploymentSucceeded, "", ""},
		{"held, at its until", "a", at(30), at(30), lease, paved.DeploymentSucceeded, "", ""},
		{"expired", "a", at(30), at(31), lease, paved.DeploymentSucceeded, paved.ECONFLICT, "no longer holds lease " + lease},
		{"another's", "b", at(30), at(10), lease, paved.DeploymentSucceeded, paved.ECONFLICT, "no longer holds lease " + lease},
		{"never taken", "", time.Time{}, at(10), lease, paved.DeploymentSucceeded, paved.ECONFLICT, "no longer holds lease " + lease},
		{"another lease held", "a", at(30), at(10), "deploy/shop/staging", paved.DeploymentSucceeded, paved.ECONFLICT, "no longer holds lease deploy/shop/staging"},
		{"a failure without the lease", "b", at(30), at(10), "", paved.DeploymentFailed, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := fmt.Sprintf("lc%d", i)
			d := deployment(id, "dev", at(i), 0)
			d.Status, d.Runner = paved.DeploymentQueued, "a"
			must(t, s.CreateDeployment(ctx, d))
			must(t, s.StartDeployment(ctx, id, "a", at(1)))
			must(t, s.ReleaseLease(ctx, lease, "a"))
			must(t, s.ReleaseLease(ctx, lease, "b"))
			if c.holder != "" {
				got, err := s.AcquireLease(ctx, lease, c.holder, c.until, at(0))
				must(t, err)
				if !got {
					t.Fatalf("%s could not take the free lease", c.holder)
				}
			}
			res := ok
			if c.status == paved.DeploymentFailed {
				res = &paved.DeploymentResult{Error: "x"}
			}
			err := s.FinishDeployment(ctx, id, "a", c.lease, c.status, res, c.now)
			got, gerr := s.GetDeployment(ctx, id)
			must(t, gerr)
			if c.want == "" {
				must(t, err)
				if got.Status != c.status {
					t.Fatalf("after the finish: %s, want %s", got.Status, c.status)
				}
				return
			}
			wantError(t, err, c.want, c.wantSubstr)
			if got.Status != paved.DeploymentRunning || got.Revision != "" || got.FinishedAt != nil {
				t.Fatalf("a refused finish wrote: %s, revision %q, finished %v", got.Status, got.Revision, got.FinishedAt)
			}
			// Its runner records the failure without the lease.
			must(t, s.FinishDeployment(ctx, id, "a", "", paved.DeploymentFailed, &paved.DeploymentResult{Error: "lost its lease"}, c.now))
		})
	}
	must(t, s.ReleaseLease(ctx, lease, "a"))
	must(t, s.ReleaseLease(ctx, lease, "b"))

	// A deployment another server has failed is refused as moved on,
	// lease or not.
	d := deployment("lc-moved", "dev", at(20), 0)
	d.Status, d.Runner = paved.DeploymentRunning, "a"
	must(t, s.CreateDeployment(ctx, d))
	must(t, s.FinishDeployment(ctx, "lc-moved", "a", "", paved.DeploymentFailed, &paved.DeploymentResult{Error: "orphaned"}, at(21)))
	if got, err := s.AcquireLease(ctx, lease, "a", at(60), at(22)); err != nil || !got {
		t.Fatalf("AcquireLease: %v, %v", got, err)
	}
	wantError(t, s.FinishDeployment(ctx, "lc-moved", "a", lease, paved.DeploymentSucceeded, ok, at(23)), paved.ECONFLICT, "not running for server a")
	wantError(t, s.FinishDeployment(ctx, "nope", "a", lease, paved.DeploymentSucceeded, ok, at(23)), paved.ENOTFOUND, `deployment "nope" not found`)
}
