package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
	"paved.dev/paved/store/storetest"
)

// TestMigrateFromV1 upgrades a database holding deployments and events
// written by the first schema: 0002 rebuilds the deployments table, which
// the events table references.
func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "paved.db")
	old, err := sql.Open("sqlite", path+"?"+dsnCommon)
	if err != nil {
		t.Fatal(err)
	}
	script, err := migrations.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		string(script),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', '2026-01-01T00:00:00.000000Z')`,
		`INSERT INTO teams (name, created_at) VALUES ('core', '2026-01-01T00:00:00.000000Z')`,
		`INSERT INTO apps (name, team, created_at) VALUES ('shop', 'core', '2026-01-01T00:00:00.000000Z')`,
		`INSERT INTO deployments (id, app, env, status, created_at) VALUES
			('d1', 'shop', 'dev', 'succeeded', '2026-01-01T00:00:01.000000Z'),
			('d2', 'shop', 'dev', 'running', '2026-01-01T00:00:02.000000Z'),
			('d3', 'shop', 'dev', 'queued', '2026-01-01T00:00:03.000000Z')`,
		// The newest deployment is gone: numbering must not hand out its n again.
		`DELETE FROM deployments WHERE id = 'd3'`,
		`INSERT INTO events (deployment, seq, time, message) VALUES ('d2', 1, '2026-01-01T00:00:02.000000Z', 'running')`,
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	old.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v < 3 {
		t.Fatalf("SchemaVersion = %d, %v; want >= 3", v, err)
	}
	d, err := db.GetDeployment(ctx, "d2")
	if err != nil {
		t.Fatal(err)
	}
	if d.Runner != "" || d.Status != paved.DeploymentRunning {
		t.Fatalf("d2 after migration: runner %q, status %q", d.Runner, d.Status)
	}
	events, err := db.Events(ctx, "d2", 0)
	if err != nil || len(events) != 1 {
		t.Fatalf("events of d2 after migration: %v, %v", events, err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Foreign keys are back on after migrating.
	err = db.AppendEvent(ctx, "nope", &paved.Event{Message: "x"})
	if paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("AppendEvent to a missing deployment = %v, want ENOTFOUND", err)
	}
	must(db.CreateDeployment(ctx, &paved.Deployment{ID: "d4", App: "shop", Env: "dev", Runner: "a"}))
	var n int
	must(db.r.QueryRowContext(ctx, "SELECT n FROM deployments WHERE id = 'd4'").Scan(&n))
	if n != 4 {
		t.Fatalf("new deployment got n = %d, want 4 (after the deleted d3)", n)
	}
	orphans, err := db.FailOrphaned(ctx, record.Now(), "", "server stopped", record.Now())
	if err != nil || len(orphans) != 2 {
		t.Fatalf("FailOrphaned after migration = %v, %v; want d2 and d4", orphans, err)
	}
}

// TestMigrateToV5 upgrades a database of schema 4 holding an environment,
// its resources and deployments: deployments get their kind and source
// (rollbacks), the environment incarnation they belong to, its type and
// target; resources become active records keyed by their definition.
func TestMigrateToV5(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "paved.db")
	old := openAtSchema(t, path, "0001_init.sql", "0002_deployment_runner.sql", "0003_coordination.sql", "0004_targets.sql")
	for _, q := range []string{
		`INSERT INTO teams (name, created_at) VALUES ('core', '2026-01-01T00:00:00.000000Z')`,
		`INSERT INTO apps (name, team, created_at) VALUES ('shop', 'core', '2026-01-01T00:00:00.000000Z')`,
		`INSERT INTO environments (app, name, type, target, namespace, created_at) VALUES ('shop', 'dev', 'development', 'gitops', 'shop-dev', '2026-01-01T00:00:10.000000Z')`,
		`INSERT INTO resources (app, env, uid, definition_id, driver, updated_at) VALUES ('shop', 'dev', 'postgres.default#api.db', 'default-postgres', 'template', '2026-01-01T00:00:11.000000Z')`,
		`INSERT INTO deployments (id, app, env, status, created_at, finished_at) VALUES
			('gone', 'shop', 'dev', 'succeeded', '2026-01-01T00:00:01.000000Z', '2026-01-01T00:00:02.000000Z'),
			('d1', 'shop', 'dev', 'succeeded', '2026-01-01T00:00:12.000000Z', '2026-01-01T00:00:13.000000Z')`,
		`INSERT INTO deployments (id, app, env, status, rollback_of, created_at) VALUES ('d2', 'shop', 'dev', 'failed', 'd1', '2026-01-01T00:00:14.000000Z')`,
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	old.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.CheckMigratedToV5(t, db)
}

