package sqlite

import (
	"context"
	"strings"
	"testing"

	"paved.dev/paved"
)

// TestQueryPlans checks that the reads the API makes most use an index and
// never sort: with 10,000 deployments a sort would read every row of the app.
func TestQueryPlans(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	for _, q := range []struct {
		name, sql string
		args      []any
		index     string
	}{
		{"list env", "SELECT " + summaryCols + " FROM deployments WHERE app = ? AND env = ? ORDER BY created_at DESC, n DESC LIMIT ?",
			[]any{"shop", "dev", 20}, "deployments_app_env_created"},
		{"list app", "SELECT " + summaryCols + " FROM deployments WHERE app = ? ORDER BY created_at DESC, n DESC LIMIT ?",
			[]any{"shop", 20}, "deployments_app_created"},
		{"last successful", "SELECT " + deploymentCols + " FROM deployments WHERE app = ? AND env = ? AND status = ? ORDER BY created_at DESC, n DESC LIMIT 1",
			[]any{"shop", "dev", paved.DeploymentSucceeded}, "deployments_app_env_created"},
		{"get", "SELECT " + deploymentCols + " FROM deployments WHERE id = ?", []any{"x"}, "sqlite_autoindex_deployments"},
		{"events", "SELECT seq, time, level, message FROM events WHERE deployment = ? AND seq > ? ORDER BY seq", []any{"x", 0}, "PRIMARY KEY"},
		{"token", "SELECT " + userCols + " FROM tokens JOIN users ON users.name = tokens.user_name WHERE tokens.hash = ? AND (tokens.expires_at IS NULL OR tokens.expires_at > ?)",
			[]any{[]byte("h"), "now"}, "tokens_hash"},
		{"resources", "SELECT uid FROM resources WHERE app = ? AND env = ? ORDER BY app, env, uid", []any{"shop", "dev"}, "sqlite_autoindex_resources"},
		{"fail running", "SELECT n FROM deployments WHERE status IN ('queued', 'running')", nil, "deployments_unfinished"},
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
		if !strings.Contains(text, q.index) || strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("%s: plan %q, want it to use %s without a sort", q.name, text, q.index)
		}
	}
}
