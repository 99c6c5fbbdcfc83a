package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/driver/cmd"
	"paved.dev/paved/driver/echo"
	"paved.dev/paved/driver/template"
	"paved.dev/paved/graph"
	"paved.dev/paved/manifest"
	"paved.dev/paved/scorek8s"
)

// scoreK8sDir holds a multi-service app laid out one score.yaml per folder,
// with provisioner files and a patch template written here in score-k8s
// 0.15's documented formats (the community provisioners' and patchers').
const scoreK8sDir = "testdata/scorek8s"

func scoreK8sEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := New(definition.Drivers{"template": template.New(), "echo": echo.New(), "cmd": cmd.New(nil)})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func renderScoreK8s(t *testing.T, e *Engine, st *graph.State, defs []paved.ResourceDefinition, patches []*scorek8s.PatchTemplate) (*Result, error) {
	t.Helper()
	return e.Run(context.Background(), Request{
		Sources:     []Source{{Path: filepath.Join(scoreK8sDir, "frontend", "score.yaml")}, {Path: filepath.Join(scoreK8sDir, "backend", "score.yaml")}},
		Definitions: defs,
		Patches:     patches,
		Context:     paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Values: map[string]string{"GREETING": "hello"}},
		State:       st,
	})
}

func provisionerDefs(t *testing.T) []paved.ResourceDefinition {
	t.Helper()
	defs, err := definition.ReadDir(filepath.Join(scoreK8sDir, "provisioners"))
	if err != nil {
		t.Fatal(err)
	}
	return defs
}

// TestScoreK8sProvisionersRender: the app renders with its provisioner files
// and patch template unchanged, byte for byte the same on a second render
// from a fresh state (derived names and random values are seeded), with the
// secret reference turned into a secret output delivered by a Secret.
func TestScoreK8sProvisionersRender(t *testing.T) {
	e := scoreK8sEngine(t)
	patches, err := scorek8s.ReadPatchTemplates(filepath.Join(scoreK8sDir, "patches"))
	if err != nil {
		t.Fatal(err)
	}
	st := goldenState(t).For("shop", "dev")
	res, err := renderScoreK8s(t, e, st, provisionerDefs(t), patches)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := manifest.MarshalDocuments(res.Objects)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "scorek8s.yaml", docs)
	again, err := renderScoreK8s(t, e, goldenState(t).For("shop", "dev"), provisionerDefs(t), patches)
	if err != nil {
		t.Fatal(err)
	}
	docs2, _ := manifest.MarshalDocuments(again.Objects)
	if string(docs) != string(docs2) {
		t.Errorf("a second render differs:\n%s", firstDiff(string(docs), string(docs2)))
	}
	byRef := map[string]paved.Object{}
	for _, o := range res.Objects {
		r := o.Ref()
		byRef[r.Kind+"/"+r.Name] = o
	}
	for _, want := range []string{"Deployment/frontend", "Deployment/backend", "NetworkPolicy/deny-all", "Secret/frontend"} {
		if byRef[want] == nil {
			t.Errorf("no %s among the objects", want)
		}
	}
	text := string(docs)
	for _, want := range []string{
		"automountServiceAccountToken: false", // the patch
		"value: http://backend:8080",          // the service provisioner
		"value: hello",                        // the cmd provisioner
		"kind: HTTPRoute",                     // the route provisioner
		"name: BACKEND_URL",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the objects lack %q", want)
		}
	}
	if strings.Contains(text, "dns-never") || strings.Contains(text, "never.localhost") {
		t.Error("the second dns provisioner matched; score-k8s takes the first in file order")
	}
	if strings.Contains(text, scorek8s.SecretRefPrefix) {
		t.Error("a secret reference was rendered as it is")
	}
	// The password is a secret output: the workload reads it from its
	// Secret, never inline.
	dep := byRef["Deployment/frontend"]
	env := dep["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["env"].([]any)
	for _, e := range env {
		m := e.(map[string]any)
		if m["name"] == "DB_PASSWORD" {
			if _, ok := m["valueFrom"]; !ok || m["value"] != nil {
				t.Errorf("DB_PASSWORD = %v, want it from the workload's Secret", m)
			}
		}
	}
}