// openAtSchema creates a database at path holding the given migrations
// only (applied with foreign keys off, as migrate does), and returns a
// plain connection to it.
func openAtSchema(t *testing.T, path string, names ...string) *sql.DB {
	t.Helper()
	ctx := context.Background()
	old, err := sql.Open("sqlite", path+"?"+dsnCommon)
	if err != nil {
		t.Fatal(err)
	}
	old.SetMaxOpenConns(1) // the pragma holds for this connection only
	t.Cleanup(func() { old.Close() })
	if _, err := old.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		script, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.ExecContext(ctx, string(script)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := old.ExecContext(ctx, "INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00.000000Z')", i+1, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.ExecContext(ctx, "PRAGMA foreign_keys = ON"); err != nil {
		t.Fatal(err)
	}
	return old
}

// deploymentsSchema describes the deployments table as SQLite holds it:
// its columns, its indexes and triggers (their SQL), the foreign keys of
// deployments and of events.
func deploymentsSchema(t *testing.T, q querier) (columns, objects, fks, eventFKs []string) {
	t.Helper()
	ctx := context.Background()
	read := func(query string) []string {
		t.Helper()
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			dest := make([]any, len(cols))
			for i := range vals {
				dest[i] = &vals[i]
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, v := range vals {
				parts = append(parts, v.String)
			}
			out = append(out, strings.Join(parts, " | "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return read("SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('deployments')"),
		read("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'deployments' AND type IN ('index', 'trigger') ORDER BY name"),
		read("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('deployments')"),
		read("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('events')")
}

// TestMigrateToV6 upgrades a database of schema 5 holding deployments:
// 0006 rebuilds the deployments table without its reference to apps,
// keeping every row, the numbering, the columns in their order, every
// index and the immutability trigger; events still reference deployments.
func TestMigrateToV6(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "paved.db")
	old := openAtSchema(t, path, "0001_init.sql", "0002_deployment_runner.sql", "0003_coordination.sql", "0004_targets.sql", "0005_lifecycle.sql")
	for _, q := range storetest.MigrationV5Rows {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	columns, objects, fks, eventFKs := deploymentsSchema(t, old)
	if len(fks) != 1 || !strings.HasPrefix(fks[0], "apps | app | name") {
		t.Fatalf("foreign keys of deployments at schema 5: %q, want apps (name)", fks)
	}
	old.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v < 6 {
		t.Fatalf("SchemaVersion = %d, %v; want 6 or later", v, err)
	}
	// The schema as 0006 left it (later migrations change deployments
	// again), compared with schema 5's.
	at6 := openAtSchema(t, filepath.Join(t.TempDir(), "v6.db"), "0001_init.sql", "0002_deployment_runner.sql", "0003_coordination.sql",
		"0004_targets.sql", "0005_lifecycle.sql", "0006_deployments_outlive_apps.sql")
	columns6, objects6, _, _ := deploymentsSchema(t, at6)
	_, _, fks6, eventFKs6 := deploymentsSchema(t, db.r)
	if strings.Join(columns6, "\n") != strings.Join(columns, "\n") {
		t.Errorf("columns of deployments after 0006:\n%s\nwant, as at schema 5:\n%s", strings.Join(columns6, "\n"), strings.Join(columns, "\n"))
	}
	if strings.Join(objects6, "\n") != strings.Join(objects, "\n") {
		t.Errorf("indexes and triggers of deployments after 0006:\n%s\nwant, as at schema 5:\n%s", strings.Join(objects6, "\n"), strings.Join(objects, "\n"))
	}
	if len(objects6) < 7 {
		t.Errorf("deployments has %d indexes and triggers, want its 5 indexes, its unique id and its trigger", len(objects6))
	}
	if len(fks6) != 0 {
		t.Errorf("foreign keys of deployments after 0006: %q, want none", fks6)
	}
	if len(eventFKs6) != 1 || !strings.HasPrefix(eventFKs6[0], "deployments | deployment | id") || strings.Join(eventFKs6, "") != strings.Join(eventFKs, "") {
		t.Errorf("foreign keys of events after 0006: %q, want deployments (id) as before (%q)", eventFKs6, eventFKs)
	}

	storetest.CheckMigratedToV6(t, db, func(sql string) error {
		_, err := db.w.ExecContext(ctx, sql)
		return err
	})
	// Numbering goes on after the highest n ever handed out (d4's, deleted).
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT n FROM deployments WHERE id = 'd5'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("a deployment created after 0006 got n = %d, want 5 (after the deleted d4)", n)
	}
}

// TestMigrateToV9 upgrades a database of schema 8 holding teams: 0009 adds
// their budget (none for every existing team) and the price lists.
func TestMigrateToV9(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "paved.db")
	old := openAtSchema(t, path, "0001_init.sql", "0002_deployment_runner.sql", "0003_coordination.sql", "0004_targets.sql",
		"0005_lifecycle.sql", "0006_deployments_outlive_apps.sql", "0007_audit_by_action.sql", "0008_policies.sql")
	for _, q := range storetest.MigrationV8Rows {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	old.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v < 9 {
		t.Fatalf("SchemaVersion = %d, %v; want 9 or later", v, err)
	}
	storetest.CheckMigratedToV9(t, db)
}
