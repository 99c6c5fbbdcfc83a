package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDemoRunsTheGoldenPaths(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "demo", "--data-dir", dir, "--addr", "127.0.0.1:0", "--exit")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	for _, want := range []string{
		"Golden path 1", "provisioned 5 resources", "Golden path 2", "pr-42 expired", "Golden path 3", "pg.staging.internal",
		"Golden path 4", "plan: create resource redis.default#api.cache", "Golden path 5", "re-deployed the snapshot",
		"Golden path 7", "refused in MVP mode", "Golden path 8", "route (class ingress)",
		"the portal, logged in as dana (a single-use link, valid 10 minutes):", "/login/pvd_",
		"History (as the people would have made it, 6 weeks from Mon ", "deployments ran through the platform",
		"team checkout scaffolded ledger from go-service", "leadership: " + filepath.Join(dir, "reports", "leadership.html"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// The reports show the history's figures: both teams, a denial, the
	// failure and its fix, the phase after the history.
	for aud, wants := range map[string][]string{
		"leadership":  {"<svg ", "checkout", "pioneers", "Deployments denied by policy<b>1</b>", "Deployments that failed<b>1</b>", "security/sec-image-tag", "successful deployments", "EUR a month", "Levels bronze, silver, gold"},
		"engineering": {"<svg ", "ledger-bucket", "failed", "go-service"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, "reports", aud+".html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			if !strings.Contains(string(b), w) {
				t.Errorf("the demo's %s report lacks %q", aud, w)
			}
		}
	}
	// Again on the same data: it reuses what the first run made.
	if code, out, errs := run(t, "demo", "--data-dir", dir, "--addr", "127.0.0.1:0", "--exit"); code != 0 {
		t.Fatalf("second run: exit %d: %s\n%s", code, errs, out)
	}
	st, err := os.Stat(filepath.Join(dir, demoTokenFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("demo admin token file: %v %v", st, err)
	}
}

func TestRenderToDirPrunesOnlyItsOwnFiles(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "web.score.yaml")
	write := func(s string) {
		if err := os.WriteFile(spec, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	state := filepath.Join(dir, "state.json")
	write("apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx}}\nresources: {cache: {type: redis}}\n")
	if code, _, errs := run(t, "render", "-f", spec, "--app", "shop", "-o", out, "--state", state); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if err := os.WriteFile(filepath.Join(out, "mine.yaml"), []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	write("apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx}}\n")
	code, _, errs := run(t, "render", "-f", spec, "--app", "shop", "-o", out, "--state", state)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "removed 3 no longer rendered") {
		t.Errorf("want the redis objects pruned, got %q", errs)
	}
	if _, err := os.Stat(filepath.Join(out, "statefulset-redis-web-cache.yaml")); err == nil {
		t.Errorf("the redis StatefulSet file is still there")
	}
	if _, err := os.Stat(filepath.Join(out, "mine.yaml")); err != nil {
		t.Errorf("a file paved did not write was removed")
	}
}

func TestRenderErrorsExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.score.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {X: '${resources.db.host}'}}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"invalid spec", []string{"render", "-f", bad, "--app", "shop", "--state", filepath.Join(dir, "s.json")}, 2, `bad.score.yaml: containers.main.variables.X: unknown resource "db"`},
		{"missing file", []string{"render", "-f", filepath.Join(dir, "nope.yaml"), "--app", "shop"}, 2, "no such file"},
		{"missing flag", []string{"render", "-f", bad}, 2, `required flag(s) "app" not set`},
		{"unknown flag", []string{"render", "--bogus"}, 2, "unknown flag: --bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, errs, tt.code, tt.want)
			}
		})
	}
}

// TestServerRecoverAdmin: the break-glass command reads the server's own
// settings (a persistent --data-dir, or PAVED_DATA_DIR) and prints a token.
func TestServerRecoverAdmin(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := run(t, "server", "recover-admin", "--data-dir", dir); code == 0 || !strings.Contains(errs, "holds no paved store") {
		t.Fatalf("recover-admin on an empty data dir: exit %d\n%s%s", code, out, errs)
	}
	// The demo leaves a store behind.
	if code, out, errs := run(t, "demo", "--data-dir", dir, "--addr", "127.0.0.1:0", "--exit"); code != 0 {
		t.Fatalf("demo: exit %d: %s\n%s", code, errs, out)
	}
	t.Setenv("PAVED_DATA_DIR", dir)
	t.Setenv("PAVED_USER", "someone-else") // not a server setting: ignored
	code, out, errs := run(t, "server", "recover-admin", "--ttl", "1h")
	if code != 0 || !strings.Contains(out, "break-glass token for the admin user admin") || !strings.Contains(out, "pvd_") ||
		!strings.Contains(out, "paved user token revoke admin --id t-") {
		t.Fatalf("recover-admin: exit %d\n%s%s", code, out, errs)
	}
}

