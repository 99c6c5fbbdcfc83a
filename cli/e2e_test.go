package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved/examples"
	"paved.dev/paved/server"
)

// TestEndToEnd starts the real server wiring in-process on :0 and drives it
// through the CLI, as a platform engineer and a developer would.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PAVED_CONFIG", filepath.Join(dir, "client.json"))
	s, err := server.Start(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), MVPMode: true, AdminToken: "pvd_e2e_admin"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	app := filepath.Join(dir, "app")
	must(t, os.MkdirAll(app, 0o755))
	for _, f := range examples.Shop() {
		must(t, os.WriteFile(filepath.Join(app, f.Name), f.Data, 0o644))
	}
	admin := []string{"--server", s.URL, "--token", "pvd_e2e_admin"}
	ok := func(args ...string) string {
		t.Helper()
		code, out, errs := run(t, args...)
		if code != 0 {
			t.Fatalf("paved %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
		return out
	}
	ok(append([]string{"team", "create", "pioneers", "--pioneering"}, admin...)...)
	ok(append([]string{"team", "create", "others"}, admin...)...)
	ok(append([]string{"user", "create", "dana", "--role", "developer", "--team", "pioneers"}, admin...)...)
	ok(append([]string{"user", "create", "olaf", "--role", "developer", "--team", "others"}, admin...)...)
	danaTok := strings.TrimSpace(ok(append([]string{"user", "token", "create", "dana"}, admin...)...))
	olafTok := strings.TrimSpace(ok(append([]string{"user", "token", "create", "olaf"}, admin...)...))

	// dana logs in: later commands use the saved config.
	out := ok("login", "--server", s.URL, "--token", danaTok)
	if !strings.Contains(out, "as dana (developer)") {
		t.Fatalf("login: %s", out)
	}
	// Logging in again with the server from the environment saves that
	// server, the one the token was checked against.
	t.Setenv("PAVED_SERVER", s.URL)
	ok("login", "--token", danaTok)
	if cfg, _ := readClientConfig(); cfg.Server != s.URL {
		t.Fatalf("login saved server %q, want %q", cfg.Server, s.URL)
	}
	t.Setenv("PAVED_SERVER", "")
	ok("app", "create", "shop", "--team", "pioneers")
	ok("env", "create", "dev", "--app", "shop")
	out = ok("plan", "-f", app, "--app", "shop", "--env", "dev")
	if !strings.Contains(out, "+ create postgres.default#api.db  definition default-postgres (built in)") {
		t.Errorf("plan does not show the database:\n%s", out)
	}
	out = ok("deploy", "-f", app, "--app", "shop", "--env", "dev", "--commit-sha", "abc123", "--commit-time", "2026-11-25T09:00:00Z")
	if !strings.Contains(out, "succeeded") || !strings.Contains(out, "provisioned 5 resources") {
		t.Errorf("deploy did not show its progress:\n%s", out)
	}
	var deps []struct {
		ID        string `json:"id"`
		CommitSHA string `json:"commit_sha"`
	}
	must(t, json.Unmarshal([]byte(ok("deployments", "list", "--app", "shop", "-o", "json")), &deps))
	if len(deps) != 1 || deps[0].CommitSHA != "abc123" {
		t.Fatalf("deployments: %+v", deps)
	}
	out = ok("resources", "outputs", "postgres.default#api.db", "--app", "shop", "--env", "dev", "-o", "yaml")
	if !strings.Contains(out, "password: (redacted)") {
		t.Errorf("outputs without --reveal show:\n%s", out)
	}
	out = ok("resources", "outputs", "postgres.default#api.db", "--app", "shop", "--env", "dev", "--reveal", "-o", "json")
	var revealed map[string]any
	must(t, json.Unmarshal([]byte(out), &revealed))
	if pw, _ := revealed["password"].(string); len(pw) != 24 {
		t.Errorf("--reveal: %v", revealed)
	}
	ok("env", "create", "pr-7", "--app", "shop", "--from", "dev", "--ttl", "24h")
	out = ok("env", "list", "--app", "shop")
	if !strings.Contains(out, "pr-7") || !strings.Contains(out, "ephemeral") {
		t.Errorf("env list:\n%s", out)
	}
	out = ok("types", "--app", "shop", "--env", "dev")
	if !strings.Contains(out, "postgres") || !strings.Contains(out, "password*") {
		t.Errorf("types:\n%s", out)
	}
	ok("rollback", deps[0].ID)
	ok("deployments", "show", deps[0].ID)
	ok("env", "delete", "pr-7", "--app", "shop")

	// Definitions are the platform team's.
	defs := filepath.Join(dir, "defs.yaml")
	must(t, os.WriteFile(defs, []byte("apiVersion: paved.dev/v1\nkind: ResourceDefinition\nid: shared-redis\ntype: redis\ndriver: echo\ncriteria: [{env_type: staging}]\ndriver_inputs:\n  values: {host: redis.internal, port: 6379, username: shop}\n  secrets: {password: hunter2}\n"), 0o644))
	out = ok(append([]string{"definitions", "apply", "-f", defs}, admin...)...)
	if !strings.Contains(out, "version 1") {
		t.Errorf("definitions apply: %s", out)
	}
	out = ok(append([]string{"definitions", "list", "-o", "json"}, admin...)...)
	if strings.Contains(out, "hunter2") {
		t.Errorf("definitions list shows a secret input:\n%s", out)
	}
	out = ok(append([]string{"audit"}, admin...)...)
	for _, action := range []string{"deploy", "resource.reveal", "definitions.apply", "env.delete"} {
		if !strings.Contains(out, action) {
			t.Errorf("audit lacks %s:\n%s", action, out)
		}
	}

	// A deployment that runs and fails exits 8.
	failing := filepath.Join(dir, "fail.sh")
	must(t, os.WriteFile(failing, []byte("#!/bin/sh\ncat >/dev/null\necho 'no quota left' >&2\nexit 1\n"), 0o755))
	failDefs := filepath.Join(dir, "fail.yaml")
	must(t, os.WriteFile(failDefs, []byte("apiVersion: paved.dev/v1\nkind: ResourceDefinition\nid: failing-redis\ntype: redis\ndriver: cmd\ncriteria: [{env: qa}]\noutputs: [{name: host}, {name: port}, {name: username}, {name: password, secret: true}]\ndriver_inputs: {program: "+failing+"}\n"), 0o644))
	ok(append([]string{"definitions", "apply", "-f", failDefs}, admin...)...)
	ok("env", "create", "qa", "--app", "shop")
	if code, out, errs := run(t, "deploy", "-f", app, "--app", "shop", "--env", "qa"); code != 8 || !strings.Contains(out+errs, "no quota left") {
		t.Errorf("a failing deployment: exit %d\n%s%s", code, out, errs)
	}

	// Errors keep their meaning through server, client and exit code.
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"appz", "--token", "pvd_nope"}, 2, "unknown command"},
		{"bad token", []string{"app", "list", "--token", "pvd_nope"}, 5, "the token is not valid"},
		{"another team's app", []string{"deploy", "-f", app, "--app", "shop", "--env", "dev", "--token", olafTok}, 6, "belongs to team pioneers"},
		{"unknown app", []string{"env", "list", "--app", "blog"}, 3, "blog"},
		{"production in MVP mode", append([]string{"env", "create", "prod", "--app", "shop", "--type", "production"}, admin...), 6, "MVP mode"},
		{"ttl beyond the maximum", []string{"env", "create", "pr-8", "--app", "shop", "--from", "dev", "--ttl", "9000h"}, 2, "beyond the maximum"},
		{"invalid Score", []string{"deploy", "-f", writeBad(t, dir), "--app", "shop", "--env", "dev"}, 2, `unknown resource "db"`},
		{"server down", []string{"app", "list", "--server", "http://127.0.0.1:1"}, 7, "cannot reach"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, tt.args...)
			if code != tt.code || !strings.Contains(errs+out, tt.want) {
				t.Fatalf("exit %d, output %q %q; want exit %d containing %q", code, out, errs, tt.code, tt.want)
			}
			if d := doubled(errs); d != "" {
				t.Errorf("the error repeats itself (%q): %s", d, errs)
			}
		})
	}
}

func writeBad(t *testing.T, dir string) string {
	p := filepath.Join(dir, "bad.score.yaml")
	must(t, os.WriteFile(p, []byte("apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {X: '${resources.db.host}'}}}\n"), 0o644))
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// doubled finds a phrase of the message repeated right after itself, as in
// "the token is not valid: the token is not valid: ...", or "".
func doubled(msg string) string {
	parts := strings.Split(msg, ": ")
	for i := 1; i < len(parts); i++ {
		if p := parts[i-1]; len(p) >= 8 && (parts[i] == p || strings.HasPrefix(parts[i], p+" ")) {
			return parts[i-1]
		}
	}
	return ""
}
