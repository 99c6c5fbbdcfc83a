package platform

import (
	"context"
	"strings"
	"testing"

	"paved.dev/paved"
)

// TestPruneKeepsWhatTheLastSuccessUses: resources a deployment orphaned
// before it failed (its bookkeeping after the apply cut short) while the
// environment's last successful deployment still uses them are never
// pruned, include_data or not, dry run or not: they are listed in use,
// with the deployment that uses them, and stay recorded.
func TestPruneKeepsWhatTheLastSuccessUses(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good := f.deployToEnd(t, shopSpecs())
	if good.Status != paved.DeploymentSucceeded {
		t.Fatalf("deployment: %s %q", good.Status, good.Error)
	}
	cache, dns := paved.ResourceUID("redis.default#web.cache"), paved.ResourceUID("dns.default#web.dns")
	rs, err := f.store.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	must(t, err)
	orphaned := 0
	for _, r := range rs {
		if r.UID == cache || r.UID == dns {
			must(t, f.store.SetResourceStatus(ctx, r.Key(), paved.ResourceOrphaned, "no longer declared by any workload"))
			orphaned++
		}
	}
	if orphaned != 2 {
		t.Fatalf("found %d of %s and %s: the test proves nothing", orphaned, cache, dns)
	}
	for _, opt := range []paved.PruneOptions{{IncludeData: true, DryRun: true}, {}, {IncludeData: true}} {
		res, err := f.p.PruneResources(f.admin, "shop", "dev", opt)
		must(t, err)
		if len(res.Pruned)+len(res.Forgotten)+len(res.Kept) != 0 || len(res.InUse) != 2 {
			t.Fatalf("prune %+v: %+v; want both in use, nothing else", opt, res)
		}
		for _, r := range res.InUse {
			if !strings.Contains(r.Reason, good.ID) || !strings.Contains(r.Reason, "never pruned") {
				t.Errorf("prune %+v: %s kept saying %q; want it to name %s and say it is never pruned", opt, r.UID, r.Reason, good.ID)
			}
		}
	}
	rs, err = f.store.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	must(t, err)
	if len(rs) != len(good.Plan.Resources) {
		t.Errorf("%d resources left, the last success uses %d", len(rs), len(good.Plan.Resources))
	}
	if e := f.lastAudit(t, "resource.prune"); !strings.Contains(e.Target, "in use by the last success") {
		t.Errorf("the audit does not say what was kept in use: %+v", e)
	}
	// A deployment that uses them again settles them.
	if again := f.deployToEnd(t, shopSpecs()); again.Status != paved.DeploymentSucceeded {
		t.Fatalf("deploying again: %s %q", again.Status, again.Error)
	}
	res, err := f.p.PruneResources(f.admin, "shop", "dev", paved.PruneOptions{IncludeData: true, DryRun: true})
	must(t, err)
	if len(res.InUse)+len(res.Pruned)+len(res.Forgotten)+len(res.Kept) != 0 {
		t.Errorf("after deploying again, a prune finds %+v", res)
	}
}
