package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"paved.dev/paved/examples"
	"paved.dev/paved/server"
)

// gitCheckout makes dir a Git repository with one commit at the given time
// and returns its hash.
func gitCheckout(t testing.TB, dir string, at time.Time) string {
	t.Helper()
	check := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	repo, err := git.PlainInit(dir, false)
	check(err)
	wt, err := repo.Worktree()
	check(err)
	_, err = wt.Add(".")
	check(err)
	sig := &object.Signature{Name: "dana", Email: "dana@example.com", When: at}
	h, err := wt.Commit("the shop", &git.CommitOptions{Author: sig, Committer: sig})
	check(err)
	return h.String()
}

func TestDetectCommit(t *testing.T) {
	at := time.Date(2026, 11, 30, 17, 4, 5, 0, time.UTC)
	repo := t.TempDir()
	spec := filepath.Join(repo, "score.yaml")
	must(t, os.WriteFile(spec, []byte("x"), 0o644))
	sha := gitCheckout(t, repo, at)
	sub := filepath.Join(repo, "deep", "er")
	must(t, os.MkdirAll(sub, 0o755))
	bare := t.TempDir()
	// A checkout with an extension the Git library does not read, as a
	// sparse checkout sets.
	sparse := t.TempDir()
	must(t, os.WriteFile(filepath.Join(sparse, "score.yaml"), []byte("x"), 0o644))
	gitCheckout(t, sparse, at)
	cfg := filepath.Join(sparse, ".git", "config")
	data, err := os.ReadFile(cfg)
	must(t, err)
	must(t, os.WriteFile(cfg, []byte(strings.Replace(string(data), "repositoryformatversion = 0", "repositoryformatversion = 1", 1)+"[extensions]\n\tworktreeConfig = true\n"), 0o644))
	for _, tc := range []struct {
		name, dir string
		specs     []string
		env       map[string]string
		sha, from string
		at        *time.Time
		warning   string
	}{
		{"the checkout", repo, []string{spec}, nil, sha, "the Git checkout", &at, ""},
		{"below its root", sub, []string{spec}, map[string]string{"GITHUB_SHA": "ignored"}, sha, "the Git checkout", &at, ""},
		{"GitLab CI", bare, nil, map[string]string{"CI_COMMIT_SHA": "c0ffee", "CI_COMMIT_TIMESTAMP": "2026-11-30T18:04:05+01:00"}, "c0ffee", "$CI_COMMIT_SHA", &at, ""},
		{"GitHub Actions", bare, nil, map[string]string{"GITHUB_SHA": "beef"}, "beef", "$GITHUB_SHA", nil, ""},
		{"nothing", bare, nil, nil, "", "", nil, ""},
		{"an unreadable checkout falls back to CI's variables", sparse, nil, map[string]string{"GITHUB_SHA": "beef"}, "beef", "$GITHUB_SHA", nil, "cannot read the Git checkout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []string{"GITHUB_SHA", "CI_COMMIT_SHA", "CI_COMMIT_TIMESTAMP"} {
				t.Setenv(v, tc.env[v])
			}
			c, warning, err := detectCommit(tc.dir, tc.specs)
			must(t, err)
			if c.sha != tc.sha || c.from != tc.from || (c.at == nil) != (tc.at == nil) || c.at != nil && !c.at.Equal(*tc.at) {
				t.Fatalf("got %+v (at %v), want %s from %q at %v", c, c.at, tc.sha, tc.from, tc.at)
			}
			if !strings.Contains(warning, tc.warning) || tc.warning == "" && warning != "" {
				t.Errorf("warning %q, want %q", warning, tc.warning)
			}
		})
	}
	// Uncommitted changes to a Score file: no commit is recorded.
	must(t, os.WriteFile(spec, []byte("y"), 0o644))
	c, warning, err := detectCommit(repo, []string{spec})
	must(t, err)
	if c.sha != "" || !strings.Contains(warning, "uncommitted changes") {
		t.Errorf("a changed spec: %+v, %q", c, warning)
	}
	t.Setenv("CI_COMMIT_SHA", "c0ffee")
	t.Setenv("CI_COMMIT_TIMESTAMP", "yesterday")
	if _, _, err := detectCommit(bare, nil); err == nil || !strings.Contains(err.Error(), "--commit-time") {
		t.Errorf("a bad CI_COMMIT_TIMESTAMP: %v", err)
	}
}

