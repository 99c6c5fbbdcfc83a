package scaffold_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/modules"
	"paved.dev/paved/scaffold"
)

// TestBuiltins scaffolds every built-in with its defaults into a new Git
// repository, renders its score.yaml through the engine, and runs its own
// tests: go test for the Go service (always), node --test, python's
// unittest and the static site's check when those are installed.
func TestBuiltins(t *testing.T) {
	ts, err := scaffold.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, tpl := range ts {
		names = append(names, tpl.Name)
	}
	if want := []string{"go-service", "node-web", "python-worker", "static-site"}; !slices.Equal(names, want) {
		t.Fatalf("built-ins %v, want %v", names, want)
	}
	reg := paved.NewRegistry()
	if err := modules.Offline(reg); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(reg.Drivers())
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		tool string
		args []string
		env  []string
		// resource is the Kubernetes kind its resource renders into.
		kinds []string
	}{
		"go-service":    {"go", []string{"test", "./..."}, []string{"GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOWORK=off"}, []string{"Deployment", "StatefulSet", "Service"}},
		"node-web":      {"node", []string{"--test", "test/"}, nil, []string{"Deployment", "Service"}},
		"python-worker": {"python3", []string{"-m", "unittest", "discover", "-s", "tests", "-t", "."}, nil, []string{"Deployment"}},
		"static-site":   {"sh", []string{"./check.sh"}, nil, []string{"Deployment", "Service", "HTTPRoute"}},
	}
	for _, tpl := range ts {
		t.Run(tpl.Name, func(t *testing.T) {
			tc := tests[tpl.Name]
			r, err := scaffold.Render(&tpl, &paved.RenderRequest{Template: tpl.Name, Name: "orders", Team: "payments"})
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "orders")
			if _, err := scaffold.InitRepo(dir, r, scaffold.Author("dana", time.Now())); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"score.yaml", "Dockerfile", ".github/workflows/deploy.yaml", ".gitlab-ci.yml", "catalog-info.yaml", "README.md", scaffold.RecordPath} {
				data, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if strings.Contains(string(data), "{{") && !strings.HasPrefix(f, ".github") {
					t.Errorf("%s keeps template actions:\n%s", f, data)
				}
			}
			ci, _ := os.ReadFile(filepath.Join(dir, ".github/workflows/deploy.yaml"))
			gl, _ := os.ReadFile(filepath.Join(dir, ".gitlab-ci.yml"))
			for name, text := range map[string]string{"GitHub": string(ci), "GitLab": string(gl)} {
				if !strings.Contains(text, "paved deploy -f score.yaml --app orders --env dev") || !strings.Contains(text, "--commit-sha") || !strings.Contains(text, "--commit-time") {
					t.Errorf("the %s workflow does not run paved deploy with the commit's SHA and time:\n%s", name, text)
				}
			}
			if !strings.Contains(string(ci), "${{ github.sha }}") {
				t.Errorf("the GitHub workflow lost its expressions:\n%s", ci)
			}
			res, err := eng.Run(context.Background(), engine.Request{
				Sources: []engine.Source{{Path: filepath.Join(dir, "score.yaml"), BaseDir: dir}},
				Context: paved.DeployContext{App: "orders", Env: "dev", EnvType: paved.EnvDevelopment},
			})
			if err != nil {
				t.Fatalf("score.yaml does not render: %v", err)
			}
			var kinds []string
			for _, o := range res.Objects {
				kinds = append(kinds, o.Ref().Kind)
			}
			for _, k := range tc.kinds {
				if !slices.Contains(kinds, k) {
					t.Errorf("rendered %v, no %s", kinds, k)
				}
			}
			if _, err := exec.LookPath(tc.tool); err != nil {
				if tc.tool == "go" || os.Getenv("CI") == "true" {
					t.Fatalf("%s is not installed: the template's own tests cannot run", tc.tool)
				}
				t.Skipf("%s is not installed: the template's own tests are not run", tc.tool)
			}
			cmd := exec.Command(tc.tool, tc.args...)
			cmd.Dir, cmd.Env = dir, append(os.Environ(), tc.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s %s in the scaffolded repository: %v\n%s", tc.tool, strings.Join(tc.args, " "), err, out)
			}
			if tpl.Name == "go-service" {
				cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
				cmd.Dir, cmd.Env = dir, append(os.Environ(), tc.env...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("go build: %v\n%s", err, out)
				}
			}
		})
	}
}
