package cmd

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"paved.dev/paved"
)

func TestMergePatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		doc, patch   map[string]any
		want         map[string]any
		wantUnchange map[string]any // doc after the call
	}{
		{"nil doc", nil, map[string]any{"a": 1.0}, map[string]any{"a": 1.0}, nil},
		{"empty patch", map[string]any{"a": 1.0}, map[string]any{}, map[string]any{"a": 1.0}, map[string]any{"a": 1.0}},
		{"null deletes", map[string]any{"a": 1.0, "b": 2.0}, map[string]any{"a": nil}, map[string]any{"b": 2.0}, map[string]any{"a": 1.0, "b": 2.0}},
		{"objects merge", map[string]any{"o": map[string]any{"x": 1.0, "y": 1.0}}, map[string]any{"o": map[string]any{"y": nil, "z": 3.0}},
			map[string]any{"o": map[string]any{"x": 1.0, "z": 3.0}}, map[string]any{"o": map[string]any{"x": 1.0, "y": 1.0}}},
		{"object replaces a scalar, without its nulls", map[string]any{"o": "s"}, map[string]any{"o": map[string]any{"k": nil, "v": 1.0}},
			map[string]any{"o": map[string]any{"v": 1.0}}, map[string]any{"o": "s"}},
		{"lists replace", map[string]any{"l": []any{1.0, 2.0}}, map[string]any{"l": []any{3.0}}, map[string]any{"l": []any{3.0}}, map[string]any{"l": []any{1.0, 2.0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mergePatch(tt.doc, tt.patch); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mergePatch = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(tt.doc, tt.wantUnchange) {
				t.Errorf("doc changed to %v", tt.doc)
			}
		})
	}
}

// TestSharedStateRoundTrip: the shared state a program returns is merged
// into what it had, kept beside its resource_state, and given back to it
// (not inside resource_state) next time.
func TestSharedStateRoundTrip(t *testing.T) {
	t.Parallel()
	patchFile := filepath.Join(t.TempDir(), "patch.json")
	var logs []string
	req := request(t, map[string]any{"program": []any{script(t, "shared.sh"), patchFile}}, &logs)
	steps := []struct {
		patch      string
		wantInput  any // shared_state the program was given
		wantShared any // kept after the run; nil: none kept
	}{
		{`{"prefix": "acme", "buckets": {"web.bucket": true}}`, map[string]any{},
			map[string]any{"prefix": "acme", "buckets": map[string]any{"web.bucket": true}}},
		{`{"prefix": null, "buckets": {"web.logs": true}}`, map[string]any{"prefix": "acme", "buckets": map[string]any{"web.bucket": true}},
			map[string]any{"buckets": map[string]any{"web.bucket": true, "web.logs": true}}},
		{`null`, map[string]any{"buckets": map[string]any{"web.bucket": true, "web.logs": true}},
			map[string]any{"buckets": map[string]any{"web.bucket": true, "web.logs": true}}},
		{`{"buckets": null}`, map[string]any{"buckets": map[string]any{"web.bucket": true, "web.logs": true}}, nil},
	}
	for i, s := range steps {
		if err := os.WriteFile(patchFile, []byte(s.patch), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := New(nil).Provision(context.Background(), req)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		input := res.Outputs["input"].(map[string]any)
		if got := input["shared_state"]; !reflect.DeepEqual(got, s.wantInput) {
			t.Errorf("step %d: shared_state given = %v, want %v", i, got, s.wantInput)
		}
		wantOwn := map[string]any{}
		if i > 0 {
			wantOwn = map[string]any{"n": 1.0}
		}
		if got := input["resource_state"]; !reflect.DeepEqual(got, wantOwn) {
			t.Errorf("step %d: resource_state given = %v, want %v", i, got, wantOwn)
		}
		want := map[string]any{"n": 1.0}
		if s.wantShared != nil {
			want[SharedStateKey] = s.wantShared
		}
		if !reflect.DeepEqual(res.State, want) {
			t.Errorf("step %d: state = %v, want %v", i, res.State, want)
		}
		req.State = res.State
	}
}

// TestSharedStateKeyReserved: a program may not use the key paved keeps the
// shared state under.
func TestSharedStateKeyReserved(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out.json")
	if err := os.WriteFile(out, []byte(`{"resource_state": {"`+SharedStateKey+`": 1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs []string
	_, err := New(nil).Provision(context.Background(), request(t, map[string]any{"program": []any{script(t, "print.sh"), out}}, &logs))
	if got := paved.ErrorCode(err); got != paved.EINTERNAL || !strings.Contains(err.Error(), `resource_state holds the key "paved:shared_state"`) {
		t.Errorf("err = %v (%s), want the reserved key refused", err, got)
	}
}