// TestMistypedSubcommand: a group refuses what is not one of its
// subcommands (exit 2, with a suggestion) instead of printing its help and
// succeeding.
func TestMistypedSubcommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"env", "creat", "dev2"}, "Did you mean this?\n\tcreate"},
		{[]string{"env", "creat", "dev2", "--app", "shop"}, "paved env takes a subcommand first (create, delete, extend, list, promote, status)"},
		{[]string{"user", "token", "revok"}, "revoke"},
	} {
		code, _, errs := run(t, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("paved %v: exit %d, %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	if code, out, _ := run(t, "env"); code != 0 || !strings.Contains(out, "Available Commands") {
		t.Errorf("paved env alone: exit %d, want its help", code)
	}
}

func TestTableCellsStayOnOneLine(t *testing.T) {
	var b bytes.Buffer
	writeTable(&b, table{header: []string{"NAME", "NOTE"}, rows: [][]string{
		{"a", "first line\nsecond\nthird"},
		{"bb", strings.Repeat("x", 200)},
		{"ccc", "tab\tinside"},
	}})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), b.String())
	}
	col := strings.Index(lines[0], "NOTE")
	for _, l := range lines[1:] {
		if len([]rune(l)) < col || strings.TrimSpace(string([]rune(l)[:col])) == "" {
			t.Errorf("row %q does not align with the header %q", l, lines[0])
		}
	}
	for _, want := range []string{"first line (+2 lines)", "…", "tab inside"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	if n := len([]rune(lines[2])); n > col+maxCell {
		t.Errorf("long cell not cut: %d characters", n)
	}
}

func TestDoubled(t *testing.T) {
	for msg, want := range map[string]string{
		"error: the token is not valid: the token is not valid: ask an admin": "the token is not valid",
		"error: app shop: no environment dev":                                 "",
	} {
		if got := doubled(msg); got != want {
			t.Errorf("doubled(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestRepeatedWarningsOnceWithACount(t *testing.T) {
	var w warnings
	for _, m := range []string{"b: no limits", "a: latest tag", "b: no limits", "b: no limits"} {
		w.add(m)
	}
	got := strings.Join(w.lines(), "\n")
	if want := "warning (3 times): b: no limits\nwarning: a: latest tag"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestOverridesOfSeveralFilesApplyWhereTheNameIs: with a directory of
// workloads, an override of a named container changes that container only;
// a name no workload has is refused.
func TestOverridesOfSeveralFilesApplyWhereTheNameIs(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	over := filepath.Join(dir, "over.yaml")
	must(t, os.WriteFile(over, []byte("containers:\n  api:\n    variables: {FROM_FILE: \"yes\"}\n"), 0o644))
	code, out, errs := run(t, "render", "-f", filepath.Join("..", "examples", "shop"), "--app", "shop", "--state", state,
		"--override-property", "containers.web.image=nginx:9", "--override-file", over, "--image", "api=ghcr.io/acme/api:2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	docs := strings.Split(out, "\n---\n")
	var web, api string
	for _, d := range docs {
		switch {
		case strings.Contains(d, "kind: Deployment") && strings.Contains(d, "name: web\n"):
			web = d
		case strings.Contains(d, "kind: Deployment") && strings.Contains(d, "name: api\n"):
			api = d
		}
	}
	if !strings.Contains(web, "image: nginx:9") || strings.Contains(web, "FROM_FILE") {
		t.Errorf("web:\n%s", web)
	}
	if strings.Contains(api, "nginx:9") || !strings.Contains(api, "image: ghcr.io/acme/api:2") || !strings.Contains(api, "FROM_FILE") {
		t.Errorf("api:\n%s", api)
	}
	for _, tc := range []struct{ flag, value, want string }{
		{"--override-property", "containers.wbe.image=nginx:9", "no workload has a container named wbe (they have api, web)"},
		{"--override-property", "resources.dbb.class=large", "no workload has a resource named dbb"},
		{"--image", "wbe=nginx:9", "no workload has a container named wbe"},
		{"--image", "nginx:9", `--image nginx:9: no container's image is ".", the image --image IMAGE replaces; name the container with --image CONTAINER=IMAGE (they are api, web)`},
	} {
		code, _, errs := run(t, "render", "-f", filepath.Join("..", "examples", "shop"), "--app", "shop", "--state", state, tc.flag, tc.value)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s %s: exit %d %s; want 2 and %q", tc.flag, tc.value, code, errs, tc.want)
		}
	}
}
