package engine

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/score"
)

// conformanceDir holds real Score files written outside this project; the
// tests read them in place.
const conformanceDir = "../../shared/conformance/score"

func conformanceGroups(t *testing.T) map[string][]string {
	t.Helper()
	if _, err := os.Stat(conformanceDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Score conformance corpus is missing at %s; CI always has it", conformanceDir)
		}
		t.Skipf("the Score conformance corpus is not at %s (it sits beside the repository in CI)", conformanceDir)
	}
	groups := map[string][]string{}
	err := filepath.WalkDir(conformanceDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			groups[filepath.Dir(p)] = append(groups[filepath.Dir(p)], p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

// TestConformanceCorpusRenders renders the files of each corpus folder
// together (as one app: some refer to each other's services) when every
// resource type they use has a built-in definition, and checks every object
// decodes strictly into its Kubernetes type.
func TestConformanceCorpusRenders(t *testing.T) {
	e := mustEngine(t)
	types := map[string]bool{}
	for _, d := range e.Builtin {
		types[d.Type] = true
	}
	rendered, skipped, ran := 0, 0, 0
	groups := conformanceGroups(t)
	for _, dir := range slices.Sorted(func(yield func(string) bool) {
		for k := range groups {
			if !yield(k) {
				return
			}
		}
	}) {
		rel, _ := filepath.Rel(conformanceDir, dir)
		t.Run(rel, func(t *testing.T) {
			ran++
			var ws []*score.Workload
			for _, f := range groups[dir] {
				w, err := e.Loader.LoadFile(f, score.Options{Image: "registry.example/app:1"})
				if err != nil {
					if !strings.Contains(err.Error(), "cannot read side file") {
						t.Fatalf("%s: %v", f, err)
					}
					skipped++
					t.Logf("not rendered: %v", err)
					return
				}
				for _, r := range w.Spec.Resources {
					if !types[r.Type] {
						skipped++
						t.Logf("not rendered: resource type %q has no built-in definition", r.Type)
						return
					}
				}
				ws = append(ws, w)
			}
			res, err := e.Run(context.Background(), Request{
				Workloads: ws,
				Context:   paved.DeployContext{App: "conformance", Env: "dev", EnvType: "development", Values: map[string]string{"NAME": "paved", "TEST": "value"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			rendered++
			decodeStrict(t, res.Objects)
		})
	}
	t.Logf("rendered %d folders, %d not renderable (types without a default, missing side files)", rendered, skipped)
	if ran == len(groups) && rendered < 25 {
		t.Errorf("only %d corpus folders rendered; expected most of them", rendered)
	}
}
