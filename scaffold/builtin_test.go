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

	"gopkg.in/yaml.v3"

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

// TestBuiltinCI: the built-ins' CI logs in to the registry it pushes to,
// installs paved as the paved_module parameter says, and deploys the
// image it built in the place of score.yaml's "image: .".
func TestBuiltinCI(t *testing.T) {
	ts, err := scaffold.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		registry          string
		github, gitlab    []string
		notGitHub, notLab string
	}{
		{"registry.example.com:5000/team",
			[]string{`docker login registry.example.com:5000 -u "${{ secrets.REGISTRY_USERNAME }}"`, "docker push registry.example.com:5000/team/orders:${{ github.sha }}"},
			[]string{`docker login -u "$REGISTRY_USER" --password-stdin registry.example.com:5000`, "docker push registry.example.com:5000/team/orders:$CI_COMMIT_SHA"},
			"ghcr.io", "CI_REGISTRY"},
		{"ghcr.io/acme",
			[]string{`docker login ghcr.io -u "${{ github.actor }}"`, "secrets.GITHUB_TOKEN"},
			[]string{`docker login -u "$REGISTRY_USER" --password-stdin ghcr.io`},
			"REGISTRY_USERNAME", "CI_REGISTRY"},
		{"registry.gitlab.com/acme/orders",
			[]string{`docker login registry.gitlab.com -u "${{ secrets.REGISTRY_USERNAME }}"`},
			[]string{`echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin registry.gitlab.com`},
			"ghcr.io", "ghcr.io"},
	}
	for _, tpl := range ts {
		for _, tc := range tests {
			t.Run(tpl.Name+"/"+tc.registry, func(t *testing.T) {
				r, err := scaffold.Render(&tpl, &paved.RenderRequest{Name: "orders", Team: "payments",
					Params: map[string]any{"registry": tc.registry, "paved_module": "example.com/mirror/paved/cmd/paved@v1.2.3"}})
				if err != nil {
					t.Fatal(err)
				}
				files := map[string]string{}
				for _, f := range r.Files {
					files[f.Path] = f.Content
				}
				for name, want := range map[string][]string{".github/workflows/deploy.yaml": tc.github, ".gitlab-ci.yml": tc.gitlab} {
					text := files[name]
					var doc any
					if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
						t.Errorf("%s is not YAML: %v\n%s", name, err, text)
					}
					for _, w := range append(want, "go install example.com/mirror/paved/cmd/paved@v1.2.3", "--image "+tc.registry+"/orders:") {
						if !strings.Contains(text, w) {
							t.Errorf("%s lacks %q:\n%s", name, w, text)
						}
					}
				}
				if s := tc.notGitHub; strings.Contains(files[".github/workflows/deploy.yaml"], s) {
					t.Errorf("the GitHub workflow mentions %s:\n%s", s, files[".github/workflows/deploy.yaml"])
				}
				if s := tc.notLab; strings.Contains(files[".gitlab-ci.yml"], s) {
					t.Errorf("the GitLab pipeline mentions %s:\n%s", s, files[".gitlab-ci.yml"])
				}
				if !strings.Contains(files["score.yaml"], "image: . ") {
					t.Errorf("score.yaml does not leave the image to --image:\n%s", files["score.yaml"])
				}
			})
		}
	}
}
