package postgres

import (
	"context"
	"crypto/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/driver/drivertest"
)

const testAddr = "127.0.0.1:5432"

// requireServer skips the test when PostgreSQL is not running, except in CI
// where that is a failure.
func requireServer(t *testing.T) {
	t.Helper()
	drivertest.RequireServer(t, "PostgreSQL", testAddr)
}

func adminInputs() map[string]any {
	return map[string]any{"host": "127.0.0.1", "port": 5432, "username": "postgres", "password": "", "sslmode": "disable"}
}

// uniqueRequest returns a request for a resource of an app that no other
// test run uses.
func uniqueRequest(t *testing.T, inputs map[string]any) *paved.ResourceRequest {
	t.Helper()
	return drivertest.UniqueRequest(t, "db", &paved.ResourceDefinition{ID: "pg", Type: "postgres", Driver: "postgres", Inputs: inputs})
}

func adminConn(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	if err != nil {
		t.Fatalf("connect as admin: %v", err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

func exists(t *testing.T, admin *pgx.Conn, query, name string) bool {
	t.Helper()
	var ok bool
	if err := admin.QueryRow(context.Background(), query, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

const (
	roleExists = "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)"
	dbExists   = "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)"
)

func TestProvisionUseDeprovision(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	d := New(nil)
	req := uniqueRequest(t, adminInputs())
	admin := adminConn(t)

	start := time.Now()
	res, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision: %v", err)
	}
	t.Logf("provisioned in %v", time.Since(start))
	t.Cleanup(func() {
		_ = d.Deprovision(ctx, &paved.ResourceRequest{UID: req.UID, Definition: req.Definition, Context: req.Context, State: res.State})
	})

	out := res.Outputs
	for _, k := range []string{"host", "port", "name", "database", "username", "password", "uri"} {
		if out[k] == nil || out[k] == "" {
			t.Errorf("output %s is empty", k)
		}
	}
	name := out["database"].(string)
	if !strings.HasPrefix(name, "paved_"+req.Context.App+"_dev_web_db_") || len(name) > 63 {
		t.Errorf("database = %q, want paved_<app>_dev_web_db_<hash>", name)
	}

	// The created role can use its database, with its password checked:
	// paved_password_auth members must give a password (.ci/services.sh).
	checkPasswords := passwordGroup(t, admin)
	if checkPasswords {
		if _, err := admin.Exec(ctx, "GRANT paved_password_auth TO "+pgx.Identifier{out["username"].(string)}.Sanitize()); err != nil {
			t.Fatal(err)
		}
	}
	user, err := pgx.Connect(ctx, out["uri"].(string))
	if err != nil {
		t.Fatalf("connect as the created role: %v", err)
	}
	for _, q := range []string{"CREATE TABLE notes (id int PRIMARY KEY, body text)", "INSERT INTO notes VALUES (1, 'hello')"} {
		if _, err := user.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var body string
	if err := user.QueryRow(ctx, "SELECT body FROM notes WHERE id = 1").Scan(&body); err != nil || body != "hello" {
		t.Fatalf("select = %q, %v; want hello", body, err)
	}
	user.Close(ctx)
	wrong := strings.Replace(out["uri"].(string), out["password"].(string), "wrong", 1)
	if c, err := pgx.Connect(ctx, wrong); err == nil && checkPasswords {
		c.Close(ctx)
		if drivertest.CI() {
			t.Fatal("a wrong password was accepted: pg_hba.conf trusts the role; run .ci/services.sh")
		}
		t.Log("a wrong password was accepted: pg_hba.conf trusts the role; run .ci/services.sh to check passwords")
	}

	// Provisioning again with the state returns the same outputs.
	req.State = res.State
	start = time.Now()
	again, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision again: %v", err)
	}
	t.Logf("provisioned again in %v", time.Since(start))
	if !reflect.DeepEqual(again.Outputs, res.Outputs) {
		t.Errorf("outputs changed:\n got %v\nwant %v", again.Outputs, res.Outputs)
	}

	// With the state lost, the names stay and the password is reset.
	req.State = nil
	lost, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision without state: %v", err)
	}
	if lost.Outputs["database"] != name || lost.Outputs["password"] == out["password"] {
		t.Errorf("without state: database %v, password changed %v; want same database, new password", lost.Outputs["database"], lost.Outputs["password"] != out["password"])
	}
	user, err = pgx.Connect(ctx, lost.Outputs["uri"].(string))
	if err != nil {
		t.Fatalf("connect with the reset password: %v", err)
	}
	if err := user.QueryRow(ctx, "SELECT body FROM notes WHERE id = 1").Scan(&body); err != nil {
		t.Fatalf("data lost after reprovisioning: %v", err)
	}
	// An open session must not stop deprovisioning.
	defer user.Close(ctx)

	req.State = lost.State
	start = time.Now()
	if err := d.Deprovision(ctx, req); err != nil {
		t.Fatalf("Deprovision: %v", err)
	}
	t.Logf("deprovisioned in %v", time.Since(start))
	if exists(t, admin, dbExists, name) || exists(t, admin, roleExists, name) {
		t.Errorf("database or role %s still exists after Deprovision", name)
	}
	if err := d.Deprovision(ctx, req); err != nil {
		t.Errorf("Deprovision twice: %v", err)
	}
}

func TestDeprovisionRefusesForeignNames(t *testing.T) {
	t.Parallel()
	req := uniqueRequest(t, adminInputs())
	req.State = map[string]any{"database": "postgres", "username": "postgres", "password": "x"}
	err := New(nil).Deprovision(context.Background(), req)
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("err = %v, want a refusal", err)
	}
}

func TestBadInputs(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	admin := adminConn(t)

	// A role that must give a password (see .ci/services.sh).
	pwAdmin := "paved_test_admin_" + strings.ToLower(rand.Text()[:8])
	ident := pgx.Identifier{pwAdmin}.Sanitize()
	create := "CREATE ROLE " + ident + " LOGIN CREATEDB CREATEROLE PASSWORD 'right'"
	if passwordGroup(t, admin) {
		create += " IN ROLE paved_password_auth"
	}
	if _, err := admin.Exec(ctx, create); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(ctx, "DROP ROLE IF EXISTS "+ident) })

	with := func(changes map[string]any) map[string]any { return drivertest.With(adminInputs(), changes) }
	tests := []struct {
		name     string
		inputs   map[string]any
		wantCode string
		wantMsg  string
		maxTime  time.Duration
	}{
		{"wrong password", with(map[string]any{"username": pwAdmin, "password": "secret-wrong"}), paved.EUNAUTHORIZED,
			`authentication failed for user "` + pwAdmin + `" at 127.0.0.1:5432: check the definition's username/password`, time.Second},
		{"unreachable", with(map[string]any{"port": 1}), paved.EUNAVAILABLE, "postgres at 127.0.0.1:1 is unavailable after 4 tries", 10 * time.Second},
		{"missing host", with(map[string]any{"host": nil}), paved.EINVALID, "host is required", time.Second},
		{"bad port and unknown input", with(map[string]any{"port": "x", "hots": "a"}), paved.EINVALID, `port must be a TCP port number from 1 to 65535 (default 5432); unknown input "hots"`, time.Second},
		{"no such database", with(map[string]any{"database": "paved_nonexistent"}), paved.EINVALID, `no database "paved_nonexistent"`, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.name == "wrong password" && !passwordsChecked(t, pwAdmin) {
				return
			}
			req := uniqueRequest(t, tt.inputs)
			start := time.Now()
			_, err := New(nil).Provision(ctx, req)
			elapsed := time.Since(start)
			if got := paved.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "secret-wrong") {
				t.Errorf("err = %q shows the password", err)
			}
			if elapsed > tt.maxTime {
				t.Errorf("took %v, want under %v", elapsed, tt.maxTime)
			}
			if err := New(nil).ValidateInputs(tt.inputs); (err != nil) != (tt.wantCode == paved.EINVALID && tt.name != "no such database") {
				t.Errorf("ValidateInputs = %v", err)
			}
		})
	}
}

