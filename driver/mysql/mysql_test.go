package mysql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"paved.dev/paved"
	"paved.dev/paved/driver/drivertest"
)

const testAddr = "127.0.0.1:3306"

// requireServer skips the test when MySQL/MariaDB is not running, except in
// CI where that is a failure.
func requireServer(t *testing.T) {
	t.Helper()
	drivertest.RequireServer(t, "MySQL/MariaDB", testAddr)
}

func adminInputs() map[string]any {
	return map[string]any{"host": "127.0.0.1", "port": 3306, "username": "root", "password": ""}
}

// uniqueRequest returns a request for a resource of an app that no other
// test run uses.
func uniqueRequest(t *testing.T, inputs map[string]any) *paved.ResourceRequest {
	t.Helper()
	return drivertest.UniqueRequest(t, "db", &paved.ResourceDefinition{ID: "my", Type: "mysql", Driver: "mysql", Inputs: inputs})
}

func open(t *testing.T, user, password, database string) *sql.DB {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User, cfg.Passwd, cfg.DBName = "tcp", testAddr, user, password, database
	cfg.Timeout = 2 * time.Second
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestProvisionUseDeprovision(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	d := New(nil)
	req := uniqueRequest(t, adminInputs())
	admin := open(t, "root", "", "")

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
	dbName, user, password := out["database"].(string), out["username"].(string), out["password"].(string)
	if !strings.HasPrefix(dbName, "paved_"+req.Context.App+"_dev_web_db_") || len(dbName) > 64 || len(user) > 32 {
		t.Errorf("database %q, user %q: want paved_<app>_dev_web_db_<hash> within 64 and 32 characters", dbName, user)
	}
	if want := "mysql://" + user + ":" + password + "@127.0.0.1:3306/" + dbName; out["uri"] != want {
		t.Errorf("uri = %q, want %q", out["uri"], want)
	}

	// The created user can use its database, and nothing else.
	db := open(t, user, password, dbName)
	for _, q := range []string{"CREATE TABLE notes (id int PRIMARY KEY, body text)", "INSERT INTO notes VALUES (1, 'hello')"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var body string
	if err := db.QueryRow("SELECT body FROM notes WHERE id = 1").Scan(&body); err != nil || body != "hello" {
		t.Fatalf("select = %q, %v; want hello", body, err)
	}
	if _, err := db.Exec("CREATE DATABASE " + dbName + "x"); err == nil {
		_, _ = admin.Exec("DROP DATABASE " + dbName + "x")
		t.Error("the created user could create another database")
	}
	if err := open(t, user, "wrong", dbName).Ping(); err == nil {
		t.Error("a wrong password was accepted")
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
	if lost.Outputs["database"] != dbName || lost.Outputs["password"] == password {
		t.Errorf("without state: database %v, password changed %v; want same database, new password", lost.Outputs["database"], lost.Outputs["password"] != password)
	}
	db = open(t, user, lost.Outputs["password"].(string), dbName)
	if err := db.QueryRow("SELECT body FROM notes WHERE id = 1").Scan(&body); err != nil {
		t.Fatalf("data lost after reprovisioning: %v", err)
	}
	// An open transaction must not stop deprovisioning.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO notes VALUES (2, 'open')"); err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	req.State = lost.State
	start = time.Now()
	if err := d.Deprovision(ctx, req); err != nil {
		t.Fatalf("Deprovision: %v", err)
	}
	t.Logf("deprovisioned in %v", time.Since(start))
	if n := count(t, admin, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", dbName); n != 0 {
		t.Errorf("database %s still exists", dbName)
	}
	if n := count(t, admin, "SELECT COUNT(*) FROM mysql.user WHERE User = ?", user); n != 0 {
		t.Errorf("user %s still exists", user)
	}
	if err := d.Deprovision(ctx, req); err != nil {
		t.Errorf("Deprovision twice: %v", err)
	}
}

func TestDeprovisionRefusesForeignNames(t *testing.T) {
	t.Parallel()
	req := uniqueRequest(t, adminInputs())
	req.State = map[string]any{"database": "mysql", "username": "root", "password": "x"}
	err := New(nil).Deprovision(context.Background(), req)
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("err = %v, want a refusal", err)
	}
}

func TestBadInputs(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	with := func(changes map[string]any) map[string]any { return drivertest.With(adminInputs(), changes) }
	tests := []struct {
		name     string
		inputs   map[string]any
		wantCode string
		wantMsg  string
		maxTime  time.Duration
	}{
		{"wrong password", with(map[string]any{"password": "secret-wrong"}), paved.EUNAUTHORIZED,
			`authentication failed for user "root" at 127.0.0.1:3306: check the definition's username/password`, time.Second},
		{"unreachable", with(map[string]any{"port": 1}), paved.EUNAVAILABLE, "mysql at 127.0.0.1:1 is unavailable after 4 tries", 10 * time.Second},
		{"missing host", with(map[string]any{"host": nil}), paved.EINVALID, "host is required", time.Second},
		{"bad tls and unknown input", with(map[string]any{"tls": "maybe", "hots": "a"}), paved.EINVALID, `tls "maybe" is not one of false, true, skip-verify, preferred; unknown input "hots"`, time.Second},
		{"no such database", with(map[string]any{"database": "paved_nonexistent"}), paved.EINVALID, `no database "paved_nonexistent"`, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
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
		})
	}
}

func TestCheck(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	d := New(nil)
	if err := d.Probe(ctx, adminInputs()); err != nil {
		t.Errorf("Check as root: %v", err)
	}

	admin := open(t, "root", "", "")
	weak := "paved_test_weak_" + strings.ToLower(rand.Text()[:8])
	if _, err := admin.Exec("CREATE USER '" + weak + "'@'%' IDENTIFIED BY 'pw'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP USER IF EXISTS '" + weak + "'@'%'") })
	in := adminInputs()
	in["username"], in["password"] = weak, "pw"
	err := d.Probe(ctx, in)
	if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "lacks CREATE USER, CREATE, DROP, GRANT OPTION") {
		t.Errorf("Check as %s = %v, want it to list what is missing", weak, err)
	}
	_, err = d.Provision(ctx, uniqueRequest(t, in))
	if paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("Provision as %s = %v, want forbidden", weak, err)
	}
}

func TestQuoting(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{quoteIdent("a`b"), "`a``b`"},
		{quoteString(`it's \ ok`), `'it''s \\ ok'`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}
