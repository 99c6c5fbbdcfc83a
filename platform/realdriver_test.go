package platform

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
)

func requirePostgres(t *testing.T) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second)
	if err == nil {
		c.Close()
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is not reachable at 127.0.0.1:5432 (%v): CI must run .ci/services.sh first", err)
	}
	t.Skipf("PostgreSQL is not reachable at 127.0.0.1:5432 (%v): start it to run this test", err)
}

// realPostgres is a fixture with the real postgres driver, a definition
// that provides postgres from the local server in environments of envType,
// and an app of the pioneers that no other test run uses.
func realPostgres(t *testing.T, envType paved.EnvType) (*fixture, string) {
	t.Helper()
	requirePostgres(t)
	f := newFixture(t)
	app := "rp" + strings.ToLower(rand.Text()[:8])
	must(t, f.p.CreateApp(f.dev, &paved.App{Name: app, Team: "pioneers"}))
	_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{
		ID: "pg-shared-" + string(envType), Type: "postgres", Driver: "postgres",
		Criteria: []paved.Criteria{{EnvType: envType}},
		Inputs:   map[string]any{"host": "127.0.0.1", "port": 5432, "username": "postgres", "password": "", "sslmode": "disable"},
	}})
	must(t, err)
	return f, app
}

// TestRealPostgresGoldenPath: an app whose postgres comes from the real
// postgres driver in dev (a database on the shared server) and from the
// in-cluster template in an ephemeral environment; the workload's credentials
// work on the server; deleting dev removes the database and the role.
func TestRealPostgresGoldenPath(t *testing.T) {
	f, app := realPostgres(t, "development")
	ctx := context.Background()
	if _, err := f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: app, Name: "dev", Type: "development"}); err != nil {
		t.Fatal(err)
	}
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: app, Env: "dev", Specs: shopSpecs()})
	must(t, err)
	f.p.Wait()
	got, _ := f.p.GetDeployment(f.dev, d.ID)
	if got.Status != paved.DeploymentSucceeded {
		t.Fatalf("deploy: %s %s", got.Status, got.Error)
	}
	db := paved.ResourceUID("postgres.default#api.db")
	out, err := f.p.Outputs(f.dev, app, "dev", db, true)
	must(t, err)
	if !strings.HasPrefix(fmt.Sprint(out["name"]), "paved_") {
		t.Fatalf("the database does not come from the postgres driver: %v", out)
	}
	// The workload's credentials work: connect as the created role.
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=127.0.0.1 port=%v user=%v password=%v dbname=%v sslmode=disable", out["port"], out["username"], out["password"], out["database"]))
	if err != nil {
		t.Fatalf("connecting with the outputs: %v", err)
	}
	_, err = conn.Exec(ctx, "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)")
	conn.Close(ctx)
	must(t, err)

	// An ephemeral copy gets the in-cluster template instead.
	if _, err := f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: app, Name: "pr-1", From: "dev", TTL: paved.Duration(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.p.Wait()
	rs, err := f.p.ListResources(f.dev, app, "pr-1")
	must(t, err)
	for _, r := range rs {
		if r.UID == db && r.DefinitionID != "default-postgres" {
			t.Errorf("pr-1's postgres came from %s, want the in-cluster default", r.DefinitionID)
		}
	}

	// Deleting dev deprovisions: the database and role are gone.
	if _, err := f.p.DeleteEnvironment(f.dev, app, "dev", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	must(t, err)
	defer admin.Close(ctx)
	var n int
	must(t, admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", out["database"]).Scan(&n))
	if n != 0 {
		t.Errorf("database %v survived the environment's deletion", out["database"])
	}
	must(t, admin.QueryRow(ctx, "SELECT count(*) FROM pg_roles WHERE rolname = $1", out["username"]).Scan(&n))
	if n != 0 {
		t.Errorf("role %v survived the environment's deletion", out["username"])
	}
	if _, err := f.p.DeleteEnvironment(f.dev, app, "pr-1", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestDriverFailureIsAClearEventAndNothingHalfDone: a definition whose
// server is unreachable fails the deployment with the driver's message in
// its events, and does not record the resource it could not make.
func TestDriverFailureIsAClearEventAndNothingHalfDone(t *testing.T) {
	requirePostgres(t)
	f := newFixture(t)
	_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{
		ID: "pg-unreachable", Type: "postgres", Driver: "postgres",
		Criteria: []paved.Criteria{{EnvType: "development"}},
		Inputs:   map[string]any{"host": "127.0.0.1", "port": 1, "username": "postgres", "password": "x", "sslmode": "disable"},
	}})
	must(t, err)
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	f.p.Wait()
	got, _ := f.p.GetDeployment(f.dev, d.ID)
	if got.Status != paved.DeploymentFailed || !strings.Contains(got.Error, "127.0.0.1:1") {
		t.Fatalf("deployment: %s %q", got.Status, got.Error)
	}
	evs, _ := f.p.Events(f.dev, d.ID, 0)
	if last := evs[len(evs)-1].Message; !strings.Contains(last, "failed") || !strings.Contains(last, "pg-unreachable") {
		t.Errorf("the last event does not say what failed: %q", last)
	}
	// The resource that failed is not recorded; those provisioned before
	// the failure are, so that deleting the environment removes them.
	rs, _ := f.store.ListResources(context.Background(), paved.ResourceFilter{App: "shop", Env: "dev"})
	for _, r := range rs {
		if r.UID == "postgres.default#api.db" {
			t.Errorf("the resource whose provisioning failed is recorded: %+v", r)
		}
	}
}

// TestExpiryDeprovisionsRealResources: an ephemeral environment whose
// postgres is a real database expires; the reaper drops the database and
// the role on the server.
func TestExpiryDeprovisionsRealResources(t *testing.T) {
	f, app := realPostgres(t, "ephemeral")
	ctx := context.Background()
	if _, err := f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: app, Name: "pr-9", Type: "ephemeral", TTL: paved.Duration(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: app, Env: "pr-9", Specs: shopSpecs()})
	must(t, err)
	f.p.Wait()
	if got, _ := f.p.GetDeployment(f.dev, d.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("deploy: %s %s", got.Status, got.Error)
	}
	out, err := f.p.Outputs(f.dev, app, "pr-9", "postgres.default#api.db", false)
	must(t, err)
	f.clock.Add(3 * time.Hour)
	if n, err := f.p.Reap(ctx); err != nil || n != 1 {
		t.Fatalf("reap = %d, %v", n, err)
	}
	admin, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	must(t, err)
	defer admin.Close(ctx)
	var n int
	must(t, admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", out["database"]).Scan(&n))
	if n != 0 {
		t.Errorf("database %v survived the environment's expiry", out["database"])
	}
	must(t, admin.QueryRow(ctx, "SELECT count(*) FROM pg_roles WHERE rolname = $1", out["username"]).Scan(&n))
	if n != 0 {
		t.Errorf("role %v survived the environment's expiry", out["username"])
	}
}

// TestDefinitionSwitchOnRealPostgres: a resource first provided in-cluster
// by the template, then by the real postgres driver, then by another
// postgres definition: each plan says what re-provisions it and what it
// was; each old resource is kept, orphaned, and the real database it holds
// stays on the server with its data; deleting the environment drops them
// all.
func TestDefinitionSwitchOnRealPostgres(t *testing.T) {
	requirePostgres(t)
	f := newFixture(t)
	ctx := context.Background()
	app := "ds" + strings.ToLower(rand.Text()[:8])
	must(t, f.p.CreateApp(f.dev, &paved.App{Name: app, Team: "pioneers"}))
	_, err := f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: app, Name: "dev"})
	must(t, err)
	db := paved.ResourceUID("postgres.default#api.db")
	deploy := func() {
		t.Helper()
		d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: app, Env: "dev", Specs: shopSpecs()})
		must(t, err)
		f.p.Wait()
		if got, _ := f.p.GetDeployment(f.dev, d.ID); got.Status != paved.DeploymentSucceeded {
			t.Fatalf("deploy: %s %s", got.Status, got.Error)
		}
	}
	planFor := func() paved.PlannedResource {
		t.Helper()
		plan, err := f.p.Plan(f.dev, &paved.DeployRequest{App: app, Env: "dev", Specs: shopSpecs()})
		must(t, err)
		for _, r := range plan.Resources {
			if r.UID == db {
				return r
			}
		}
		t.Fatalf("the plan has no %s", db)
		return paved.PlannedResource{}
	}
	realDef := func(id string, criteria paved.Criteria) {
		t.Helper()
		_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: id, Type: "postgres", Driver: "postgres",
			Criteria: []paved.Criteria{criteria},
			Inputs:   map[string]any{"host": "127.0.0.1", "port": 5432, "username": "postgres", "password": "", "sslmode": "disable"}}})
		must(t, err)
	}
	admin, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	must(t, err)
	defer admin.Close(ctx)
	exists := func(database any) bool {
		var n int
		must(t, admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", database).Scan(&n))
		return n == 1
	}

	deploy() // the in-cluster template
	realDef("pg-real-"+app, paved.Criteria{App: app})
	if r := planFor(); r.Action != paved.PlanReprovision || r.Was == nil || r.Was.ID != "default-postgres" ||
		!strings.Contains(r.Reason, "re-provisioned by definition pg-real-"+app+" v1 (was default-postgres (built in))") {
		t.Fatalf("the plan after the first switch: %+v", r)
	}
	deploy()
	first, err := f.p.Outputs(f.dev, app, "dev", db, true)
	must(t, err)
	if !exists(first["database"]) {
		t.Fatalf("the real database %v was not made", first["database"])
	}
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=127.0.0.1 port=5432 user=%v password=%v dbname=%v sslmode=disable", first["username"], first["password"], first["database"]))
	must(t, err)
	_, err = conn.Exec(ctx, "CREATE TABLE orders (id int); INSERT INTO orders VALUES (42)")
	conn.Close(ctx)
	must(t, err)

	// A more specific definition (this environment by name) takes over.
	realDef("pg-dev-"+app, paved.Criteria{App: app, Env: "dev"})
	if r := planFor(); r.Action != paved.PlanReprovision || r.Was == nil || r.Was.ID != "pg-real-"+app {
		t.Fatalf("the plan after the second switch: %+v", r)
	}
	deploy()
	second, err := f.p.Outputs(f.dev, app, "dev", db, false)
	must(t, err)
	if second["database"] == first["database"] || !exists(second["database"]) {
		t.Fatalf("the second definition's database %v (the first was %v)", second["database"], first["database"])
	}
	// The first real database is kept, with its data, as an orphan.
	if !exists(first["database"]) {
		t.Fatalf("re-provisioning dropped the old database %v", first["database"])
	}
	conn, err = pgx.Connect(ctx, fmt.Sprintf("host=127.0.0.1 port=5432 user=%v password=%v dbname=%v sslmode=disable", first["username"], first["password"], first["database"]))
	must(t, err)
	var id int
	must(t, conn.QueryRow(ctx, "SELECT id FROM orders").Scan(&id))
	conn.Close(ctx)
	if id != 42 {
		t.Errorf("the orphaned database lost its data: %d", id)
	}
	states := resourceStates(t, f, app, db)
	want := []string{"default-postgres=orphaned", "pg-dev-" + app + "=active", "pg-real-" + app + "=orphaned"}
	if strings.Join(states, " ") != strings.Join(want, " ") {
		t.Errorf("postgres resources: %v, want %v", states, want)
	}

	if _, err := f.p.DeleteEnvironment(f.dev, app, "dev", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, database := range []any{first["database"], second["database"]} {
		if exists(database) {
			t.Errorf("database %v survived the environment's deletion", database)
		}
	}
}
