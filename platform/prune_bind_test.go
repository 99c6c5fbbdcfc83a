package platform

import (
	"testing"

	"paved.dev/paved"
)

// bindSpec is one workload with a database and a DNS name (both from the
// built-in template definitions), or with neither.
func bindSpec(with bool) map[string]string {
	res := ""
	if with {
		res = "resources:\n  db:\n    type: postgres\n  host:\n    type: dns\n"
	}
	return map[string]string{"api.score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: api\ncontainers:\n  main:\n    image: ghcr.io/acme/api:1\n" + res}
}

// TestPruneBoundToConfirmation: a prune removes what was confirmed or
// nothing (ECONFLICT); a template resource is reported forgotten, not
// pruned; dropping data in staging needs the admin role, as deleting it
// does.
func TestPruneBoundToConfirmation(t *testing.T) {
	f := newFixture(t)
	if _, err := f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "staging", Type: "staging"}); err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{"dev", "staging"} {
		for _, with := range []bool{true, false} {
			d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: env, Specs: bindSpec(with)})
			must(t, err)
			f.p.Wait()
			if got, _ := f.p.GetDeployment(f.dev, d.ID); got.Status != paved.DeploymentSucceeded {
				t.Fatalf("deploy to %s: %s %s", env, got.Status, got.Error)
			}
		}
	}
	db, host := paved.ResourceUID("postgres.default#api.db"), paved.ResourceUID("dns.default#api.host")

	plan, err := f.p.PruneResources(f.dev, "shop", "dev", paved.PruneOptions{DryRun: true})
	must(t, err)
	if len(plan.Pruned) != 0 || len(plan.Forgotten) != 1 || plan.Forgotten[0].UID != host || len(plan.Kept) != 1 || plan.Kept[0].UID != db {
		t.Fatalf("dry run: %+v; want %s forgotten, %s kept", plan, host, db)
	}
	// Confirmed nothing, or the database too: refused, nothing removed.
	for _, uids := range [][]paved.ResourceUID{{}, {host, db}} {
		if _, err := f.p.PruneResources(f.dev, "shop", "dev", paved.PruneOptions{UIDs: uids}); paved.ErrorCode(err) != paved.ECONFLICT {
			t.Errorf("prune confirming %v: err = %v, want ECONFLICT", uids, err)
		}
	}
	if rs, _ := f.p.ListResources(f.dev, "shop", "dev"); len(rs) != 2 {
		t.Fatalf("a refused prune removed something: %+v", rs)
	}
	res, err := f.p.PruneResources(f.dev, "shop", "dev", paved.PruneOptions{UIDs: plan.Removed()})
	must(t, err)
	if len(res.Pruned) != 0 || len(res.Forgotten) != 1 || res.Forgotten[0].UID != host || res.Forgotten[0].Reason == "" {
		t.Errorf("prune: %+v; want %s forgotten with a reason", res, host)
	}

	// Staging: a developer may prune what holds no data, not the database.
	if _, err := f.p.PruneResources(f.dev, "shop", "staging", paved.PruneOptions{IncludeData: true}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("developer, include_data in staging: err = %v, want EFORBIDDEN", err)
	}
	if rs, _ := f.p.ListResources(f.dev, "shop", "staging"); len(rs) != 2 {
		t.Fatalf("a forbidden prune removed something: %+v", rs)
	}
	if _, err := f.p.PruneResources(f.dev, "shop", "staging", paved.PruneOptions{}); err != nil {
		t.Errorf("developer, without include_data in staging: %v", err)
	}
	res, err = f.p.PruneResources(f.admin, "shop", "staging", paved.PruneOptions{IncludeData: true, UIDs: []paved.ResourceUID{db}})
	must(t, err)
	if len(res.Pruned) != 0 || len(res.Forgotten) != 1 || res.Forgotten[0].UID != db {
		t.Errorf("admin, include_data in staging: %+v", res)
	}
}
