package engine

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"paved.dev/paved/score/scoretest"

	"paved.dev/paved"
	"paved.dev/paved/score"
)

func conformanceGroups(t *testing.T) map[string][]string {
	t.Helper()
	groups := map[string][]string{}
	for _, p := range scoretest.Files(t) {
		groups[filepath.Dir(p)] = append(groups[filepath.Dir(p)], p)
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
		rel, _ := filepath.Rel(scoretest.Dir(t), dir)
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
