package platform

import (
	"context"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestProductionReadiness: the refusal lists exactly what is missing;
// completing it lets production in during the MVP; a change to a finance
// policy ends finance's sign-off.
func TestProductionReadiness(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sign := map[paved.Role]context.Context{}
	for _, role := range []paved.Role{paved.RoleSecurity, paved.RoleData, paved.RoleFinance} {
		u := &paved.User{Name: string(role) + "-user", Role: role}
		must(t, f.p.CreateUser(f.admin, u))
		sign[role] = paved.WithActor(ctx, u)
	}
	missing := func() []string {
		t.Helper()
		r, err := f.p.Readiness(f.dev, "shop")
		must(t, err)
		var out []string
		for _, it := range r.Items {
			if !it.Done {
				out = append(out, it.ID)
			}
		}
		return out
	}
	if got := strings.Join(missing(), ","); got != "staging-deployed,rollback,owner,signoff-security,signoff-data,signoff-finance" {
		t.Fatalf("missing at first: %s", got)
	}
	_, err := f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "prod", Type: paved.EnvProduction})
	if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "a rollback exercised (roll an environment of shop back once") || !strings.Contains(err.Error(), "signed off by finance") {
		t.Fatalf("production before readiness: %v", err)
	}
	if _, err := f.p.SignOff(f.dev, "shop"); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer signing off: %v", err)
	}

	// Staging, a price list, a rollback, a week, the sign-offs.
	_, err = f.p.ApplyPrices(f.admin, &paved.PriceList{Currency: "USD", VCPUHour: 0.04, MemoryGiBHour: 0.005, DefaultCPU: 0.25, DefaultMemory: 0.5})
	must(t, err)
	first := f.deployToEnd(t, shopSpecs())
	f.deployToEnd(t, shopSpecs())
	_, err = f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "staging"})
	must(t, err)
	_, err = f.p.Promote(f.dev, "shop", "dev", "staging")
	must(t, err)
	f.p.Wait()
	_, err = f.p.Rollback(f.dev, first.ID)
	must(t, err)
	f.p.Wait()
	oncall := "payments-oncall@example.com"
	_, err = f.p.UpdateApp(f.dev, "shop", paved.AppUpdate{OnCall: &oncall})
	must(t, err)
	if got := strings.Join(missing(), ","); got != "staging-stable,signoff-security,signoff-data,signoff-finance" {
		t.Fatalf("missing after staging and a rollback: %s", got)
	}
	f.clock.Add(8 * 24 * time.Hour)
	for _, role := range []paved.Role{paved.RoleSecurity, paved.RoleData, paved.RoleFinance} {
		_, err := f.p.SignOff(sign[role], "shop")
		must(t, err)
	}
	if got := missing(); len(got) != 0 {
		t.Fatalf("still missing: %v", got)
	}
	if _, err := f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "prod", Type: paved.EnvProduction}); err != nil {
		t.Fatalf("production once ready: %v", err)
	}

	// A finance policy changes: finance's sign-off no longer holds.
	_, err = f.p.ApplyPolicies(sign[paved.RoleFinance], []paved.Policy{{ID: "cheap", Owner: paved.RoleFinance, Kind: paved.PolicyDeployment, Module: "package cheap\n"}})
	must(t, err)
	r, err := f.p.Readiness(f.dev, "shop")
	must(t, err)
	if r.Ready || strings.Join(missing(), ",") != "signoff-finance" {
		t.Fatalf("after a finance policy changed: ready %v, missing %v", r.Ready, missing())
	}
	for _, s := range r.SignOffs {
		if s.Role == paved.RoleFinance && (s.Valid || !strings.Contains(s.Invalid, "a policy finance owns changed")) {
			t.Errorf("finance's sign-off: %+v", s)
		}
	}
}

// TestMVPModeAtRunTime: an admin takes the platform out of MVP mode, for
// every server; production is then not held back; audited.
func TestMVPModeAtRunTime(t *testing.T) {
	f := newFixture(t)
	if err := f.p.SetMVPMode(f.dev, false); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer changing the MVP mode: %v", err)
	}
	if on, err := f.p.MVPMode(f.dev); err != nil || !on {
		t.Fatalf("MVP mode at start: %v %v", on, err)
	}
	if _, err := f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "prod", Type: paved.EnvProduction}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Fatalf("production in MVP mode: %v", err)
	}
	must(t, f.p.SetMVPMode(f.admin, false))
	other, err := New(f.p.cfg)
	must(t, err)
	if on, err := other.MVPMode(f.dev); err != nil || on {
		t.Errorf("another server's MVP mode: %v %v", on, err)
	}
	if _, err := f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "prod", Type: paved.EnvProduction}); err != nil {
		t.Fatalf("production out of MVP mode: %v", err)
	}
	if e := f.lastAudit(t, "mvp.set"); e.Target != "mvp_mode=false" || e.Result != "ok" {
		t.Errorf("audit %+v", e)
	}
}
