package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/storetest"
)

const (
	testAddr  = "127.0.0.1:5432"
	adminURL  = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	urlFormat = "postgres://postgres@127.0.0.1:5432/%s?sslmode=disable"
)

// testDB is the database of this test run, created by TestMain and dropped
// at the end; "" when PostgreSQL is unreachable.
var testDB string

// serverErr says why PostgreSQL cannot be used.
var serverErr error

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	c, err := net.DialTimeout("tcp", testAddr, time.Second)
	if err != nil {
		serverErr = err
		return m.Run()
	}
	c.Close()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		serverErr = err
		return m.Run()
	}
	name := "paved_test_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		fmt.Fprintf(os.Stderr, "create test database: %v\n", err)
		return 1
	}
	testDB = name
	code := m.Run()
	if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", name, err)
	}
	admin.Close(ctx)
	return code
}

// requireServer skips the test when PostgreSQL is not running, except in CI
// where that is a failure.
func requireServer(t testing.TB) {
	t.Helper()
	if testDB != "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is not reachable at %s (%v): CI must run .ci/services.sh first", testAddr, serverErr)
	}
	t.Skipf("PostgreSQL is not reachable at %s as user postgres (%v): start it to run this test", testAddr, serverErr)
}

var schemas atomic.Int64

// openSchema opens a store in a schema of its own in the test database, so
// that tests run side by side without seeing each other's rows.
func openSchema(t testing.TB) *DB {
	t.Helper()
	requireServer(t)
	db, err := openInSchema()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// openInSchema creates a new schema in the test database and opens a store
// on it.
func openInSchema() (*DB, error) {
	schema, err := newSchema(context.Background())
	if err != nil {
		return nil, err
	}
	return Open(context.Background(), fmt.Sprintf(urlFormat, testDB)+"&pool_max_conns=4&search_path="+schema)
}

// newSchema creates an empty schema of its own in the test database.
func newSchema(ctx context.Context) (string, error) {
	schema := fmt.Sprintf("s%d", schemas.Add(1))
	admin, err := pgx.Connect(ctx, fmt.Sprintf(urlFormat, testDB))
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	return schema, err
}

func TestConformance(t *testing.T) {
	requireServer(t)
	storetest.Run(t, func(t *testing.T) paved.Store { return openSchema(t) })
}

// TestConcurrentOpen starts several servers on an empty database at once:
// the advisory lock lets exactly one apply the migrations.
func TestConcurrentOpen(t *testing.T) {
	requireServer(t)
	ctx := context.Background()
	schema := fmt.Sprintf("s%d", schemas.Add(1))
	admin, err := pgx.Connect(ctx, fmt.Sprintf(urlFormat, testDB))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	const servers = 6
	var wg sync.WaitGroup
	dbs := make([]*DB, servers)
	errs := make([]error, servers)
	for i := range servers {
		wg.Go(func() {
			dbs[i], errs[i] = Open(ctx, fmt.Sprintf(urlFormat, testDB)+"&pool_max_conns=4&search_path="+schema)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	var n, v int
	if err := admin.QueryRow(ctx, "SELECT COUNT(*), MAX(version) FROM "+schema+".schema_migrations").Scan(&n, &v); err != nil {
		t.Fatal(err)
	}
	// Versions may have gaps (numbers are handed out to work in
	// parallel): one row per migration file.
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	if n != len(files) || n < 1 {
		t.Fatalf("schema_migrations has %d rows up to version %d: a migration ran twice or not at all", n, v)
	}
	got, err := dbs[0].SchemaVersion(ctx)
	if err != nil || got != v {
		t.Fatalf("SchemaVersion = %d, %v; want %d", got, err, v)
	}
	// Every server sees the same store.
	if err := dbs[1].CreateTeam(ctx, &paved.Team{Name: "core"}); err != nil {
		t.Fatal(err)
	}
	teams, err := dbs[servers-1].ListTeams(ctx)
	if err != nil || len(teams) != 1 {
		t.Fatalf("another server lists %v, %v", teams, err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, "postgres://%zz"); paved.ErrorCode(err) != paved.EINVALID {
		t.Fatalf("Open with a bad URL = %v, want EINVALID", err)
	}
	// Nothing listens on port 1.
	if _, err := Open(ctx, "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"); paved.ErrorCode(err) != paved.EUNAVAILABLE {
		t.Fatalf("Open of a closed port = %v, want EUNAVAILABLE", err)
	}
}

// TestDeploymentsAreImmutable: see storetest.CheckDeploymentsImmutable.
func TestDeploymentsAreImmutable(t *testing.T) {
	db := openSchema(t)
	storetest.CheckDeploymentsImmutable(t, db, func(sql string) error {
		_, err := db.pool.Exec(context.Background(), sql)
		return err
	}, "now()")
}

// TestMigrateToV5 upgrades a database of schema 4 holding an environment,
// its resources and deployments: deployments get their kind and source
// (rollbacks), the environment incarnation they belong to, its type and
// target; resources become active records keyed by their definition.
func TestMigrateToV5(t *testing.T) {
	requireServer(t)
	ctx := context.Background()
	url, conn := schemaAt(t, "0001_init.sql", "0002_deployment_runner.sql", "0003_coordination.sql", "0004_targets.sql")
	for _, q := range []string{
		`INSERT INTO teams (name, created_at) VALUES ('core', '2026-01-01T00:00:00Z')`,
		`INSERT INTO apps (name, team, created_at) VALUES ('shop', 'core', '2026-01-01T00:00:00Z')`,
		`INSERT INTO environments (app, name, type, target, namespace, created_at) VALUES ('shop', 'dev', 'development', 'gitops', 'shop-dev', '2026-01-01T00:00:10Z')`,
		`INSERT INTO resources (app, env, uid, definition_id, driver, updated_at) VALUES ('shop', 'dev', 'postgres.default#api.db', 'default-postgres', 'template', '2026-01-01T00:00:11Z')`,
		`INSERT INTO deployments (id, app, env, status, created_at, finished_at) VALUES
			('gone', 'shop', 'dev', 'succeeded', '2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z'),
			('d1', 'shop', 'dev', 'succeeded', '2026-01-01T00:00:12Z', '2026-01-01T00:00:13Z')`,
		`INSERT INTO deployments (id, app, env, status, rollback_of, created_at) VALUES ('d2', 'shop', 'dev', 'failed', 'd1', '2026-01-01T00:00:14Z')`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.CheckMigratedToV5(t, db)
}

// schemaAt creates a schema of its own in the test database holding the
// given migrations only, and returns its URL and a connection to it.
func schemaAt(t *testing.T, names ...string) (string, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	schema, err := newSchema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf(urlFormat, testDB) + "&search_path=" + schema
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	steps := []string{`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`}
	for i, name := range names {
		script, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, string(script), fmt.Sprintf("INSERT INTO schema_migrations (version, name) VALUES (%d, '%s')", i+1, name))
	}
	for _, q := range steps {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	return url, conn
}

// TestMigrateToV6 upgrades a database of schema 5 holding deployments:
// 0006 drops their foreign key to apps, and only that one.
func TestMigrateToV6(t *testing.T) {
	requireServer(t)
	ctx := context.Background()
	url, conn := schemaAt(t, "0001_init.sql", "0002_deployment_runner.sql", "0003_coordination.sql", "0004_targets.sql", "0005_lifecycle.sql")
	for _, q := range storetest.MigrationV5Rows {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	// The foreign keys of deployments and events, by constraint name.
	fks := func() []string {
		t.Helper()
		rows, _ := conn.Query(ctx, `SELECT conname FROM pg_constraint
			WHERE contype = 'f' AND conrelid IN ('deployments'::regclass, 'events'::regclass) ORDER BY conname`)
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	if got := strings.Join(fks(), " "); got != "deployments_app_fkey events_deployment_fkey" {
		t.Fatalf("foreign keys at schema 5: %s", got)
	}
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v < 6 {
		t.Fatalf("SchemaVersion = %d, %v; want 6 or later", v, err)
	}
	if got := strings.Join(fks(), " "); got != "events_deployment_fkey" {
		t.Fatalf("foreign keys after 0006: %s, want events_deployment_fkey only", got)
	}
	storetest.CheckMigratedToV6(t, db, func(sql string) error {
		_, err := db.pool.Exec(ctx, sql)
		return err
	})
}

// TestMigrateToV9 upgrades a database of schema 8 holding teams: 0009 adds
// their budget (none for every existing team) and the price lists.
func TestMigrateToV9(t *testing.T) {
	requireServer(t)
	ctx := context.Background()
	url, conn := schemaAt(t, "0001_init.sql", "0002_deployment_runner.sql", "0003_coordination.sql", "0004_targets.sql",
		"0005_lifecycle.sql", "0006_deployments_outlive_apps.sql", "0007_audit_by_action.sql", "0008_policies.sql")
	for _, q := range storetest.MigrationV8Rows {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v < 9 {
		t.Fatalf("SchemaVersion = %d, %v; want 9 or later", v, err)
	}
	storetest.CheckMigratedToV9(t, db)
}
