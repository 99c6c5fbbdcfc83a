package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"paved.dev/paved/scaffold"
	"paved.dev/paved/server"
)

// gitCommitAll commits every change of the repository at dir, as a
// developer would between paved new and paved upgrade.
func gitCommitAll(t *testing.T, dir, msg string) string {
	t.Helper()
	repo, err := git.PlainOpen(dir)
	must(t, err)
	wt, err := repo.Worktree()
	must(t, err)
	must(t, wt.AddWithOptions(&git.AddOptions{All: true}))
	h, err := wt.Commit(msg, &git.CommitOptions{Author: scaffold.Author("dana", time.Now())})
	must(t, err)
	return h.String()
}

func head(t *testing.T, dir string) string {
	t.Helper()
	repo, err := git.PlainOpen(dir)
	must(t, err)
	ref, err := repo.Head()
	must(t, err)
	return ref.Hash().String()
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q:\n%s", path, old, data)
	}
	must(t, os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
}

// TestNewAndUpgrade walks the golden path of issue 14 through a real
// server: bad input refused with nothing written, paved new --deploy, a new
// template version applied, the team's edits, paved upgrade --plan, the
// upgrade (a clean merge, a conflict, removed files deleted or kept, a new
// file), and the second upgrade changing nothing.
func TestNewAndUpgrade(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PAVED_CONFIG", filepath.Join(dir, "client.json"))
	s, err := server.Start(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), MVPMode: true, AdminToken: "pvd_tpl_admin"})
	must(t, err)
	defer s.Close()
	admin := []string{"--server", s.URL, "--token", "pvd_tpl_admin"}
	call := func(args ...string) (int, string) {
		t.Helper()
		code, out, errs := run(t, args...)
		return code, out + errs
	}
	// ok runs a command that must succeed and returns its stdout, and its
	// stderr after it unless stdoutOnly.
	okOut := func(stdoutOnly bool, args ...string) string {
		t.Helper()
		code, out, errs := run(t, args...)
		if code != 0 {
			t.Fatalf("paved %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
		if stdoutOnly {
			return out
		}
		return out + errs
	}
	ok := func(args ...string) string { t.Helper(); return okOut(false, args...) }
	ok(append([]string{"team", "create", "payments"}, admin...)...)
	ok(append([]string{"user", "create", "dana", "--role", "developer", "--team", "payments"}, admin...)...)
	tok := strings.TrimSpace(okOut(true, append([]string{"user", "token", "create", "dana"}, admin...)...))
	ok("login", "--server", s.URL, "--token", tok)

	orders := filepath.Join(dir, "orders")
	full := filepath.Join(dir, "full")
	must(t, os.MkdirAll(full, 0o755))
	must(t, os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine\n"), 0o644))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--template", "nope"}, 3, `no template "nope"; there are go-service, node-web, python-worker, static-site`},
		{[]string{"--template", "go-service", "--version", "9.9.9"}, 3, "template go-service has no version 9.9.9; it has 1.1.0"},
		{[]string{"--template", "go-service", "--param", "colour=red"}, 2, "parameter colour: template go-service 1.1.0 has no such parameter; it takes go_version, module, paved_module, port, registry"},
		{[]string{"--template", "go-service", "--param", "port=80"}, 2, "parameter port: must be >= 1024"},
		{[]string{"--template", "go-service", "--param", "go_version=1.9"}, 2, "parameter go_version: value must be one of"},
		{[]string{"--template", "go-service", "--param", "port=eighty"}, 2, `parameter port: "eighty" is not an integer`},
		{[]string{"--template", "go-service", "--dir", full}, 2, "not empty (notes.txt...); give a new or empty folder"},
		{[]string{"--template", "go-service", "--name", "Orders!"}, 2, `name: "Orders!" must be`},
		{[]string{"--template", "go-service", "--deploy"}, 2, `container orders of score.yaml has image ".", the image CI builds; give the image to deploy now with --image IMAGE`},
		{[]string{"--template", "go-service", "--deploy", "--image", "web=ghcr.io/acme/orders:dev"}, 2, "no workload has a container named web"},
		{[]string{"--template", "go-service", "--image", "ghcr.io/acme/orders:dev"}, 2, "--image: only with --deploy"},
	} {
		args := append([]string{"new", "--name", "orders", "--team", "payments", "--dir", orders}, tc.args...)
		code, out := call(args...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("paved %s: exit %d, want %d with %q:\n%s", strings.Join(args, " "), code, tc.code, tc.want, out)
		}
		if _, err := os.Stat(orders); !os.IsNotExist(err) {
			t.Fatalf("paved %s wrote %s", strings.Join(args, " "), orders)
		}
	}
	var rep struct {
		Count     int    `json:"count"`
		TimeSaved string `json:"time_saved"`
	}
	must(t, json.Unmarshal([]byte(okOut(true, "scaffolds", "list", "-o", "json")), &rep))
	if rep.Count != 0 {
		t.Fatalf("refused scaffolds were recorded: %+v", rep)
	}
	if out := okOut(true, "app", "list"); strings.Contains(out, "orders") {
		t.Fatalf("a refused scaffold registered the app:\n%s", out)
	}

	out := ok("new", "--template", "go-service", "--name", "orders", "--team", "payments", "--dir", orders, "--param", "port=9090", "--deploy", "--image", "ghcr.io/acme/orders:dev")
	for _, want := range []string{"scaffolded orders from go-service 1.1.0", "app orders registered for team payments", "environment orders/dev created", "succeeded"} {
		if !strings.Contains(out, want) {
			t.Errorf("paved new --deploy does not say %q:\n%s", want, out)
		}
	}
	rec, err := os.ReadFile(filepath.Join(orders, scaffold.RecordPath))
	must(t, err)
	for _, want := range []string{"template: go-service", "version: 1.1.0", "port: 9090", "score.yaml: sha256:"} {
		if !strings.Contains(string(rec), want) {
			t.Errorf("%s lacks %q:\n%s", scaffold.RecordPath, want, rec)
		}
	}
	var deps []struct {
		CommitSHA string `json:"commit_sha"`
		Status    string `json:"status"`
	}
	must(t, json.Unmarshal([]byte(okOut(true, "deployments", "list", "--app", "orders", "-o", "json")), &deps))
	if len(deps) != 1 || deps[0].Status != "succeeded" || deps[0].CommitSHA != head(t, orders) {
		t.Fatalf("deployments of orders: %+v, want one succeeded at the initial commit %s", deps, head(t, orders))
	}
	if code, out := call("new", "--template", "go-service", "--name", "orders", "--team", "payments", "--dir", filepath.Join(dir, "again")); code != 4 || !strings.Contains(out, "app orders exists already") {
		t.Errorf("scaffolding an existing app: exit %d\n%s", code, out)
	}
	must(t, json.Unmarshal([]byte(okOut(true, "scaffolds", "list", "-o", "json")), &rep))
	if rep.Count != 1 || rep.TimeSaved != "8h0m0s" {
		t.Fatalf("scaffolds: %+v, want 1 that saved 8h0m0s", rep)
	}

	// Nothing to upgrade yet.
	before := head(t, orders)
	if out := ok("upgrade", "--dir", orders); !strings.Contains(out, "nothing to upgrade") || head(t, orders) != before {
		t.Fatalf("upgrade at the latest version:\n%s", out)
	}

	// The platform team makes version 1.2.0: a README section added, the
	// build image changed, the GitLab CI file and the catalog entry
	// removed, a .dockerignore added.
	v2 := filepath.Join(dir, "go-service-1.2.0")
	copyTree(t, filepath.Join("..", "scaffold", "builtin", "go-service"), v2)
	edit(t, filepath.Join(v2, "template.yaml"), "version: 1.1.0", "version: 1.2.0")
	edit(t, filepath.Join(v2, "README.md.tmpl"), "`paved upgrade` brings", "## Upgrades\n\n`paved upgrade` brings")
	edit(t, filepath.Join(v2, "Dockerfile.tmpl"), "AS build", "AS builder")
	edit(t, filepath.Join(v2, "Dockerfile.tmpl"), "--from=build ", "--from=builder ")
	must(t, os.Remove(filepath.Join(v2, ".gitlab-ci.yml.tmpl")))
	must(t, os.Remove(filepath.Join(v2, "catalog-info.yaml.tmpl")))
	must(t, os.WriteFile(filepath.Join(v2, ".dockerignore"), []byte(".git\n.paved\n"), 0o644))
	if code, out := call("templates", "apply", "-f", v2); code != 6 {
		t.Fatalf("a developer applied a template: exit %d\n%s", code, out)
	}
	ok(append([]string{"templates", "apply", "-f", v2}, admin...)...)
	if code, out := call(append([]string{"templates", "apply", "-f", filepath.Join("..", "scaffold", "builtin", "go-service")}, admin...)...); code != 4 || !strings.Contains(out, "not newer than the latest, 1.2.0") {
		t.Fatalf("applying an older version: exit %d\n%s", code, out)
	}
	if out := ok("templates", "history", "go-service"); !strings.Contains(out, "1.1.0") || !strings.Contains(out, "1.2.0") {
		t.Fatalf("history:\n%s", out)
	}

	// The team's edits: the README's title (apart from the template's
	// change), the same Dockerfile line the template changes, the catalog
	// entry the template removes.
	edit(t, filepath.Join(orders, "README.md"), "# orders\n", "# orders: the payments team's order service\n")
	edit(t, filepath.Join(orders, "Dockerfile"), "AS build", "AS compile")
	edit(t, filepath.Join(orders, "catalog-info.yaml"), "lifecycle: experimental", "lifecycle: production")
	edited := gitCommitAll(t, orders, "our changes")

	code, out := call("upgrade", "--dir", orders, "--plan")
	for _, want := range []string{"go-service 1.1.0 -> 1.2.0", "merge     README.md", "conflict  Dockerfile", "delete    .gitlab-ci.yml", "keep      catalog-info.yaml", "create    .dockerignore"} {
		if !strings.Contains(out, want) {
			t.Errorf("upgrade --plan does not list %q:\n%s", want, out)
		}
	}
	if code != 4 || head(t, orders) != edited {
		t.Fatalf("upgrade --plan: exit %d (want 4: conflicts ahead), HEAD moved: %v", code, head(t, orders) != edited)
	}
	if _, err := os.Stat(filepath.Join(orders, ".dockerignore")); !os.IsNotExist(err) {
		t.Fatal("upgrade --plan wrote a file")
	}

	// Uncommitted changes to a file the upgrade touches: refused.
	edit(t, filepath.Join(orders, "README.md"), "## Run it", "## Run it here")
	if code, out := call("upgrade", "--dir", orders); code != 2 || !strings.Contains(out, "uncommitted changes to README.md") {
		t.Fatalf("upgrade over uncommitted changes: exit %d\n%s", code, out)
	}
	edit(t, filepath.Join(orders, "README.md"), "## Run it here", "## Run it")

	code, out = call("upgrade", "--dir", orders)
	if code != 4 || !strings.Contains(out, "conflicts to resolve in Dockerfile") {
		t.Fatalf("upgrade: exit %d, want 4 listing the conflict\n%s", code, out)
	}
	read := func(p string) string {
		data, err := os.ReadFile(filepath.Join(orders, p))
		if err != nil {
			return "(absent)"
		}
		return string(data)
	}
	if r := read("README.md"); !strings.Contains(r, "# orders: the payments team's order service") || !strings.Contains(r, "## Upgrades") {
		t.Errorf("README.md did not keep the team's title and take the template's section:\n%s", r)
	}
	if d := read("Dockerfile"); !strings.Contains(d, "<<<<<<< yours\nFROM golang:1.26 AS compile\n=======\nFROM golang:1.26 AS builder\n>>>>>>> go-service 1.2.0") ||
		!strings.Contains(d, "COPY --from=builder ") {
		t.Errorf("Dockerfile: want the conflict marked and the clean change applied:\n%s", d)
	}
	if r := read(".gitlab-ci.yml"); r != "(absent)" {
		t.Errorf(".gitlab-ci.yml, removed by the template and untouched, is still there")
	}
	if r := read("catalog-info.yaml"); !strings.Contains(r, "lifecycle: production") {
		t.Errorf("catalog-info.yaml, removed by the template but changed by the team, was not kept: %s", r)
	}
	if r := read(".dockerignore"); r != ".git\n.paved\n" {
		t.Errorf(".dockerignore = %q", r)
	}
	if r := read(scaffold.RecordPath); !strings.Contains(r, "version: 1.2.0") || strings.Contains(r, "gitlab") {
		t.Errorf("the record after the upgrade:\n%s", r)
	}
	upgraded := head(t, orders)
	if upgraded == edited {
		t.Fatal("the upgrade made no commit")
	}
	repo, err := git.PlainOpen(orders)
	must(t, err)
	c, err := repo.CommitObject(mustHash(t, repo))
	must(t, err)
	if !strings.Contains(c.Message, "Upgrade golden path go-service 1.1.0 -> 1.2.0") || !strings.Contains(c.Message, "Conflicts to resolve") {
		t.Errorf("the upgrade's commit message:\n%s", c.Message)
	}

	// The team resolves the conflict; upgrading again changes nothing.
	edit(t, filepath.Join(orders, "Dockerfile"), "<<<<<<< yours\nFROM golang:1.26 AS compile\n=======\nFROM golang:1.26 AS builder\n>>>>>>> go-service 1.2.0", "FROM golang:1.26 AS builder")
	resolved := gitCommitAll(t, orders, "resolve")
	if out := ok("upgrade", "--dir", orders); !strings.Contains(out, "nothing to upgrade: already at go-service 1.2.0") || head(t, orders) != resolved {
		t.Fatalf("the second upgrade changed something:\n%s", out)
	}
	if code, out := call("upgrade", "--dir", orders, "--to", "9.9.9"); code != 3 || !strings.Contains(out, "has no version 9.9.9") {
		t.Errorf("upgrade to an unknown version: exit %d\n%s", code, out)
	}

	// A repository paved new did not make.
	plain := filepath.Join(dir, "plain")
	_, err = git.PlainInit(plain, false)
	must(t, err)
	if code, out := call("upgrade", "--dir", plain); code != 2 || !strings.Contains(out, "has no .paved/template.yaml") {
		t.Errorf("upgrade without a record: exit %d\n%s", code, out)
	}

	// The time a scaffold saves is the platform team's to set.
	if code, _ := call("scaffolds", "time-saved", "6h"); code != 6 {
		t.Errorf("a developer set the time saved: exit %d", code)
	}
	if out := ok(append([]string{"scaffolds", "time-saved", "6h"}, admin...)...); !strings.Contains(out, "each new scaffold saves 6h0m0s") {
		t.Errorf("time-saved: %s", out)
	}
}

func mustHash(t *testing.T, repo *git.Repository) [20]byte {
	t.Helper()
	ref, err := repo.Head()
	must(t, err)
	return ref.Hash()
}

// copyTree copies a folder and its subfolders.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	must(t, filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	}))
}
