package policy

import (
	"strings"
	"testing"

	"paved.dev/paved"
)

func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		policy paved.Policy
		want   []string // id level fix
	}{
		{"a deployment policy: rule ids from the messages, else the head", paved.Policy{ID: "team", Kind: paved.PolicyDeployment, Module: `package team

deny contains {"rule": "no-root", "msg": "root", "fix": "run as a user"} if { input.x }
deny contains {"rule": "no-root", "msg": "root again"} if { input.y }
warn contains msg if { msg := "careful"; input.z }
helper if { true }
`}, []string{"team/no-root deny run as a user", "team/warn warn "}},
		{"a Conftest policy: rules by name", paved.Policy{ID: "ct", Kind: paved.PolicyConftest, Module: `package main

deny_privileged contains msg if { input.p; msg := "no" }
violation contains {"msg": "v"} if { input.v }
warn contains "w" if { input.w }
exception contains ["privileged"] if { input.e }
`}, []string{"ct/deny_privileged deny ", "ct/violation deny ", "ct/warn warn "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := Rules(tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rules {
				got = append(got, r.ID+" "+string(r.Level)+" "+r.Fix)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rules\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	// The built-in packs name every rule their findings can carry.
	for _, p := range Builtin() {
		rules, err := Rules(p)
		if err != nil || len(rules) == 0 {
			t.Errorf("%s: %d rules, %v", p.ID, len(rules), err)
		}
		for _, r := range rules {
			if strings.HasSuffix(r.ID, "/deny") || strings.HasSuffix(r.ID, "/warn") {
				t.Errorf("%s: a rule without an id: %+v", p.ID, r)
			}
		}
	}
	if _, err := Rules(paved.Policy{ID: "bad", Kind: paved.PolicyDeployment, Module: "package x\ndeny contains"}); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("a module that does not parse: %v", err)
	}
}
