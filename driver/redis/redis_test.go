package redis

import (
	"context"
	"crypto/rand"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"paved.dev/paved"
	"paved.dev/paved/driver/drivertest"
)

const testAddr = "127.0.0.1:6379"

// requireServer skips the test when Redis is not running, except in CI where
// that is a failure.
func requireServer(t *testing.T) {
	t.Helper()
	drivertest.RequireServer(t, "Redis", testAddr)
}

func adminInputs() map[string]any {
	return map[string]any{"host": "127.0.0.1", "port": 6379}
}

// uniqueRequest returns a request for a resource of an app that no other
// test run uses.
func uniqueRequest(t *testing.T, inputs map[string]any) *paved.ResourceRequest {
	t.Helper()
	return drivertest.UniqueRequest(t, "cache", &paved.ResourceDefinition{ID: "rd", Type: "redis", Driver: "redis", Inputs: inputs})
}

func client(t *testing.T, user, password string) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: testAddr, Username: user, Password: password, DisableIdentity: true, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestProvisionUseDeprovision(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	d := New(nil)
	req := uniqueRequest(t, adminInputs())
	admin := client(t, "", "")

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
	for _, k := range []string{"host", "port", "username", "password", "prefix"} {
		if out[k] == nil || out[k] == "" {
			t.Errorf("output %s is empty", k)
		}
	}
	user, password, prefix := out["username"].(string), out["password"].(string), out["prefix"].(string)
	if !strings.HasPrefix(user, "paved_"+req.Context.App+"_dev_web_cache_") || prefix != user+":" {
		t.Errorf("user %q, prefix %q: want paved_<app>_dev_web_cache_<hash> and <user>:", user, prefix)
	}

	// The user may use keys under its prefix and nothing else.
	c := client(t, user, password)
	if err := c.Set(ctx, prefix+"greeting", "hello", 0).Err(); err != nil {
		t.Fatalf("SET under the prefix: %v", err)
	}
	if got, err := c.Get(ctx, prefix+"greeting").Result(); err != nil || got != "hello" {
		t.Fatalf("GET = %q, %v; want hello", got, err)
	}
	outside := "paved_test_outside_" + req.Context.App
	if err := c.Set(ctx, outside, "x", 0).Err(); !goredis.IsPermissionError(err) {
		t.Errorf("SET %s outside the prefix = %v, want NOPERM", outside, err)
	}
	for _, cmd := range [][]any{{"KEYS", "*"}, {"FLUSHALL"}, {"SELECT", "1"}} {
		if err := c.Do(ctx, cmd...).Err(); !goredis.IsPermissionError(err) {
			t.Errorf("%v = %v, want NOPERM", cmd, err)
		}
	}
	// Enough keys for SCAN to take several rounds at deprovision.
	pipe := c.Pipeline()
	for i := range 3000 {
		pipe.Set(ctx, fmt.Sprintf("%sk%d", prefix, i), i, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := admin.Set(ctx, outside, "keep", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Del(ctx, outside) })
	if err := client(t, user, "wrong").Ping(ctx).Err(); err == nil {
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

	// With the state lost, the user stays and its password is reset.
	req.State = nil
	lost, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision without state: %v", err)
	}
	if lost.Outputs["username"] != user || lost.Outputs["password"] == password {
		t.Errorf("without state: user %v, password changed %v; want same user, new password", lost.Outputs["username"], lost.Outputs["password"] != password)
	}
	c = client(t, user, lost.Outputs["password"].(string))
	if got, err := c.Get(ctx, prefix+"greeting").Result(); err != nil || got != "hello" {
		t.Fatalf("GET with the reset password = %q, %v", got, err)
	}

	req.State = lost.State
	start = time.Now()
	if err := d.Deprovision(ctx, req); err != nil {
		t.Fatalf("Deprovision: %v", err)
	}
	t.Logf("deprovisioned in %v", time.Since(start))
	if users, err := admin.Do(ctx, "ACL", "USERS").StringSlice(); err != nil || contains(users, user) {
		t.Errorf("ACL USERS = %v, %v; want %s gone", users, err, user)
	}
	if n, err := admin.Exists(ctx, prefix+"greeting", prefix+"k0", prefix+"k2999").Result(); err != nil || n != 0 {
		t.Errorf("%d keys under the prefix left, %v", n, err)
	}
	if got, _ := admin.Get(ctx, outside).Result(); got != "keep" {
		t.Errorf("the key outside the prefix = %q, want it kept", got)
	}
	if err := d.Deprovision(ctx, req); err != nil {
		t.Errorf("Deprovision twice: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestDeprovisionRefusesForeignNames(t *testing.T) {
	t.Parallel()
	for _, st := range []map[string]any{
		{"username": "default", "prefix": "default:"},
		{"username": "paved_x", "prefix": ""},
		{"username": "paved_x", "prefix": "paved_"},
	} {
		req := uniqueRequest(t, adminInputs())
		req.State = st
		if st["prefix"] == "" {
			st["prefix"] = "*"
		}
		err := New(nil).Deprovision(context.Background(), req)
		if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("state %v: err = %v, want a refusal", st, err)
		}
	}
}

// testUser creates an ACL user with a password and the given rules for the
// length of the test.
func testUser(t *testing.T, rules ...any) (name, password string) {
	t.Helper()
	ctx := context.Background()
	admin := client(t, "", "")
	name, password = "paved_test_admin_"+strings.ToLower(rand.Text()[:8]), "right-password"
	args := append([]any{"ACL", "SETUSER", name, "on", ">" + password}, rules...)
	if err := admin.Do(ctx, args...).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Do(ctx, "ACL", "DELUSER", name) })
	return name, password
}

