package cmd

import (
	"strings"
	"testing"

	"paved.dev/paved"
)

func TestValidateInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		inputs  map[string]any
		wantMsg []string // none: valid
	}{
		{"program", map[string]any{"program": "/opt/prov"}, nil},
		{"uri with everything", map[string]any{"uri": "cmd://bash#x", "args": []any{"-c", "{{.Uid}}"}, "template_args": true, "check": []any{"-c", "true"}, "deprovision": true, "timeout": "5m"}, nil},
		{"program not installed here is fine", map[string]any{"uri": "cmd://surely-not-installed-provisioner"}, nil},
		{"both", map[string]any{"program": "/opt/prov", "uri": "cmd://bash"}, []string{"program and uri both name the program"}},
		{"neither", map[string]any{}, []string{"program is required", "set uri"}},
		{"uri in program", map[string]any{"program": "cmd://bash"}, []string{"set uri to it instead"}},
		{"uri not a string", map[string]any{"uri": []any{"cmd://bash"}}, []string{"uri must be a string"}},
		{"bad uri", map[string]any{"uri": "cmd://bash/x"}, []string{`uri "cmd://bash/x" names a program on PATH`}},
		{"bad template", map[string]any{"program": "p", "args": []any{"ok", "{{.Uid"}, "template_args": true}, []string{"args[1] is not a valid template"}},
		{"bad template in check", map[string]any{"program": "p", "check": []any{"{{end}}"}, "template_args": true}, []string{"check[0] is not a valid template"}},
		{"template syntax without template_args", map[string]any{"program": "p", "args": []any{"{{.Uid"}}, nil},
		{"template_args not a bool", map[string]any{"program": "p", "template_args": "yes"}, []string{"template_args must be true or false"}},
		{"check not a bool or list", map[string]any{"program": "p", "check": "always"}, []string{"check must be true, false, or the list of arguments"}},
		{"deprovision list of numbers", map[string]any{"program": "p", "deprovision": []any{1}}, []string{"deprovision[0] must be a string"}},
		{"unknown", map[string]any{"program": "p", "mode": "x"}, []string{`unknown input "mode": the inputs are program, uri, source, args, template_args, check, deprovision, timeout`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := New(nil).ValidateInputs(tt.inputs)
			if len(tt.wantMsg) == 0 {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if got := paved.ErrorCode(err); got != paved.EINVALID {
				t.Fatalf("code = %q (%v), want invalid", got, err)
			}
			for _, want := range tt.wantMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %q, want it to contain %q", err, want)
				}
			}
		})
	}
}