// passwordGroup tells whether the role paved_password_auth, whose members
// .ci/services.sh makes give a password, exists; it fails the test in CI
// when it does not.
func passwordGroup(t *testing.T, admin *pgx.Conn) bool {
	t.Helper()
	if exists(t, admin, roleExists, "paved_password_auth") {
		return true
	}
	if drivertest.CI() {
		t.Fatal("PostgreSQL has no role paved_password_auth: CI must run .ci/services.sh first")
	}
	t.Log("PostgreSQL has no role paved_password_auth: run .ci/services.sh to test passwords")
	return false
}

// passwordsChecked tells whether the server asks role for a password; it
// fails the test in CI when it does not.
func passwordsChecked(t *testing.T, role string) bool {
	t.Helper()
	c, err := pgx.Connect(context.Background(), "host=127.0.0.1 port=5432 dbname=postgres sslmode=disable password=nope user="+role)
	if err != nil {
		return true
	}
	c.Close(context.Background())
	if drivertest.CI() {
		t.Fatal("PostgreSQL trusts every local connection: run .ci/services.sh to make paved_password_auth members give a password")
	}
	t.Skip("PostgreSQL trusts every local connection: run .ci/services.sh to test wrong passwords")
	return false
}

func TestCheck(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	admin := adminConn(t)
	d := New(nil)
	if err := d.Probe(ctx, adminInputs()); err != nil {
		t.Errorf("Check as superuser: %v", err)
	}

	suffix := strings.ToLower(rand.Text()[:8])
	weak, able := "paved_test_weak_"+suffix, "paved_test_able_"+suffix
	for _, q := range []string{
		"CREATE ROLE " + weak + " LOGIN",
		"CREATE ROLE " + able + " LOGIN CREATEDB CREATEROLE",
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(ctx, "DROP ROLE IF EXISTS "+weak)
		_, _ = admin.Exec(ctx, "DROP ROLE IF EXISTS "+able)
	})
	in := adminInputs()
	in["username"] = weak
	err := d.Probe(ctx, in)
	if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "lacks CREATEDB and CREATEROLE") {
		t.Errorf("Check as %s = %v, want it to say CREATEDB and CREATEROLE are missing", weak, err)
	}

	// A role with CREATEDB and CREATEROLE but no superuser can do the job.
	in["username"] = able
	if err := d.Probe(ctx, in); err != nil {
		t.Errorf("Check as %s: %v", able, err)
	}
	req := uniqueRequest(t, in)
	res, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision as %s: %v", able, err)
	}
	req.State = res.State
	if err := d.Deprovision(ctx, req); err != nil {
		t.Fatalf("Deprovision as %s: %v", able, err)
	}
	if name := res.State["database"].(string); exists(t, admin, dbExists, name) || exists(t, admin, roleExists, name) {
		t.Errorf("%s still exists", name)
	}
}

// The server accepting the verifier is tested by connecting with the
// password in TestProvisionUseDeprovision.
func TestScramVerifierFormat(t *testing.T) {
	t.Parallel()
	v, err := scramVerifier("pw")
	if err != nil || !strings.HasPrefix(v, "SCRAM-SHA-256$4096:") || strings.Count(v, "$") != 2 || strings.Contains(v, "pw") {
		t.Errorf("verifier %q, %v", v, err)
	}
}
