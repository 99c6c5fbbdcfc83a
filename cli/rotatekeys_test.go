package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServerRotateKeys: rotate-keys refuses a data dir without a store and
// --sealing-key with --sealing-cert, and on the demo's store replaces both
// keys, sealing everything again.
func TestServerRotateKeys(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := run(t, "server", "rotate-keys", "--data-dir", dir); code == 0 || !strings.Contains(errs, "holds no paved store") {
		t.Fatalf("rotate-keys on an empty data dir: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := run(t, "demo", "--data-dir", dir, "--addr", "127.0.0.1:0", "--exit"); code != 0 {
		t.Fatalf("demo: exit %d: %s\n%s", code, errs, out)
	}
	cert := filepath.Join(dir, "sealing", "sealed-secrets.crt")
	if code, out, errs := run(t, "server", "rotate-keys", "--data-dir", dir, "--sealing-key", "--sealing-cert", cert); code == 0 || !strings.Contains(errs, "rotate it there") {
		t.Fatalf("--sealing-key with --sealing-cert: exit %d\n%s%s", code, out, errs)
	}
	before, err := os.ReadFile(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "server", "rotate-keys", "--data-dir", dir, "--sealing-key")
	if code != 0 || !strings.Contains(out, "resources") || !strings.Contains(out, "rows sealed again") || !strings.Contains(out, "new sealing key pair") {
		t.Fatalf("rotate-keys: exit %d\n%s%s", code, out, errs)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "secret.key"))
	if string(after) == string(before) || !strings.Contains(string(after), ",") {
		t.Errorf("the key file after the rotation: %q", after)
	}
	if retired, _ := filepath.Glob(filepath.Join(dir, "sealing", "retired", "*")); len(retired) != 2 {
		t.Errorf("retired sealing files: %v", retired)
	}
	t.Log(out)
}
