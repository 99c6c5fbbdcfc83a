package server

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
)

// TestPolicyGate: a security user's policy denies a deployment before
// anything is provisioned, naming the policy and its owner; developers may
// not change policies; a module that does not compile is refused with its
// line; the built-in pack's warnings are recorded on the deployment.
func TestPolicyGate(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx, Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(t.TempDir(), "data"), AdminToken: "pvd_policy_admin", MVPMode: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	admin := api.NewClient(s.URL, "pvd_policy_admin")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(admin.CreateTeam(ctx, &paved.Team{Name: "pioneers", Pioneering: true}))
	token := func(u paved.User) *api.Client {
		must(admin.CreateUser(ctx, &u))
		tok, err := admin.CreateToken(ctx, &paved.TokenRequest{User: u.Name})
		must(err)
		return api.NewClient(s.URL, tok.Secret)
	}
	dev := token(paved.User{Name: "dana", Role: paved.RoleDeveloper, Teams: []string{"pioneers"}})
	sec := token(paved.User{Name: "sam", Role: paved.RoleSecurity})
	must(dev.CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	_, err = dev.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "dev"})
	must(err)
	specs := map[string]string{}
	for _, f := range examples.Shop() {
		specs[f.Name] = string(f.Data)
	}

	ps, err := dev.ListPolicies(ctx)
	must(err)
	if len(ps) != 3 || ps[0].ID != "data" || ps[1].ID != "finance" || ps[2].ID != "security" || ps[2].Version != 0 {
		t.Fatalf("the policies in force: %+v", ps)
	}
	deny := paved.Policy{ID: "no-web", Owner: paved.RoleSecurity, Kind: paved.PolicyConftest,
		Module: "package main\n\ndeny contains msg if {\n\tinput.kind == \"Deployment\"\n\tinput.metadata.name == \"web\"\n\tmsg := \"web is not allowed here\"\n}\n"}
	if _, err := dev.ApplyPolicies(ctx, []paved.Policy{deny}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Fatalf("a developer applying a policy: %v", err)
	}
	bad := deny
	bad.Module = "package main\n\ndeny contains msg if {\n"
	if _, err := sec.ApplyPolicies(ctx, []paved.Policy{bad}); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "line 4, column 0: unexpected eof") {
		t.Fatalf("a module that does not compile: %v", err)
	}
	out, err := sec.ApplyPolicies(ctx, []paved.Policy{deny})
	must(err)
	if out[0].Version != 1 || out[0].UpdatedBy != "sam" {
		t.Fatalf("applied: %+v", out[0])
	}
	if again, err := sec.ApplyPolicies(ctx, []paved.Policy{deny}); err != nil || again[0].Version != 1 {
		t.Fatalf("the same policy again: %+v %v", again, err)
	}

	plan, err := dev.Plan(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	must(err)
	var denials, warnings int
	for _, f := range plan.Findings {
		switch {
		case f.Level == paved.FindingDeny && f.Rule == "no-web/deny" && f.Owner == paved.RoleSecurity:
			denials++
		case f.Level == paved.FindingWarn && strings.HasPrefix(f.Rule, "security/"):
			warnings++
		}
	}
	if denials != 1 || warnings == 0 {
		t.Fatalf("the plan's findings: %+v", plan.Findings)
	}
	d, err := dev.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "no-web/deny (security): Deployment/shop-dev/web: web is not allowed here") {
		t.Fatalf("a denied deployment: %v", err)
	}
	_ = d
	rs, err := dev.ListResources(ctx, "shop", "dev")
	must(err)
	if len(rs) != 0 {
		t.Errorf("a denied deployment provisioned %d resources", len(rs))
	}
	deps, err := dev.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev"})
	must(err)
	if len(deps) != 1 || deps[0].Status != paved.DeploymentFailed || !strings.Contains(deps[0].Error, "web is not allowed here") {
		t.Fatalf("the denied deployment's record: %+v", deps)
	}
	// Another role cannot take a pack's place; without an owner, a policy
	// keeps its own.
	fin := token(paved.User{Name: "fiona", Role: paved.RoleFinance})
	if _, err := fin.ApplyPolicies(ctx, []paved.Policy{{ID: "security", Owner: paved.RoleFinance, Kind: paved.PolicyDeployment, Module: "package paved.security\n"}}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("finance replacing the security pack: %v", err)
	}
	kept := deny
	kept.Owner = ""
	kept.Module += "\n# reviewed\n"
	v2, err := admin.ApplyPolicies(ctx, []paved.Policy{kept})
	must(err)
	if v2[0].Owner != paved.RoleSecurity || v2[0].Version != 2 {
		t.Errorf("an admin's change without an owner: %+v", v2[0])
	}

	// Cost: finance's price list puts an estimate on every plan; a hard
	// budget denies what goes beyond it.
	if _, err := dev.ApplyPrices(ctx, &paved.PriceList{Currency: "USD", VCPUHour: 0.04}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer applying prices: %v", err)
	}
	if _, err := fin.ApplyPrices(ctx, &paved.PriceList{Currency: "USD", VCPUHour: -1}); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "vcpu_hour") {
		t.Errorf("a negative price: %v", err)
	}
	_, err = fin.ApplyPrices(ctx, &paved.PriceList{Currency: "USD", VCPUHour: 0.04, MemoryGiBHour: 0.005, DefaultCPU: 0.25, DefaultMemory: 0.5,
		Resources: []paved.ResourcePrice{{Type: "postgres", Monthly: 15}}})
	must(err)
	_, err = sec.ApplyPolicies(ctx, []paved.Policy{{ID: "no-web", Owner: paved.RoleSecurity, Kind: paved.PolicyConftest, Module: "package main\n"}})
	must(err)
	plan, err = dev.Plan(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	must(err)
	if plan.Cost == nil || !plan.Cost.Estimate || plan.Cost.Currency != "USD" || plan.Cost.Monthly < 15 {
		t.Fatalf("the plan's cost: %+v", plan.Cost)
	}
	// A waiver turns a rule's denials into warnings that say so, once the
	// rule's owner approved it.
	w, err := dev.RequestWaiver(ctx, &paved.WaiverRequest{Rule: "security/sec-image-tag", App: "shop", Env: "dev", Reason: "a demo image", TTL: paved.Duration(time.Hour)})
	must(err)
	untagged := map[string]string{"hello.score.yaml": "apiVersion: score.dev/v1b1\nmetadata: {name: hello}\ncontainers: {main: {image: nginx}}\n"}
	if _, err := dev.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: untagged}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Fatalf("an untagged image before the waiver is approved: %v", err)
	}
	if _, err := fin.DecideWaiver(ctx, w.ID, true); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("finance approving a security rule's waiver: %v", err)
	}
	if _, err := sec.DecideWaiver(ctx, w.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.DecideWaiver(ctx, w.ID, false); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Errorf("deciding a waiver twice: %v", err)
	}
	wp, err := dev.Plan(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: untagged})
	must(err)
	waived := false
	for _, f := range wp.Findings {
		if f.Rule == "security/sec-image-tag" {
			waived = f.Level == paved.FindingWarn && strings.Contains(f.Message, "[waived by sam until")
		}
	}
	if !waived {
		t.Errorf("the waived rule's findings: %+v", wp.Findings)
	}

	rep, err := fin.CostReport(ctx, paved.CostFilter{Team: "pioneers"})
	must(err)
	if len(rep.Environments) != 1 || rep.Environments[0].Env != "dev" || !rep.Estimate || len(rep.Teams) != 1 {
		t.Errorf("the cost report: %+v", rep)
	}
	one := 1.0
	if _, err := fin.UpdateTeam(ctx, "pioneers", paved.TeamUpdate{Budget: &paved.Budget{Monthly: one, Hard: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs}); paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "finance/fin-budget (finance)") {
		t.Errorf("a deployment beyond a hard budget: %v", err)
	}

	audit, err := admin.ListAudit(ctx, paved.AuditFilter{Action: "policies.apply"})
	must(err)
	if len(audit) < 3 {
		t.Errorf("%d policies.apply entries, want the refused and the applied ones", len(audit))
	}
}
