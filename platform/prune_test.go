package platform

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
)

// pruneSpec is one workload with two databases, or only the first.
func pruneSpec(both bool) map[string]string {
	res := "  db:\n    type: postgres\n"
	if both {
		res += "  old:\n    type: postgres\n"
	}
	return map[string]string{"api.score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: api\ncontainers:\n  main:\n    image: ghcr.io/acme/api:1\n" +
		"    variables:\n      DB: ${resources.db.host}\nresources:\n" + res}
}

// TestRealPostgresPrune: a database the workload no longer declares is
// orphaned, kept by a prune without include-data, and deprovisioned by one
// with it on the real PostgreSQL server (database and role gone), while the
// database still declared is untouched; both prunes are audited.
func TestRealPostgresPrune(t *testing.T) {
	f, app := realPostgres(t, "development")
	ctx := context.Background()
	if _, err := f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: app, Name: "dev", Type: "development"}); err != nil {
		t.Fatal(err)
	}
	deploy := func(specs map[string]string) {
		t.Helper()
		d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: app, Env: "dev", Specs: specs})
		must(t, err)
		f.p.Wait()
		if got, _ := f.p.GetDeployment(f.dev, d.ID); got.Status != paved.DeploymentSucceeded {
			t.Fatalf("deploy: %s %s", got.Status, got.Error)
		}
	}
	deploy(pruneSpec(true))
	keep, old := paved.ResourceUID("postgres.default#api.db"), paved.ResourceUID("postgres.default#api.old")
	keepOut, err := f.p.Outputs(f.dev, app, "dev", keep, true)
	must(t, err)
	oldOut, err := f.p.Outputs(f.dev, app, "dev", old, true)
	must(t, err)

	// Nothing is orphaned yet: a prune removes nothing.
	res, err := f.p.PruneResources(f.dev, app, "dev", paved.PruneOptions{IncludeData: true})
	must(t, err)
	if len(res.Pruned)+len(res.Kept) != 0 {
		t.Fatalf("prune with nothing orphaned: %+v", res)
	}

	// The plan of the smaller spec lists the old database as orphaned.
	pl, err := f.p.Plan(f.dev, &paved.DeployRequest{App: app, Env: "dev", Specs: pruneSpec(false)})
	must(t, err)
	found := false
	for _, r := range pl.Resources {
		if r.UID == old {
			found = r.Action == paved.PlanOrphan
		}
	}
	if !found {
		t.Errorf("the plan does not list %s as orphaned: %+v", old, pl.Resources)
	}
	deploy(pruneSpec(false))

	// Without include-data the database is kept, and nothing is removed.
	res, err = f.p.PruneResources(f.dev, app, "dev", paved.PruneOptions{})
	must(t, err)
	if len(res.Pruned) != 0 || len(res.Kept) != 1 || res.Kept[0].UID != old {
		t.Fatalf("prune without include-data: %+v", res)
	}
	// A developer of another team may not prune.
	if _, err := f.p.PruneResources(f.other, app, "dev", paved.PruneOptions{IncludeData: true}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("another team's developer: err = %v, want EFORBIDDEN", err)
	}
	// A dry run lists it and removes nothing.
	res, err = f.p.PruneResources(f.dev, app, "dev", paved.PruneOptions{IncludeData: true, DryRun: true})
	must(t, err)
	if len(res.Pruned) != 1 || res.Pruned[0].UID != old || !res.DryRun {
		t.Fatalf("dry run: %+v", res)
	}
	admin, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	must(t, err)
	defer admin.Close(ctx)
	count := func(q string, v any) int {
		var n int
		must(t, admin.QueryRow(ctx, q, v).Scan(&n))
		return n
	}
	if count("SELECT count(*) FROM pg_database WHERE datname = $1", oldOut["database"]) != 1 {
		t.Fatal("the dry run or the prune without include-data dropped the database")
	}

	res, err = f.p.PruneResources(f.dev, app, "dev", paved.PruneOptions{IncludeData: true})
	must(t, err)
	if len(res.Pruned) != 1 || res.Pruned[0].UID != old {
		t.Fatalf("prune with include-data: %+v", res)
	}
	if n := count("SELECT count(*) FROM pg_database WHERE datname = $1", oldOut["database"]); n != 0 {
		t.Errorf("database %v survived the prune", oldOut["database"])
	}
	if n := count("SELECT count(*) FROM pg_roles WHERE rolname = $1", oldOut["username"]); n != 0 {
		t.Errorf("role %v survived the prune", oldOut["username"])
	}
	// The database still declared is untouched: its credentials still work.
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=127.0.0.1 port=%v user=%v password=%v dbname=%v sslmode=disable", keepOut["port"], keepOut["username"], keepOut["password"], keepOut["database"]))
	if err != nil {
		t.Fatalf("the declared database after the prune: %v", err)
	}
	conn.Close(ctx)
	rs, err := f.p.ListResources(f.dev, app, "dev")
	must(t, err)
	if len(rs) != 1 || rs[0].UID != keep || rs[0].Status != paved.ResourceActive {
		t.Errorf("resources after the prune: %+v", rs)
	}
	entries, err := f.p.ListAudit(f.admin, paved.AuditFilter{Action: "resource.prune"})
	must(t, err)
	var targets []string
	for _, e := range entries {
		if strings.HasPrefix(e.Target, app+"/dev") {
			targets = append(targets, e.Target)
		}
	}
	if len(targets) < 3 || !strings.Contains(targets[0], "pruned "+string(old)) {
		t.Errorf("audit of the prunes: %q; want the last naming %s pruned", targets, old)
	}
	if _, err := f.p.DeleteEnvironment(f.dev, app, "dev", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}