// TestScoreK8sEquivalentToPavedDefinition: the service resource gives the
// same objects from the community provisioner file as from paved's built-in
// service definition.
func TestScoreK8sEquivalentToPavedDefinition(t *testing.T) {
	e := scoreK8sEngine(t)
	var service []paved.ResourceDefinition
	for _, d := range provisionerDefs(t) {
		if d.Type == "service" {
			service = append(service, d)
		}
	}
	if len(service) != 1 {
		t.Fatalf("the provisioner files give %d service definitions, want 1", len(service))
	}
	withFile, err := renderScoreK8s(t, e, goldenState(t).For("shop", "dev"), service, nil)
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := renderScoreK8s(t, e, goldenState(t).For("shop", "dev"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := manifest.MarshalDocuments(withFile.Objects)
	b, _ := manifest.MarshalDocuments(builtin.Objects)
	if string(a) != string(b) {
		t.Errorf("the provisioner file and the built-in definition render differently:\n%s", firstDiff(string(b), string(a)))
	}
	for _, n := range withFile.Graph.Nodes {
		if n.UID.Type() == "service" && n.Definition.ID != service[0].ID {
			t.Errorf("%s provisioned by %s, want %s", n.UID, n.Definition.ID, service[0].ID)
		}
	}
}

// TestScoreK8sBadInput: each mistake is an error naming the file and the
// provisioner's uri (or the patch template), never a crash.
func TestScoreK8sBadInput(t *testing.T) {
	tests := []struct {
		name, file, content string
		patch               string
		want                []string
	}{
		{name: "unknown field", file: "x.provisioners.yaml",
			content: "- uri: template://acme/x\n  type: thing\n  outputz: |\n    a: b\n",
			want:    []string{"x.provisioners.yaml", "template://acme/x", `field "outputz" is not a field of a template:// provisioner`}},
		{name: "cmd field in a template provisioner", file: "x.provisioners.yaml",
			content: "- uri: template://acme/x\n  type: thing\n  args: [a]\n",
			want:    []string{"x.provisioners.yaml", "template://acme/x", `field "args"`}},
		{name: "template that does not parse", file: "x.provisioners.yaml",
			content: "- uri: template://acme/broken\n  type: service\n  outputs: '{{ .Id '\n",
			want:    []string{"template://acme/broken (x.provisioners.yaml)", "outputs"}},
		{name: "template that fails", file: "x.provisioners.yaml",
			content: "- uri: template://acme/fails\n  type: service\n  outputs: '{{ fail \"no such workload\" }}'\n",
			want:    []string{"template://acme/fails (x.provisioners.yaml)", "no such workload"}},
		{name: "missing cmd program", file: "x.provisioners.yaml",
			content: "- uri: cmd://./no-such-program#x\n  type: service\n",
			want:    []string{"cmd://./no-such-program#x (x.provisioners.yaml)"}},
		{name: "cmd program not on PATH", file: "x.provisioners.yaml",
			content: "- uri: cmd://no-such-program-on-path#x\n  type: service\n",
			want:    []string{"cmd://no-such-program-on-path#x", "(x.provisioners.yaml)", "not found on PATH"}},
		{name: "not a list", file: "x.provisioners.yaml", content: "uri: template://x\n",
			want: []string{"x.provisioners.yaml", "not a score-k8s provisioner file"}},
		{name: "unknown scheme", file: "x.provisioners.yaml", content: "- uri: tf://x\n  type: s3\n",
			want: []string{"x.provisioners.yaml", "provisioner 0 (tf://x)", `scheme "tf"`}},
		{name: "patch that makes invalid JSON", patch: "- op: set\n  path: '0'\n  value: not-an-object\n",
			want: []string{"bad.tpl", "not a JSON list of objects"}},
		{name: "patch that removes a name", patch: "- op: delete\n  path: '1.metadata.name'\n",
			want: []string{"bad.tpl", "after patching", "has no metadata.name"}},
		{name: "patch that removes the apiVersion", patch: "- op: delete\n  path: '1.apiVersion'\n",
			want: []string{"bad.tpl", "has no apiVersion"}},
		{name: "patch that adds a duplicate", patch: "- op: set\n  path: '-1'\n  value: {apiVersion: apps/v1, kind: Deployment, metadata: {name: frontend}}\n",
			want: []string{"two different objects are both Deployment/shop-dev/frontend", "workload frontend", "patch template", "bad.tpl"}},
		{name: "patch with an unknown op", patch: "- op: replace\n  path: '0.kind'\n  value: x\n",
			want: []string{"bad.tpl", `op "replace" is not set or delete`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var defs []paved.ResourceDefinition
			var patches []*scorek8s.PatchTemplate
			var err error
			if tt.content != "" {
				if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
				defs, err = definition.ReadDir(dir)
			}
			if tt.patch != "" {
				p := filepath.Join(dir, "bad.tpl")
				if err := os.WriteFile(p, []byte(tt.patch), 0o644); err != nil {
					t.Fatal(err)
				}
				patches, err = scorek8s.ReadPatchTemplates(p)
			}
			if err == nil {
				_, err = renderScoreK8s(t, scoreK8sEngine(t), goldenState(t).For("shop", "dev"), defs, patches)
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}
