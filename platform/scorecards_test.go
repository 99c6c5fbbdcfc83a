package platform

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/policy"
)

// withScorecards gives the platform the policy engine's scorecards and
// a gate that denies while told to.
func withScorecards(gate *recordingGate) func(*Config) {
	return func(c *Config) {
		c.Scorecards, c.BuiltinScorecards = policy.New(0), policy.BuiltinScorecards()
		c.Gates = []paved.Gate{gate}
	}
}

// TestScorecardFactsFlip walks an app from nothing to gold on the MVP
// scorecard: every fact flips as the data it reads changes, the levels
// follow, and the history keeps one record per change.
func TestScorecardFactsFlip(t *testing.T) {
	gate := &recordingGate{}
	f := newFixture(t, withScorecards(gate))
	ctx := context.Background()
	mvp := func() (*paved.ScorecardFacts, *paved.ScorecardResult) {
		t.Helper()
		out, err := f.p.AppScorecards(f.dev, "shop", "mvp")
		must(t, err)
		if len(out.Scorecards) != 1 {
			t.Fatalf("scorecards %+v, want mvp alone", out.Scorecards)
		}
		return &out.Facts, &out.Scorecards[0]
	}
	failing := func(r *paved.ScorecardResult) string {
		var out []string
		for _, rule := range r.Rules {
			if !rule.Pass {
				out = append(out, rule.ID)
			}
		}
		return strings.Join(out, ",")
	}

	facts, r := mvp()
	if facts.LastSuccessAt != nil || facts.WeeksDeployed != 0 || facts.StagingDeployed || facts.Team != "pioneers" || facts.Environments[paved.EnvDevelopment] != 1 {
		t.Fatalf("facts before any deployment: %+v", facts)
	}
	if r.Level != "" || r.Next != paved.LevelBronze || strings.Join(r.Missing, ",") != "deployed" {
		t.Fatalf("before any deployment: level %q, next %q, missing %v", r.Level, r.Next, r.Missing)
	}

	// A denial at the gate: the latest plan of dev is denied.
	gate.deny = true
	if _, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Fatalf("denied deploy: %v", err)
	}
	facts, _ = mvp()
	if !facts.LastPlanDenied || !slices.Equal(facts.DeniedEnvironments, []string{"dev"}) || facts.LastSuccessAt != nil {
		t.Fatalf("facts after a denial: %+v", facts)
	}

	// A success: bronze; the gate's warning is counted; the denial is no
	// longer the latest plan.
	gate.deny = false
	f.deployAndWait(t, f.dev, "dev", shopSpecs())
	facts, r = mvp()
	if facts.LastPlanDenied || facts.WeeksDeployed != 1 || facts.LastSuccessAt == nil || facts.Warnings != 1 || facts.Resources == 0 ||
		!facts.PlatformDefinitionsOnly || len(facts.BuiltinDefinitions) == 0 {
		t.Fatalf("facts after a success: %+v", facts)
	}
	if r.Level != paved.LevelBronze || failing(r) != "deploys-weekly,previews-used,staging-deployed,rollback-exercised" {
		t.Fatalf("after a success: %s, failing %s", r.Level, failing(r))
	}

	// A preview used, staging deployed.
	_, err := f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-1", From: "dev"})
	must(t, err)
	f.p.Wait()
	_, err = f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "staging"})
	must(t, err)
	_, err = f.p.Promote(f.dev, "shop", "dev", "staging")
	must(t, err)
	f.p.Wait()
	facts, r = mvp()
	if !facts.PreviewsUsed || !facts.StagingDeployed || facts.Environments[paved.EnvEphemeral] != 1 || facts.Environments[paved.EnvStaging] != 1 {
		t.Fatalf("facts after a preview and staging: %+v", facts)
	}
	if failing(r) != "deploys-weekly,rollback-exercised" {
		t.Fatalf("after a preview and staging: failing %s", failing(r))
	}

	// Three more weeks, a deployment in each: deploys weekly, silver.
	for range 3 {
		f.clock.Add(7 * 24 * time.Hour)
		f.deployAndWait(t, f.dev, "dev", shopSpecs())
	}
	facts, r = mvp()
	if !facts.DeploysWeekly || facts.WeeksDeployed != 4 || !facts.PreviewsUsed || r.Level != paved.LevelSilver || failing(r) != "rollback-exercised" {
		t.Fatalf("after four weeks of deployments: %+v; level %s, failing %s", facts, r.Level, failing(r))
	}
	// Ten quiet days: the latest week had no deployment, and the preview
	// is more than 30 days old.
	f.clock.Add(10 * 24 * time.Hour)
	facts, r = mvp()
	if facts.PreviewsUsed || facts.WeeksDeployed != 3 || r.Level != paved.LevelBronze || failing(r) != "deploys-weekly,previews-used,rollback-exercised" {
		t.Fatalf("ten quiet days later: %+v; level %s, failing %s", facts, r.Level, failing(r))
	}
	f.deployAndWait(t, f.dev, "dev", shopSpecs())
	_, err = f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-2", From: "dev"})
	must(t, err)
	f.p.Wait()
	_, r = mvp()
	if r.Level != paved.LevelSilver || r.Next != paved.LevelGold || strings.Join(r.Missing, ",") != "rollback-exercised" {
		t.Fatalf("with a new preview: %s, next %s, missing %v", r.Level, r.Next, r.Missing)
	}

	// A rollback: gold.
	_, err = f.p.RollbackEnvironment(f.dev, "shop", "dev")
	must(t, err)
	f.p.Wait()
	_, r = mvp()
	if r.Level != paved.LevelGold || r.Next != "" || len(r.Missing) != 0 {
		t.Fatalf("after a rollback: %s, next %s, missing %v", r.Level, r.Next, r.Missing)
	}

	// A definition made for shop alone: not from the platform any more.
	_, err = f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: "shop-redis", Type: "redis", Driver: "echo",
		Inputs:   map[string]any{"values": map[string]any{"host": "redis.shop", "port": 6379, "password": "s3cret"}},
		Outputs:  []paved.OutputSpec{{Name: "host"}, {Name: "port"}, {Name: "password", Secret: true}},
		Criteria: []paved.Criteria{{App: "shop"}}}})
	must(t, err)
	f.deployAndWait(t, f.dev, "dev", shopSpecs())
	facts, r = mvp()
	if facts.PlatformDefinitionsOnly || !slices.Equal(facts.AppDefinitions, []string{"shop-redis v1"}) {
		t.Fatalf("facts with an app's own definition: %+v", facts)
	}
	if r.Level != paved.LevelSilver || !strings.Contains(ruleHint(r, "platform-definitions"), "shop-redis v1") {
		t.Fatalf("with an app's own definition: %s, hint %q", r.Level, ruleHint(r, "platform-definitions"))
	}

	// The history: one record per change, newest first; computing again
	// without a change records nothing.
	mvp()
	hist, err := f.p.ScorecardHistory(f.dev, "shop", "mvp", 0)
	must(t, err)
	var levels []string
	for _, h := range hist {
		levels = append(levels, string(h.Level)+"/"+strings.Join(h.Failed, "+"))
	}
	want := []string{
		"silver/platform-definitions",
		"gold/",
		"silver/rollback-exercised",
		"bronze/deploys-weekly+previews-used+rollback-exercised",
		"silver/rollback-exercised",
		"bronze/deploys-weekly+rollback-exercised",
		"bronze/deploys-weekly+previews-used+rollback-exercised+staging-deployed",
		"/deployed+deploys-weekly+no-denial+previews-used+rollback-exercised+staging-deployed",
		"/deployed+deploys-weekly+previews-used+rollback-exercised+staging-deployed",
	}
	if strings.Join(levels, "\n") != strings.Join(want, "\n") {
		t.Errorf("history:\n%s\nwant:\n%s", strings.Join(levels, "\n"), strings.Join(want, "\n"))
	}
	if _, err := f.p.AppScorecards(f.dev, "shop", "nope"); paved.ErrorCode(err) != paved.ENOTFOUND || !strings.Contains(err.Error(), "mvp, production-ready") {
		t.Errorf("an unknown scorecard: %v", err)
	}
	if _, err := f.p.ScorecardHistory(f.dev, "shop", "mvp", -1); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("a negative limit: %v", err)
	}
	if _, err := f.p.AppScorecards(ctx, "shop", ""); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("no caller: %v", err)
	}
}

