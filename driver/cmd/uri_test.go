package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved"
)

func TestParseURI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri      string
		wantHost string
		wantPath string
		wantErr  string
	}{
		{uri: "cmd://python3", wantHost: "python3"},
		{uri: "cmd://bash#example-provisioner", wantHost: "bash"},
		{uri: "cmd:///absolute/path/here", wantPath: "/absolute/path/here"},
		{uri: "cmd:///opt/my%20dir/prov", wantPath: "/opt/my dir/prov"},
		{uri: "cmd://./relative/path", wantHost: ".", wantPath: "/relative/path"},
		{uri: "cmd://../parent/path", wantHost: "..", wantPath: "/parent/path"},
		{uri: "cmd://~/path#x", wantHost: "~", wantPath: "/path"},
		{uri: "", wantErr: `must start with "cmd://"`},
		{uri: "template://x", wantErr: `must start with "cmd://"`},
		{uri: "cmd:bash", wantErr: `must start with "cmd://"`},
		{uri: "cmd://", wantErr: "names no program"},
		{uri: "cmd://./", wantErr: "names a directory"},
		{uri: "cmd://x:x", wantErr: "is not a URI"},
		{uri: "cmd://something@foo", wantErr: "must not hold user info"},
		{uri: "cmd://something:80", wantErr: "must not hold a port"},
		{uri: "cmd://something?foo=x", wantErr: "must not hold query parameters"},
		{uri: "cmd://something/foo", wantErr: `must not have a path after it: write "cmd:///something/foo"`},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			t.Parallel()
			got, err := parseURI(tt.uri)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.host != tt.wantHost || got.path != tt.wantPath {
				t.Errorf("host, path = %q, %q; want %q, %q", got.host, got.path, tt.wantHost, tt.wantPath)
			}
		})
	}
}

// TestURIForms runs a score-k8s program through each form of URI, and an
// inline script the way score-k8s' community provisioners are written. It
// sets HOME and PATH, so it does not run in parallel.
func TestURIForms(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	bin := t.TempDir()
	prog, err := os.ReadFile(filepath.Join("testdata", "scorek8s.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(home, "provisioners", "s3"), filepath.Join(bin, "s3-provisioner")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, prog, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", home)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	inline := `STDIN=$(cat); ID=$(printf '%s' "$STDIN" | sed -n 's/.*"resource_id":"\([^"]*\)".*/\1/p'); printf '{"resource_outputs":{"id":"%s"},"manifests":[]}' "$ID"`
	tests := []struct {
		name   string
		inputs map[string]any
	}{
		{"on PATH", map[string]any{"uri": "cmd://s3-provisioner"}},
		{"absolute", map[string]any{"uri": "cmd://" + filepath.Join(wd, "testdata", "scorek8s.sh")}},
		{"relative", map[string]any{"uri": "cmd://./testdata/scorek8s.sh"}},
		{"parent", map[string]any{"uri": "cmd://../" + filepath.Base(wd) + "/testdata/scorek8s.sh"}},
		{"home", map[string]any{"uri": "cmd://~/provisioners/s3#home"}},
		{"interpreter with an inline script", map[string]any{"uri": "cmd://sh#inline", "args": []any{"-c", inline}}},
		{"program path", map[string]any{"program": filepath.Join("testdata", "scorek8s.sh")}},
		{"program on PATH", map[string]any{"program": "s3-provisioner"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs []string
			req := request(t, tt.inputs, &logs)
			req.Definition.Outputs = []paved.OutputSpec{{Name: "*"}, {Name: "password", Secret: true}}
			if err := New(nil).ValidateInputs(tt.inputs); err != nil {
				t.Fatalf("ValidateInputs: %v", err)
			}
			res, err := New(nil).Provision(context.Background(), req)
			if err != nil {
				t.Fatalf("Provision: %v", err)
			}
			if got, want := res.Outputs["id"], "web.bucket"; got != want {
				t.Errorf("id = %v, want %v", got, want)
			}
		})
	}
}
