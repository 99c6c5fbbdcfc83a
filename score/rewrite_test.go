package score

import (
	"strings"
	"testing"
)

func TestRewrite(t *testing.T) {
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	spec := "apiVersion: score.dev/v1b1\n# a comment\nmetadata: {name: web}\ncontainers:\n  web: {image: .}\n  sidecar: {image: envoy:1.30, variables: {A: a, B: b}}\n"
	for _, tc := range []struct {
		name       string
		opts       Options
		want, lose []string
		err        string
	}{
		{"nothing to change keeps the file as it is", Options{}, []string{"# a comment", "image: ."}, nil, ""},
		{"the placeholder image", Options{Image: "ghcr.io/acme/web:2"}, []string{"image: ghcr.io/acme/web:2", "image: envoy:1.30"}, []string{"# a comment"}, ""},
		{"a named container, whatever its image", Options{Images: map[string]string{"sidecar": "envoy:1.31"}}, []string{"image: envoy:1.31", "image: ."}, nil, ""},
		{"both: the name wins for its container", Options{Image: "w:1", Images: map[string]string{"sidecar": "s:1"}}, []string{"image: w:1", "image: s:1"}, nil, ""},
		{"an override file merges; null deletes", Options{OverrideFiles: []map[string]any{{"containers": map[string]any{"sidecar": map[string]any{"variables": map[string]any{"A": nil, "C": "c"}}}}}},
			[]string{"B: b", "C: c"}, []string{"A: a"}, ""},
		{"property overrides after the file", Options{OverrideFiles: []map[string]any{{"metadata": map[string]any{"name": "api"}}}, Overrides: []string{"metadata.name=gateway"}},
			[]string{"name: gateway"}, []string{"name: api"}, ""},
		{"a result that is not a Score spec is refused", Options{Overrides: []string{"containers="}}, nil, nil, "containers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := l.Rewrite("web.score.yaml", []byte(spec), "", tc.opts)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "web.score.yaml: ") {
					t.Fatalf("error %v, want one naming the file and %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.lose {
				if strings.Contains(string(out), w) {
					t.Errorf("still has %q:\n%s", w, out)
				}
			}
			again, err := l.Rewrite("web.score.yaml", []byte(spec), "", tc.opts)
			if err != nil || string(again) != string(out) {
				t.Errorf("not deterministic:\n%s\n---\n%s", out, again)
			}
		})
	}
}
