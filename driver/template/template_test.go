package template

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/graph"
)

func TestErrorsMaskGeneratedSecrets(t *testing.T) {
	d := New()
	def := &paved.ResourceDefinition{ID: "x", Type: "thing", Driver: "template", Inputs: map[string]any{
		"outputs": "password: {{ $.Secret \"password\" 20 }}\nbroken: [\n",
	}}
	req := &paved.ResourceRequest{UID: "thing.default#web.x", Definition: def,
		Secret: func(string, int) string { return "SUPERSECRETVALUE0001" }}
	_, err := d.Provision(context.Background(), req)
	if err == nil {
		t.Fatal("want an error for output that is not YAML")
	}
	if strings.Contains(err.Error(), "SUPERSECRETVALUE0001") {
		t.Errorf("the error shows a generated secret: %v", err)
	}
	if !strings.Contains(err.Error(), "password: (secret)") || paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("the error does not show the masked output or has code %s: %v", paved.ErrorCode(err), err)
	}
}

// TestFunctions: sprig's functions are there, paved's own too; those that
// read the server's environment or the clock are not; the random ones are
// stable for the same seed and resource and differ between resources.
func TestFunctions(t *testing.T) {
	t.Parallel()
	seed := func(uid paved.ResourceUID) func(string, int) string {
		return func(name string, n int) string { return graph.DeriveSecret([]byte("seed"), uid, name, n) }
	}
	run := func(uid paved.ResourceUID, text string) (string, error) {
		def := &paved.ResourceDefinition{ID: "x", Type: "thing", Driver: "template", Outputs: []paved.OutputSpec{{Name: "v"}},
			Inputs: map[string]any{"outputs": "v: " + text}}
		res, err := New().Provision(context.Background(), &paved.ResourceRequest{UID: uid, Definition: def, Secret: seed(uid)})
		if err != nil {
			return "", err
		}
		return fmt.Sprint(res.Outputs["v"]), nil
	}
	tests := []struct{ text, want, wantErr string }{
		{text: `{{ "a,b" | splitList "," | last | upper | quote }}`, want: "B"},
		{text: `{{ dig "a" "b" "def" (dict "a" (dict "b" "x")) | quote }}`, want: "x"},
		{text: `{{ dig "a" "c" "def" (dict "a" (dict "b" "x")) | quote }}`, want: "def"},
		{text: `{{ sha256sum "x" | trunc 8 }}`, want: "2d711642"},
		{text: `{{ dnsLabel "Web" "DB" }}`, want: "web-db"},
		{text: `{{ encodeSecretRef "s" "k" | quote }}`, wantErr: `refers to key "k" of Secret "s": no such Secret is among the provisioner's manifests`},
		{text: `{{ required "params.x is required" nil }}`, wantErr: "params.x is required"},
		{text: `{{ env "HOME" }}`, wantErr: `function "env" not defined`},
		{text: `{{ now }}`, wantErr: `function "now" not defined`},
		{text: `{{ genCA "x" 1 }}`, wantErr: `function "genCA" not defined`},
		{text: `{{ randAlphaNum 12 | len }}`, want: "12"},
		{text: `{{ randNumeric 30 | regexMatch "^[0-9]{30}$" }}`, want: "true"},
		{text: `{{ uuidv4 | regexMatch "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" }}`, want: "true"},
		{text: `{{ randInt 5 6 }}`, want: "5"},
	}
	for _, tt := range tests {
		got, err := run("thing.default#web.a", tt.text)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.text, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s = %q, %v; want %q", tt.text, got, err, tt.want)
		}
	}
	text := `{{ list (randAlphaNum 16) (randAlpha 8) (randAscii 8) (randBytes 8) (shuffle "abcdefgh") uuidv4 | toJson | quote }}`
	a1, err := run("thing.default#web.a", text)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := run("thing.default#web.a", text)
	b, _ := run("thing.default#web.b", text)
	if a1 != a2 || a1 == b {
		t.Errorf("random values: same resource %q then %q, other resource %q; want the same twice and another for the other", a1, a2, b)
	}
	var vals []string
	if err := json.Unmarshal([]byte(a1), &vals); err != nil || vals[0] == vals[1] || len(vals[0]) != 16 {
		t.Errorf("random values %q: want 6 distinct values, the first 16 long (%v)", a1, err)
	}
}