// TestCLIForCI drives what a pipeline does: deploy from a Git checkout with
// an image, JSON out, exit codes; and the lifecycle commands' rules.
func TestCLIForCI(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PAVED_CONFIG", filepath.Join(dir, "client.json"))
	for _, v := range []string{"PAVED_TOKEN", "PAVED_SERVER", "GITHUB_SHA", "CI_COMMIT_SHA", "CI_COMMIT_TIMESTAMP"} {
		t.Setenv(v, "")
	}
	s, err := server.Start(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), MVPMode: true, AdminToken: "pvd_ci_admin"})
	must(t, err)
	defer s.Close()
	checkout := filepath.Join(dir, "shop")
	must(t, os.MkdirAll(checkout, 0o755))
	for _, f := range examples.Shop() {
		must(t, os.WriteFile(filepath.Join(checkout, f.Name), f.Data, 0o644))
	}
	at := time.Date(2026, 11, 30, 17, 4, 5, 0, time.UTC)
	sha := gitCheckout(t, checkout, at)
	t.Chdir(checkout)

	admin := []string{"--server", s.URL, "--token", "pvd_ci_admin"}
	exit := func(want int, args ...string) (string, string) {
		t.Helper()
		code, out, errs := run(t, append(args, admin...)...)
		if code != want {
			t.Fatalf("paved %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errs)
		}
		return out, errs
	}
	exit(0, "team", "create", "pioneers", "--pioneering")
	exit(0, "app", "create", "shop", "--team", "pioneers")
	out, _ := exit(0, "env", "create", "dev", "--app", "shop")
	if !strings.Contains(out, "note: dev is a development environment because no --type was given") {
		t.Errorf("a name that is not a type, without --type: %s", out)
	}
	if out, _ := exit(0, "env", "create", "qa", "--app", "shop", "--type", "development"); strings.Contains(out, "note:") {
		t.Errorf("an explicit --type gets a note: %s", out)
	}

	// A deploy from the checkout, with an image for one container.
	out, errs := exit(0, "deploy", "-f", ".", "--app", "shop", "--env", "dev", "--image", "api=ghcr.io/acme/shop-api:1.4.2", "-o", "json")
	var rep struct {
		ID         string    `json:"id"`
		Status     string    `json:"status"`
		CommitSHA  string    `json:"commit_sha"`
		CommitTime time.Time `json:"commit_time"`
		Specs      map[string]string
		Events     []struct{ Message string } `json:"events"`
	}
	must(t, json.Unmarshal([]byte(out), &rep))
	if rep.Status != "succeeded" || rep.CommitSHA != sha || !rep.CommitTime.Equal(at) || len(rep.Events) < 3 {
		t.Fatalf("deploy -o json: %+v\nstderr: %s", rep, errs)
	}
	if !strings.Contains(errs, "commit "+sha[:12]) || !strings.Contains(errs, "queued for shop/dev") {
		t.Errorf("stderr lacks the commit or the progress:\n%s", errs)
	}
	out, _ = exit(0, "deployments", "show", rep.ID, "-o", "json")
	must(t, json.Unmarshal([]byte(out), &rep))
	if !strings.Contains(rep.Specs["api.score.yaml"], "ghcr.io/acme/shop-api:1.4.2") || !strings.Contains(rep.Specs["web.score.yaml"], "shop-web:1.0.0") {
		t.Errorf("the snapshot does not hold the specs as they ran:\n%v", rep.Specs)
	}
	if _, errs := exit(2, "deploy", "-f", ".", "--app", "shop", "--env", "dev", "--image", "apj=x:1"); !strings.Contains(errs, "no workload has a container named apj") {
		t.Errorf("a mistyped container: %s", errs)
	}
	// --no-wait: queued, exit 0, the document says so.
	out, _ = exit(0, "deploy", "-f", ".", "--app", "shop", "--env", "dev", "--no-wait", "-o", "yaml")
	if !strings.Contains(out, "status: queued") {
		t.Errorf("--no-wait -o yaml:\n%s", out)
	}
	exit(2, "deploy", "-f", ".", "--app", "shop", "--env", "dev", "--wait", "--no-wait")
	exit(0, "deploy", "-f", ".", "--app", "shop", "--env", "dev")
	exit(0, "rollback", "--app", "shop", "--env", "dev", "-o", "json")

	// --timeout gives up waiting, exit 10, while the deployment goes on.
	slow := filepath.Join(dir, "slow.sh")
	must(t, os.WriteFile(slow, []byte("#!/bin/sh\ncat >/dev/null\nsleep 2\necho 'too slow' >&2\nexit 1\n"), 0o755))
	slowDefs := filepath.Join(dir, "slow.yaml")
	must(t, os.WriteFile(slowDefs, []byte("apiVersion: paved.dev/v1\nkind: ResourceDefinition\nid: slow-redis\ntype: redis\ndriver: cmd\ncriteria: [{env: qa}]\noutputs: [{name: host}, {name: port}, {name: username}, {name: password, secret: true}]\ndriver_inputs: {program: "+slow+"}\n"), 0o644))
	exit(0, "definitions", "apply", "-f", slowDefs)
	redis := filepath.Join(dir, "redis.score.yaml")
	must(t, os.WriteFile(redis, []byte("apiVersion: score.dev/v1b1\nmetadata: {name: cache-user}\ncontainers: {main: {image: nginx:1.27}}\nresources: {cache: {type: redis}}\n"), 0o644))
	out, errs = exit(10, "deploy", "-f", redis, "--app", "shop", "--env", "qa", "--timeout", "300ms", "-o", "json")
	if !strings.Contains(errs, "gave up waiting after 300ms") || !strings.Contains(out, `"status": "running"`) {
		t.Errorf("--timeout: %s\n%s", errs, out)
	}

	// Completion asks the server for names; enums are fixed.
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "app", "delete", ""}, []string{"shop"}},
		{[]string{"__complete", "env", "delete", "--app", "shop", "q"}, []string{"qa"}},
		{[]string{"__complete", "deploy", "--app", "shop", "--env", ""}, []string{"dev", "qa"}},
		{[]string{"__complete", "rollback", "--app", "shop", ""}, []string{rep.ID}},
		{[]string{"__complete", "definitions", "history", "slow"}, []string{"slow-redis"}},
		{[]string{"__complete", "team", "delete", ""}, []string{"pioneers"}},
		{[]string{"__complete", "user", "delete", ""}, []string{"admin"}},
		{[]string{"__complete", "env", "create", "x", "--app", "shop", "--type", ""}, []string{"ephemeral", "development", "staging", "production"}},
		{[]string{"__complete", "user", "create", "x", "--role", "sec"}, []string{"security"}},
	} {
		// The word being completed comes last.
		code, out, errs := run(t, append(append([]string{tc.args[0]}, admin...), tc.args[1:]...)...)
		if code != 0 {
			t.Fatalf("paved %v: exit %d %s", tc.args, code, errs)
		}
		for _, w := range tc.want {
			if !slices.Contains(strings.Split(out, "\n"), w) {
				t.Errorf("paved %v offers %q, not %q", tc.args, out, w)
			}
		}
	}

	// Lifecycle rules, as exit codes.
	_, errs = exit(3, "env", "promote", "dev", "staging", "--app", "shop")
	if !strings.Contains(errs, "paved env create staging --app shop --type staging") {
		t.Errorf("promote to a missing environment: %s", errs)
	}
	exit(2, "env", "extend", "dev", "--app", "shop", "--ttl", "24h")
	exit(4, "team", "delete", "pioneers")
	exit(4, "app", "delete", "shop")
	exit(3, "targets", "remove", "nowhere")
	exit(2, "definitions", "delete", "default-postgres")
	exit(0, "env", "create", "pr-1", "--app", "shop", "--from", "dev", "--ttl", "1h")
	out, _ = exit(0, "env", "extend", "pr-1", "--app", "shop", "--ttl", "24h", "-o", "json")
	if !strings.Contains(out, `"expires_at"`) {
		t.Errorf("extend -o json: %s", out)
	}
	out, _ = exit(0, "app", "delete", "shop", "--cascade", "-o", "json")
	var del struct {
		App          string
		Environments []struct{ Env string }
	}
	must(t, json.Unmarshal([]byte(out), &del))
	if del.App != "shop" || len(del.Environments) != 3 {
		t.Errorf("app delete --cascade: %s", out)
	}
	exit(0, "team", "delete", "pioneers")
	out, _ = exit(0, "audit", "-o", "json")
	for _, action := range []string{"app.delete", "team.delete", "env.extend", "env.delete"} {
		if !strings.Contains(out, `"`+action+`"`) {
			t.Errorf("the audit log lacks %s", action)
		}
	}
}
