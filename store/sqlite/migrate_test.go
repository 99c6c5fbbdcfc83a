package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
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
	old, err := sql.Open("sqlite", path+"?"+dsnCommon)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"0001_init.sql", "0002_deployment_runner.sql", "0003_coordination.sql", "0004_targets.sql"} {
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
