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

func TestDemoRendersTheRepresentativeApp(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "demo", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"postgres.default#api.db", "redis.default#web.cache", "route.default#web.route", "HTTPRoute", "password(secret)"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	first, err := os.ReadFile(filepath.Join(dir, "manifests", "deployment-api.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "demo", "-o", dir); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errs)
	}
	second, _ := os.ReadFile(filepath.Join(dir, "manifests", "deployment-api.yaml"))
	if !bytes.Equal(first, second) {
		t.Errorf("a second demo run with the same state rendered differently")
	}
	st, err := os.Stat(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600: it holds secrets", st.Mode().Perm())
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
