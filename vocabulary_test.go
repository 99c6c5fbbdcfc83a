package paved

import "testing"

func TestDeploymentStatuses(t *testing.T) {
	for _, s := range DeploymentStatuses() {
		if !s.Valid() {
			t.Errorf("%q is listed but not valid", s)
		}
	}
	for _, s := range []DeploymentStatus{"", "paused", "Running"} {
		if s.Valid() {
			t.Errorf("%q is valid", s)
		}
	}
	if n := len(DeploymentStatuses()); n != 4 {
		t.Errorf("%d statuses, want 4", n)
	}
	if n := len(DeploymentKinds()); n != 4 {
		t.Errorf("%d kinds, want 4", n)
	}
}

func TestEnvTypeList(t *testing.T) {
	if got, want := EnvTypeList(), "ephemeral, development, staging, production"; got != want {
		t.Errorf("EnvTypeList() = %q, want %q", got, want)
	}
}
