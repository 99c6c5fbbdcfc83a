package platform

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"paved.dev/paved"
)

// recoverFails fails the applies that bring an environment back while
// fail is set.
type recoverFails struct {
	paved.Target
	fail atomic.Bool
}

func (r *recoverFails) Apply(ctx context.Context, req *paved.ApplyRequest) (*paved.ApplyResult, error) {
	if strings.HasPrefix(req.Message, "recover") && r.fail.Load() {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "cluster unreachable: dial tcp 10.0.0.1:6443: i/o timeout")
	}
	return r.Target.Apply(ctx, req)
}

// TestReconcileOrphansOnlyOnceBroughtBack: a deployment applied a resource
// of another definition for a UID the last success uses (R2) and orphaned
// the last success's (R1), then was not recorded. Bringing the environment
// back makes R1 active at once; R2, which the failed deployment's objects
// on the target still use, is orphaned only once the reapply succeeded: a
// reapply that fails leaves it active, so that no prune removes what runs.
func TestReconcileOrphansOnlyOnceBroughtBack(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reapplyErr bool
		r2         paved.ResourceStatus
	}{
		{"the reapply fails", true, paved.ResourceActive},
		{"the reapply succeeds", false, paved.ResourceOrphaned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rf *recoverFails
			f := newFixture(t, func(c *Config) {
				rf = &recoverFails{Target: c.Targets["gitops"]}
				c.Targets = map[string]paved.Target{"gitops": rf}
			})
			ctx := context.Background()
			good := f.deployToEnd(t, shopSpecs())
			if good.Status != paved.DeploymentSucceeded {
				t.Fatalf("deployment: %s %q", good.Status, good.Error)
			}
			cache := paved.ResourceUID("redis.default#web.cache")
			rs, err := f.store.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
			must(t, err)
			var r1 *paved.StoredResource
			for i := range rs {
				if rs[i].UID == cache {
					r1 = &rs[i]
				}
			}
			if r1 == nil {
				t.Fatalf("no resource %s among %d: the test proves nothing", cache, len(rs))
			}
			// What the unrecorded deployment left: R2 active, R1 orphaned.
			r2 := *r1
			r2.DefinitionID, r2.Status, r2.StatusReason = "redis-other", paved.ResourceActive, ""
			must(t, f.store.PutResource(ctx, &r2))
			must(t, f.store.SetResourceStatus(ctx, r1.Key(), paved.ResourceOrphaned, "replaced by definition redis-other"))

			rf.fail.Store(tc.reapplyErr)
			err = f.p.withLease(ctx, "shop", "dev", func(ctx context.Context) error { return f.p.reconcile(ctx, "shop", "dev") })
			if (err != nil) != tc.reapplyErr {
				t.Fatalf("reconcile: %v; want an error: %v", err, tc.reapplyErr)
			}
			status := map[string]paved.StoredResource{}
			rs, err = f.store.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
			must(t, err)
			for _, r := range rs {
				if r.UID == cache {
					status[r.DefinitionID] = r
				}
			}
			if got := status[r1.DefinitionID]; got.Status != paved.ResourceActive {
				t.Errorf("R1 (definition %s, the last success's) is %s (%s), want active", r1.DefinitionID, got.Status, got.StatusReason)
			}
			if got := status["redis-other"]; got.Status != tc.r2 {
				t.Errorf("R2 (definition redis-other) is %s (%s), want %s", got.Status, got.StatusReason, tc.r2)
			}
			if tc.r2 == paved.ResourceOrphaned && !strings.Contains(status["redis-other"].StatusReason, "brought back to "+good.ID) {
				t.Errorf("R2 orphaned saying %q, want it to say it was brought back to %s", status["redis-other"].StatusReason, good.ID)
			}
		})
	}
}