func ruleHint(r *paved.ScorecardResult, id string) string {
	for _, rule := range r.Rules {
		if rule.ID == id {
			return rule.Hint
		}
	}
	return ""
}

// TestApplyScorecards: owned like policies, checked before stored,
// versioned, and a stored one replaces a built-in one of its id.
func TestApplyScorecards(t *testing.T) {
	f := newFixture(t, withScorecards(&recordingGate{}))
	sec := &paved.User{Name: "sam", Role: paved.RoleSecurity}
	must(t, f.p.CreateUser(f.admin, sec))
	samCtx := paved.WithActor(context.Background(), sec)
	module := "package paved.scorecards.hardened\n\nrules.owner := {\"level\": \"bronze\", \"title\": \"an owner\", \"pass\": input.facts.team != \"\"}\n"
	if _, err := f.p.ApplyScorecards(f.dev, []paved.Scorecard{{ID: "hardened", Module: module}}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer applying a scorecard: %v", err)
	}
	if _, err := f.p.ApplyScorecards(samCtx, []paved.Scorecard{{ID: "hardened", Module: "package paved.scorecards.hardened\nrules.a := 1\n"}}); paved.ErrorCode(err) != paved.EINVALID ||
		!strings.Contains(err.Error(), "rules.a: want an object") {
		t.Errorf("a malformed scorecard: %v", err)
	}
	out, err := f.p.ApplyScorecards(samCtx, []paved.Scorecard{{ID: "hardened", Module: module}})
	must(t, err)
	if out[0].Owner != paved.RoleSecurity || out[0].Version != 1 || out[0].UpdatedBy != "sam" {
		t.Errorf("applied %+v", out[0])
	}
	again, err := f.p.ApplyScorecards(samCtx, []paved.Scorecard{{ID: "hardened", Module: module}})
	must(t, err)
	if again[0].Version != 1 {
		t.Errorf("unchanged scorecard got version %d", again[0].Version)
	}
	if _, err := f.p.ApplyScorecards(samCtx, []paved.Scorecard{{ID: "mvp", Module: module}}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("security replacing admin's built-in mvp: %v", err)
	}
	_, err = f.p.ApplyScorecards(f.admin, []paved.Scorecard{{ID: "mvp", Module: strings.Replace(module, "hardened", "mvp", 1)}})
	must(t, err)
	scs, err := f.p.ListScorecards(f.dev)
	must(t, err)
	var ids []string
	for _, sc := range scs {
		ids = append(ids, sc.ID+"@"+string(rune('0'+sc.Version)))
	}
	if got := strings.Join(ids, ","); got != "hardened@1,mvp@1,production-ready@0" {
		t.Errorf("scorecards in force: %s", got)
	}
	out2, err := f.p.AppScorecards(f.dev, "shop", "")
	must(t, err)
	if len(out2.Scorecards) != 3 || out2.Scorecards[1].Level != paved.LevelBronze || out2.Scorecards[1].Version != 1 {
		t.Errorf("results with the stored mvp: %+v", out2.Scorecards)
	}
	if e := f.lastAudit(t, "scorecards.apply"); e.Target != "mvp v1 owner=admin" || e.Result != "ok" {
		t.Errorf("audit %+v", e)
	}
}