func TestBadInputs(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	pwAdmin, _ := testUser(t, "~*", "&*", "+@all")
	with := func(changes map[string]any) map[string]any { return drivertest.With(adminInputs(), changes) }
	tests := []struct {
		name     string
		inputs   map[string]any
		wantCode string
		wantMsg  string
		maxTime  time.Duration
	}{
		{"wrong password", with(map[string]any{"username": pwAdmin, "password": "secret-wrong"}), paved.EUNAUTHORIZED,
			`authentication failed for user "` + pwAdmin + `" at 127.0.0.1:6379: check the definition's username/password`, time.Second},
		{"unreachable", with(map[string]any{"port": 1}), paved.EUNAVAILABLE, "redis at 127.0.0.1:1 is unavailable after 4 tries", 10 * time.Second},
		{"missing host", with(map[string]any{"host": nil}), paved.EINVALID, "host is required", time.Second},
		{"port as a list", with(map[string]any{"port": []any{1}}), paved.EINVALID, "port must be a TCP port number", time.Second},
		{"password as a number", with(map[string]any{"password": 1234}), paved.EINVALID, "password must be a string, not a number", time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := New(nil).Provision(ctx, uniqueRequest(t, tt.inputs))
			elapsed := time.Since(start)
			if got := paved.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "secret-wrong") || strings.Contains(err.Error(), "1234") {
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
		t.Errorf("Check as default: %v", err)
	}
	tests := []struct {
		rules []any
		want  string
	}{
		{[]any{"~*", "+@all", "-@dangerous"}, "may not run ACL commands"},
		{[]any{"~paved_probe", "+@all", "-scan"}, "may not run SCAN, UNLINK"},
	}
	for _, tt := range tests {
		user, pw := testUser(t, tt.rules...)
		err := d.Probe(ctx, map[string]any{"host": "127.0.0.1", "username": user, "password": pw})
		if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Check as a user with %v = %v, want it to say %q", tt.rules, err, tt.want)
		}
	}
}

func TestGlobEscape(t *testing.T) {
	t.Parallel()
	if got, want := globEscape(`a*b?[c]\`), `a\*b\?\[c\]\\`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
