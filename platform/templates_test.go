package platform

import (
	"context"
	"errors"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/scaffold"
)

func builtin(t *testing.T, name string) paved.Template {
	t.Helper()
	ts, err := scaffold.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range ts {
		if b.Name == name {
			b.Files = append([]paved.TemplateFile(nil), b.Files...)
			return b
		}
	}
	t.Fatalf("no built-in %s", name)
	return paved.Template{}
}

// TestTemplatesLatest: after a scaffold from the older built-in stored
// that version last, the latest is still the highest.
func TestTemplatesLatest(t *testing.T) {
	f := newFixture(t)
	next := builtin(t, "go-service")
	old := next.Version
	next.Version = "9.0.0"
	if _, err := f.p.ApplyTemplate(f.admin, &next); err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.Scaffold(f.dev, &paved.RenderRequest{Template: "go-service", Version: old, Name: "orders", Team: "pioneers"}); err != nil {
		t.Fatal(err)
	}
	ts, err := f.p.ListTemplates(f.dev)
	if err != nil {
		t.Fatal(err)
	}
	for _, tpl := range ts {
		if tpl.Name == "go-service" && tpl.Version != "9.0.0" {
			t.Fatalf("the latest go-service is %s, want 9.0.0", tpl.Version)
		}
	}
	got, err := f.p.GetTemplate(f.dev, "go-service", "")
	if err != nil || got.Version != "9.0.0" {
		t.Fatalf("GetTemplate latest: %v, %v", got, err)
	}
}

// TestRenderSlots: a rendering waits for a free slot, and gives up with
// its request.
func TestRenderSlots(t *testing.T) {
	f := newFixture(t)
	for range cap(f.p.renders) {
		f.p.renders <- struct{}{}
	}
	req := &paved.RenderRequest{Template: "go-service", Name: "orders", Team: "pioneers"}
	ctx, cancel := context.WithTimeout(f.dev, 100*time.Millisecond)
	defer cancel()
	if _, err := f.p.RenderTemplate(ctx, req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("rendering with every slot taken: %v, want the request's deadline", err)
	}
	<-f.p.renders
	if _, err := f.p.RenderTemplate(f.dev, req); err != nil {
		t.Fatalf("rendering with a slot free: %v", err)
	}
	if len(f.p.renders) != cap(f.p.renders)-1 {
		t.Fatalf("%d slots taken after the rendering, want %d", len(f.p.renders), cap(f.p.renders)-1)
	}
}

// TestRenderIntegers: an integer parameter stays an integer, given or
// defaulted, in the files and the parameters returned.
func TestRenderIntegers(t *testing.T) {
	f := newFixture(t)
	tpl := &paved.Template{Name: "sized", Version: "1.0.0",
		Parameters: []byte(`{"type":"object","properties":{"size":{"type":"integer","default":1048576},"big":{"type":"integer"}}}`),
		Files:      []paved.TemplateFile{{Path: "f.tmpl", Content: "{{.Params.size}} {{.Params.big}} {{add .Params.size 1}}"}}}
	if _, err := f.p.ApplyTemplate(f.admin, tpl); err != nil {
		t.Fatal(err)
	}
	// As the API decodes a body: a float64.
	r, err := f.p.RenderTemplate(f.dev, &paved.RenderRequest{Template: "sized", Name: "orders", Team: "pioneers", Params: map[string]any{"big": float64(4294967296)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Files[0].Content, "1048576 4294967296 1048577"; got != want {
		t.Fatalf("rendered %q, want %q", got, want)
	}
	for k, v := range r.Params {
		if _, ok := v.(int64); !ok {
			t.Errorf("parameter %s is a %T (%v), want int64", k, v, v)
		}
	}
}
