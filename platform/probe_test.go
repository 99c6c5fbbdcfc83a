package platform

import (
	"strings"
	"testing"

	"paved.dev/paved"
)

// TestProbes: probes need the admin role, say "not checked" where there is
// nothing to check, and run at most once per ProbeEvery.
func TestProbes(t *testing.T) {
	f := newFixture(t)
	if _, err := f.p.ProbeTarget(f.dev, "gitops"); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer probed a target: %v", err)
	}
	r, err := f.p.ProbeTarget(f.admin, "gitops")
	must(t, err)
	if r.Status != paved.ProbeOK {
		t.Errorf("the GitOps repository's probe: %+v", r)
	}
	if _, err := f.p.ProbeTarget(f.admin, "gitops"); paved.ErrorCode(err) != paved.ETOOMANY || !strings.Contains(err.Error(), "probe it again in") {
		t.Errorf("a second probe at once: %v", err)
	}
	_, err = f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: "static-redis", Type: "redis", Driver: "echo",
		Inputs: map[string]any{"values": map[string]any{"host": "h", "port": 6379, "username": "u"}, "secrets": map[string]any{"password": "p"}}}})
	must(t, err)
	if _, err := f.p.ProbeDefinitions(f.dev, nil); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer probed definitions: %v", err)
	}
	rs, err := f.p.ProbeDefinitions(f.admin, nil)
	must(t, err)
	if len(rs) != 1 || rs[0].Status != paved.ProbeNotChecked || !strings.Contains(rs[0].Message, "reaches nothing outside the cluster") {
		t.Errorf("the echo definition's probe: %+v", rs)
	}
}
