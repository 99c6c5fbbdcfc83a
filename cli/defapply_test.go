package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved/server"
)

// TestDefinitionsApplyScoreK8sDirectory: `paved definitions apply -f
// .score-k8s`, the documented migration step, applies a real .score-k8s
// directory (score-k8s' default provisioners beside its state.yaml), names
// the paved definition the provisioners shadow, and on a second apply
// deletes the provisioner a file no longer holds.
func TestDefinitionsApplyScoreK8sDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PAVED_CONFIG", filepath.Join(dir, "client.json"))
	s, err := server.Start(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), MVPMode: true, AdminToken: "pvd_defs_admin"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	admin := []string{"--server", s.URL, "--token", "pvd_defs_admin"}
	apply := func(files ...string) (string, string) {
		t.Helper()
		args := []string{"definitions", "apply"}
		for _, f := range files {
			args = append(args, "-f", f)
		}
		code, out, errs := run(t, append(args, admin...)...)
		if code != 0 {
			t.Fatalf("paved %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
		return out, errs
	}
	sk := filepath.Join(dir, ".score-k8s")
	must(t, os.MkdirAll(sk, 0o755))
	for _, name := range []string{"zz-default.provisioners.yaml", "state.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "definition", "testdata", "score-k8s", name))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(sk, name), b, 0o644))
	}
	acme := filepath.Join(sk, "10-acme.provisioners.yaml")
	must(t, os.WriteFile(acme, []byte("- uri: template://acme/one\n  type: thing\n  outputs: 'x: 1'\n- uri: template://acme/two\n  type: other\n  outputs: 'x: 2'\n"), 0o644))
	pg := filepath.Join(dir, "pg.yaml")
	must(t, os.WriteFile(pg, []byte("apiVersion: paved.dev/v1\nkind: ResourceDefinition\nid: pg-everywhere\ntype: postgres\ndriver: echo\n---\n"+
		"apiVersion: paved.dev/v1\nkind: ResourceDefinition\nid: pg-prod\ntype: postgres\ndriver: echo\ncriteria: [{env_type: production}]\n"), 0o644))
	apply(pg)

	out, errs := apply(sk)
	for _, want := range []string{"definition k8s-tpl-default-provisioners-postgres (postgres, driver template): version 1", "definition k8s-tpl-acme-two (other, driver template): version 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply -f .score-k8s does not say %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "provisioner k8s-tpl-default-provisioners-postgres shadows definition pg-everywhere (any resource of the type)") || strings.Contains(errs, "pg-prod") {
		t.Errorf("the shadowed definitions, want pg-everywhere only:\n%s", errs)
	}

	must(t, os.WriteFile(acme, []byte("- uri: template://acme/one\n  type: thing\n  outputs: 'x: 1'\n"), 0o644))
	out, _ = apply(sk)
	if !strings.Contains(out, "definition k8s-tpl-acme-two deleted (version 2): no longer in 10-acme.provisioners.yaml") {
		t.Errorf("the stale provisioner is not deleted:\n%s", out)
	}
}
