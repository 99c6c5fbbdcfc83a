package engine

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved/driver/template"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/driver/echo"
	"paved.dev/paved/manifest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func mustEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(definition.Drivers{"template": template.New(), "echo": echo.New()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func goldenState(t testing.TB) *StateFile {
	t.Helper()
	sf, err := ReadStateFile("testdata/state.json")
	if err != nil {
		t.Fatal(err)
	}
	return sf
}

func renderApp(t *testing.T) *Result {
	t.Helper()
	e := mustEngine(t)
	res, err := e.Run(context.Background(), Request{
		Sources: []Source{{Path: "testdata/app/web.score.yaml"}, {Path: "testdata/app/api.score.yaml"}},
		Context: paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Values: map[string]string{"LOG_LEVEL": "debug"}},
		State:   goldenState(t).For("shop", "dev"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./engine -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./engine -update\n%s", name, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, w, g)
		}
	}
	return ""
}

func TestRenderGolden(t *testing.T) {
	res := renderApp(t)
	out, err := manifest.MarshalDocuments(res.Objects)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "app.yaml", out)
	decodeStrict(t, res.Objects)
}

func TestGraphGolden(t *testing.T) {
	res := renderApp(t)
	var b strings.Builder
	for _, n := range res.Graph.Nodes {
		fmt.Fprintf(&b, "%s\n  definition: %s (driver %s)\n  source: %s.%s\n", n.UID, n.Definition.ID, n.Definition.Driver, n.SourceWorkload, n.Name)
		for _, d := range n.Deps {
			fmt.Fprintf(&b, "  depends on: %s\n", d)
		}
		for _, o := range n.Definition.Outputs {
			v, ok := n.Outputs[o.Name]
			switch {
			case o.Name == paved.AnyOutput:
				fmt.Fprintf(&b, "  outputs: %d values\n", len(n.Outputs))
			case !ok:
				fmt.Fprintf(&b, "  output %s: (none)\n", o.Name)
			case o.Secret:
				fmt.Fprintf(&b, "  output %s: (secret, %d chars)\n", o.Name, len(fmt.Sprint(v)))
			default:
				fmt.Fprintf(&b, "  output %s: %v\n", o.Name, v)
			}
		}
		fmt.Fprintf(&b, "  manifests: %d\n", len(n.Manifests))
	}
	checkGolden(t, "graph.txt", []byte(b.String()))
}

func TestRenderIsDeterministic(t *testing.T) {
	a, err := manifest.MarshalDocuments(renderApp(t).Objects)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, _ := manifest.MarshalDocuments(renderApp(t).Objects)
		if !bytes.Equal(a, b) {
			t.Fatalf("two renders of the same input and state differ:\n%s", firstDiff(string(a), string(b)))
		}
	}
}

func TestSecretsNeverInline(t *testing.T) {
	res := renderApp(t)
	db := res.Graph.Resource("api", "db")
	password := db.Outputs["password"].(string)
	for _, o := range res.Objects {
		ref := o.Ref()
		if ref.Kind == "Secret" {
			continue
		}
		y, _ := manifest.Marshal(map[string]any(o))
		if bytes.Contains(y, []byte(password)) {
			t.Errorf("%s holds the database password in plain text", ref)
		}
	}
}
