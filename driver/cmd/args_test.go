package cmd

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

// TestArgs runs echoargs.sh, which prints its arguments, with and without
// template_args.
func TestArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		inputs   map[string]any
		state    map[string]any
		want     []any
		wantCode string
		wantMsg  string
		notMsg   string
	}{
		{
			name:   "verbatim by default, as score-k8s passes them",
			inputs: map[string]any{"args": []any{"{{.Uid}}", "<mode>", "--mode=<mode>"}},
			want:   []any{"{{.Uid}}", "provision", "--mode=provision"},
		},
		{
			name: "templates with score-k8s' template data",
			inputs: map[string]any{"template_args": true, "args": []any{
				"{{.Uid}}", "{{.Type}}.{{.Class}}.{{.Id}}", "{{.Guid | len}}", `{{index .Params "size"}}`, "{{.SourceWorkload}}",
				`{{(index .WorkloadServices "web").ServiceName}}`, `{{(index (index .WorkloadServices "web").Ports "http").TargetPort}}`,
				"{{.WorkloadMetadata.name}}", "{{.Namespace}}", "{{.State.count}}", "{{.Shared.bucket_prefix}}",
			}},
			state: map[string]any{"count": 3, scorek8s.SharedStateKey: map[string]any{"bucket_prefix": "acme"}},
			want: []any{
				"s3.default#web.bucket", "s3.default.web.bucket", "36", "small", "web",
				"web", "8080",
				"web", "shop-dev", "3", "acme",
			},
		},
		{
			name:   "paved's additions",
			inputs: map[string]any{"template_args": true, "program": []any{script(t, "echoargs.sh"), "--mode={{.Mode}}"}, "args": []any{"{{.App}}/{{.Env}}/{{.EnvType}}", "<mode>"}},
			want:   []any{"--mode=provision", "shop/dev/development", "provision"},
		},
		{
			name:   "a key that is not set can be guarded",
			inputs: map[string]any{"template_args": true, "args": []any{"{{with .State.count}}{{.}}{{else}}first{{end}}"}},
			want:   []any{"first"},
		},
		{
			name:     "a key that is not set is refused",
			inputs:   map[string]any{"template_args": true, "args": []any{"ok", "{{.Params.missing}}"}},
			wantCode: paved.EINVALID,
			wantMsg:  `args[1] reads a value that is not set (it rendered "<no value>")`,
		},
		{
			name:     "a field that does not exist is refused without quoting the data",
			inputs:   map[string]any{"template_args": true, "args": []any{"{{.Password}}"}},
			state:    map[string]any{"password": "s3cr3t"},
			wantCode: paved.EINVALID,
			wantMsg:  "args[0]",
			notMsg:   "s3cr3t",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, ok := tt.inputs["program"]; !ok {
				tt.inputs["program"] = script(t, "echoargs.sh")
			}
			var logs []string
			req := request(t, tt.inputs, &logs)
			req.State = tt.state
			res, err := New(nil).Provision(context.Background(), req)
			if tt.wantCode != "" {
				if got := paved.ErrorCode(err); got != tt.wantCode {
					t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
				}
				if tt.notMsg != "" && strings.Contains(err.Error(), tt.notMsg) {
					t.Errorf("err = %q, want it without %q", err, tt.notMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Provision: %v", err)
			}
			if got := res.Outputs["args"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("args = %q, want %q", got, tt.want)
			}
		})
	}
}
