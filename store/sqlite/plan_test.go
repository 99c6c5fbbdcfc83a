package sqlite

import (
	"context"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// TestQueryPlans checks that the reads the API makes most use an index and
// never sort: with 10,000 deployments a sort would read every row of the app.
func TestQueryPlans(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	list := func(f paved.DeploymentFilter) (string, []any) {
		where, args, err := deploymentFilter(f)
		if err != nil {
			t.Fatal(err)
		}
		return "SELECT " + record.SummaryCols + " FROM deployments" + where + listOrder, append(args, 20)
	}
	envSQL, envArgs := list(paved.DeploymentFilter{App: "shop", Env: "dev"})
	appSQL, appArgs := list(paved.DeploymentFilter{App: "shop"})
	incSQL, incArgs := list(paved.DeploymentFilter{EnvID: "e-1", Statuses: []paved.DeploymentStatus{paved.DeploymentFailed}})
	allSQL, allArgs := list(paved.DeploymentFilter{})
	mineSQL, mineArgs := list(paved.DeploymentFilter{Runner: "s1", Statuses: []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning}})
	for _, q := range []struct {
		name, sql string
		args      []any
		index     string
	}{
		{"list env", envSQL, envArgs, "deployments_app_env_created"},
		{"list app", appSQL, appArgs, "deployments_app_created"},
		{"list across apps", allSQL, allArgs, "deployments_created"},
		{"last successful", lastSuccessfulSQL, []any{"e-1"}, "deployments_env_finished"},
		{"get", "SELECT " + record.DeploymentCols + " FROM deployments WHERE id = ?", []any{"x"}, "sqlite_autoindex_deployments"},
		{"events", "SELECT seq, time, level, message FROM events WHERE deployment = ? AND seq > ? ORDER BY seq", []any{"x", 0}, "PRIMARY KEY"},
		{"token", tokenByHashSQL, []any{[]byte("h")}, "tokens_hash"},
		{"resources", "SELECT " + record.ResourceCols + " FROM resources WHERE 1 = 1 AND app = ? AND env = ? ORDER BY app, env, uid, definition_id, driver", []any{"shop", "dev"}, "sqlite_autoindex_resources"},
		{"fail orphaned", "SELECT n FROM deployments WHERE status IN ('queued', 'running')", nil, "deployments_unfinished"},
		// These two sort what the index selects, which is bounded: one
		// incarnation's failures since its last success, one server's
		// unfinished deployments.
		{"failed deployments of an incarnation", incSQL, incArgs, "deployments_env_finished"},
		{"this server's unfinished deployments", mineSQL, mineArgs, "deployments_unfinished"},
	} {
		rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "; ")
		sorts := strings.Contains(text, "TEMP B-TREE")
		if !strings.Contains(text, q.index) || sorts && !strings.HasPrefix(q.name, "failed") && !strings.HasPrefix(q.name, "this server") {
			t.Errorf("%s: plan %q, want it to use %s without a sort", q.name, text, q.index)
		}
	}
}
