package template

import (
	"context"
	"strings"
	"testing"

	"paved.dev/paved"
)

// TestStoredDefinitionsKeepWorking: the functions paved's definitions were
// written with before sprig still work as documented: get with a default,
// shortHash, quote as JSON.
func TestStoredDefinitionsKeepWorking(t *testing.T) {
	t.Parallel()
	// tmpl is an expression; the output v is its value.
	tests := []struct{ name, tmpl, want string }{
		{"get with a default, missing", `get .Params "size" "1Gi"`, "1Gi"},
		{"get with a default, null", `get .Params "nothing" "x"`, "x"},
		{"get with a default, present", `get .Params "name" "x"`, "web"},
		{"get as sprig's, missing", `get .Params "size"`, ""},
		{"get in a pipeline", `"1Gi" | get .Params "size"`, "1Gi"},
		{"shortHash: sha256's first 4 bytes", `shortHash "shop"`, "8d9001d3"},
		{"quote as JSON", `quote "a\"b\\c\u00e9<"`, `"a\"b\\cé<"`},
		{"quote of several, nil left out", `quote "a" .Params.nothing "b"`, `"a" "b"`},
	}
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{"outputs": "{{ $v := " + tt.tmpl + " }}v: {{ toJson $v }}\n"}
			if err := d.ValidateInputs(in); err != nil {
				t.Fatal(err)
			}
			def := &paved.ResourceDefinition{ID: "x", Type: "thing", Driver: "template", Inputs: in, Outputs: []paved.OutputSpec{{Name: "v"}}}
			res, err := d.Provision(context.Background(), &paved.ResourceRequest{UID: "thing.default#web.x", Definition: def,
				Params: map[string]any{"name": "web", "nothing": nil}})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Outputs["v"]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWrongArgumentCountRefusedAtApply: a call with the wrong number of
// arguments is refused when the definition is validated, naming the
// function, not at its first deployment.
func TestWrongArgumentCountRefusedAtApply(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, tmpl, want string }{
		{"too many", `a: {{ b64enc "x" "y" }}`, "b64enc is given 2 argument(s) but takes 1"},
		{"too few in a pipeline", `a: {{ "x" | replace "a" }}`, "replace is given 2 argument(s) but takes 3"},
		{"inside if and parentheses", `{{ if true }}a: {{ upper (lower) }}{{ end }}`, "lower is given 0 argument(s) but takes 1"},
		{"a seeded random function", `a: {{ randAlphaNum }}`, "randAlphaNum is given 0 argument(s) but takes 1"},
		{"get with two defaults", `a: {{ get .Params "a" "b" "c" }}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New().ValidateInputs(map[string]any{"outputs": tt.tmpl})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("variadic get: %v (its extra default fails when it runs)", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
