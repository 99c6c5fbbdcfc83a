package scaffold_test

import (
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/scaffold"
)

// BenchmarkRender renders the go-service built-in with its defaults: the
// work of every paved new and of both sides of paved upgrade.
func BenchmarkRender(b *testing.B) {
	ts, err := scaffold.Builtins()
	if err != nil {
		b.Fatal(err)
	}
	tpl := ts[0]
	req := &paved.RenderRequest{Template: tpl.Name, Name: "orders", Team: "payments"}
	for b.Loop() {
		if _, err := scaffold.Render(&tpl, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuiltins loads the four built-ins, as the platform does for
// each template request.
func BenchmarkBuiltins(b *testing.B) {
	for b.Loop() {
		if _, err := scaffold.Builtins(); err != nil {
			b.Fatal(err)
		}
	}
}
