package template

import (
	"context"
	"strings"
	"testing"

	"paved.dev/paved"
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