// TestReadinessScorecardItem: production readiness asks for the
// production-ready scorecard's bar, saying what it needs.
func TestReadinessScorecardItem(t *testing.T) {
	f := newFixture(t, withScorecards(&recordingGate{}))
	item := func() paved.ReadinessItem {
		t.Helper()
		r, err := f.p.Readiness(f.dev, "shop")
		must(t, err)
		for _, it := range r.Items {
			if it.ID == "scorecard" {
				return it
			}
		}
		t.Fatalf("no scorecard item in %+v", r.Items)
		return paved.ReadinessItem{}
	}
	it := item()
	if it.Done || it.Title != "the production-ready scorecard at silver or above" ||
		!strings.Contains(it.Why, "shop is at no level; silver needs: an owner team and an on-call contact") ||
		strings.Contains(it.Why, "signed off by") {
		t.Fatalf("scorecard item at first: %+v", it)
	}
	// What silver needs and nothing of gold.
	_, err := f.p.ApplyPrices(f.admin, &paved.PriceList{Currency: "USD", VCPUHour: 0.04, MemoryGiBHour: 0.005, DefaultCPU: 0.25, DefaultMemory: 0.5})
	must(t, err)
	first := f.deployAndWait(t, f.dev, "dev", shopSpecs())
	_, err = f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "staging"})
	must(t, err)
	_, err = f.p.Promote(f.dev, "shop", "dev", "staging")
	must(t, err)
	f.p.Wait()
	_, err = f.p.Rollback(f.dev, first.ID)
	must(t, err)
	f.p.Wait()
	oncall := "pager"
	_, err = f.p.UpdateApp(f.dev, "shop", paved.AppUpdate{OnCall: &oncall})
	must(t, err)
	if it := item(); !it.Done || it.Why != "" {
		t.Fatalf("scorecard item at silver: %+v", it)
	}
	// Without a scorecard engine there is no item.
	plain := newFixture(t)
	r, err := plain.p.Readiness(plain.dev, "shop")
	must(t, err)
	if slices.ContainsFunc(r.Items, func(it paved.ReadinessItem) bool { return it.ID == "scorecard" }) {
		t.Errorf("a scorecard item without scorecards: %+v", r.Items)
	}
}
