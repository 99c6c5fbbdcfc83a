package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestConfigFileLists: a YAML list in --config sets a list flag element by
// element; given to a flag of one value it is refused, naming the flag.
func TestConfigFileLists(t *testing.T) {
	file := filepath.Join(t.TempDir(), "paved.yaml")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fs := pflag.NewFlagSet("server", pflag.ContinueOnError)
	kinds := fs.StringSlice("cluster-scoped-kinds", nil, "")
	templates := fs.StringArray("namespace-template", nil, "")
	addr := fs.String("addr", "127.0.0.1:8080", "")
	write("cluster-scoped-kinds: [rbac.authorization.k8s.io/ClusterRole, apiextensions.k8s.io/CustomResourceDefinition]\n" +
		"namespace-template: ['staging={app}-stg', 'ephemeral=pr-{env}']\naddr: 0.0.0.0:9000\n")
	if err := fillFromEnvAndFile(fs, file); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(*kinds, []string{"rbac.authorization.k8s.io/ClusterRole", "apiextensions.k8s.io/CustomResourceDefinition"}) {
		t.Errorf("cluster-scoped-kinds = %q", *kinds)
	}
	if !slices.Equal(*templates, []string{"staging={app}-stg", "ephemeral=pr-{env}"}) {
		t.Errorf("namespace-template = %q", *templates)
	}
	if *addr != "0.0.0.0:9000" {
		t.Errorf("addr = %q", *addr)
	}
	fs = pflag.NewFlagSet("server", pflag.ContinueOnError)
	fs.String("addr", "", "")
	write("addr: [a, b]\n")
	if err := fillFromEnvAndFile(fs, file); err == nil || !strings.Contains(err.Error(), "addr: takes one value, not a list") {
		t.Errorf("a list for a one-value flag: %v", err)
	}
}
