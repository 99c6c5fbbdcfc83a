package template

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/graph"
)

// FuzzProvision runs any state, outputs and manifests templates with any
// params, seeded with the built-in definitions' templates: the driver must
// never panic, its errors must be invalid-input errors that never show a
// secret it generated, and what it returns must be within its limits.
func FuzzProvision(f *testing.F) {
	defs, err := definition.Defaults()
	if err != nil {
		f.Fatal(err)
	}
	for _, d := range defs {
		if d.Driver != "template" {
			continue
		}
		state, _ := d.Inputs["state"].(string)
		outputs, _ := d.Inputs["outputs"].(string)
		manifests, _ := d.Inputs["manifests"].(string)
		f.Add(state, outputs, manifests, []byte(`{"host":"example.com","port":8080,"path":"/"}`))
	}
	f.Add("", "password: {{ $.Secret \"password\" 20 }}\nbroken: [\n", "", []byte("{}"))
	f.Add("n: {{ .State.n }}", "a: {{ index .Params \"a\" }}", "- {kind: ConfigMap}\n- null\n- {a: 1}", []byte(`{"a":[1,2]}`))
	f.Add("", "{{ range 5 }}x{{ end }}", "", []byte("null"))
	f.Fuzz(func(t *testing.T, state, outputs, manifests string, params []byte) {
		in := map[string]any{"state": state, "outputs": outputs, "manifests": manifests}
		d := New()
		if err := d.ValidateInputs(in); err != nil {
			return // refused when the definition is applied
		}
		var p map[string]any
		_ = json.Unmarshal(params, &p)
		seed := []byte("fuzz-seed-fuzz-seed-fuzz-seed-32")
		uid := paved.ResourceUID("thing.default#web.x")
		var secrets []string
		req := &paved.ResourceRequest{
			UID: uid, Name: "x", SourceWorkload: "web", Params: p,
			Definition: &paved.ResourceDefinition{ID: "fuzz", Type: "thing", Driver: "template", Inputs: in},
			Context:    paved.DeployContext{App: "shop", Env: "dev", EnvType: paved.EnvDevelopment, Namespace: "shop-dev"},
			Workloads:  map[string]paved.WorkloadInfo{"web": {Name: "web", ServiceName: "web", Ports: []paved.Port{{Name: "http", Port: 8080}}}},
			Secret: func(name string, n int) string {
				s := graph.DeriveSecret(seed, uid, name, n)
				secrets = append(secrets, s)
				return s
			},
		}
		res, err := d.Provision(context.Background(), req)
		if err != nil {
			if code := paved.ErrorCode(err); code != paved.EINVALID {
				t.Fatalf("error with code %q, want invalid: %v", code, err)
			}
			for _, s := range secrets {
				// Short values appear in any text by chance.
				if len(s) >= 12 && strings.Contains(err.Error(), s) {
					t.Fatalf("the error shows a generated secret: %v", err)
				}
			}
			return
		}
		for i, m := range res.Manifests {
			if _, ok := m["kind"].(string); !ok {
				t.Fatalf("manifests[%d] has no kind: %v", i, m)
			}
		}
		if b, err := json.Marshal(res.Outputs); err == nil && len(b) > 4*MaxOutput {
			t.Fatalf("outputs of %d bytes from a template limited to %d", len(b), MaxOutput)
		}
	})
}
