package policy

import (
	"context"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// passing lists the rules that pass, by level and id.
func passing(ev *paved.ScorecardEvaluation) string {
	var out []string
	for _, r := range ev.Rules {
		if r.Pass {
			out = append(out, r.ID)
		}
	}
	return strings.Join(out, ",")
}

// TestBuiltinScorecards evaluates the built-in scorecards over facts
// from nothing known to everything met: each fact flips its rules.
func TestBuiltinScorecards(t *testing.T) {
	e := New(0)
	ctx := context.Background()
	cards := map[string]paved.Scorecard{}
	for _, sc := range BuiltinScorecards() {
		if err := e.CheckScorecard(ctx, sc); err != nil {
			t.Fatalf("built-in %s: %v", sc.ID, err)
		}
		cards[sc.ID] = sc
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	full := func(f *paved.ScorecardFacts) {
		f.Team, f.OnCall, f.LastSuccessAt = "payments", "pager", &at
		f.WeeksDeployed, f.DeploysWeekly, f.StagingDeployed, f.PreviewsUsed, f.RollbackExercised = 4, true, true, true, true
		f.PlatformDefinitionsOnly, f.CostEstimated = true, true
		f.SignedOff = []paved.Role{paved.RoleData, paved.RoleFinance, paved.RoleSecurity}
	}
	for _, tc := range []struct {
		name, card string
		facts      func(*paved.ScorecardFacts)
		want       string
		level      paved.ScorecardLevel
	}{
		{name: "nothing known", card: "mvp", facts: func(*paved.ScorecardFacts) {}, want: "no-denial", level: ""},
		{name: "an owner and a deployment", card: "mvp", facts: func(f *paved.ScorecardFacts) { f.Team, f.LastSuccessAt = "payments", &at },
			want: "deployed,owner-team,no-denial", level: paved.LevelBronze},
		{name: "everything", card: "mvp", facts: full, want: "deployed,owner-team,deploys-weekly,previews-used,staging-deployed,no-denial,platform-definitions,rollback-exercised", level: paved.LevelGold},
		{name: "a denial", card: "mvp", facts: func(f *paved.ScorecardFacts) { full(f); f.LastPlanDenied, f.DeniedEnvironments = true, []string{"dev"} },
			want: "deployed,owner-team,deploys-weekly,previews-used,staging-deployed,platform-definitions,rollback-exercised", level: paved.LevelSilver},
		{name: "production: everything", card: "production-ready", facts: full,
			want: "no-denial,owner-on-call,staging-deployed,cost-estimated,healthy,platform-definitions,rollback-exercised,deploys-weekly,no-waivers,no-warnings,signed-off", level: paved.LevelGold},
		{name: "production: no on-call", card: "production-ready", facts: func(f *paved.ScorecardFacts) { full(f); f.OnCall = "" },
			want: "no-denial,staging-deployed,cost-estimated,healthy,platform-definitions,rollback-exercised,deploys-weekly,no-waivers,no-warnings,signed-off", level: ""},
		{name: "production: a sign-off missing, a degraded env", card: "production-ready", facts: func(f *paved.ScorecardFacts) {
			full(f)
			f.SignedOff, f.DegradedEnvironments = []paved.Role{paved.RoleData}, []string{"staging"}
		}, want: "no-denial,owner-on-call,staging-deployed,cost-estimated,platform-definitions,rollback-exercised,deploys-weekly,no-waivers,no-warnings", level: paved.LevelBronze},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &paved.ScorecardFacts{App: "shop", Environments: map[paved.EnvType]int{}}
			tc.facts(f)
			ev, err := e.EvaluateScorecard(ctx, cards[tc.card], f)
			if err != nil {
				t.Fatal(err)
			}
			if got := passing(ev); got != tc.want {
				t.Errorf("passing = %s\nwant      %s", got, tc.want)
			}
			if level, _, _ := paved.Level(ev.Rules); level != tc.level {
				t.Errorf("level = %q, want %q", level, tc.level)
			}
			if ev.Bar != paved.LevelSilver || ev.Title == "" {
				t.Errorf("bar %q, title %q; want silver and a title", ev.Bar, ev.Title)
			}
		})
	}
	// A hint names what is missing, computed from the facts.
	f := &paved.ScorecardFacts{App: "shop", Team: "payments", Environments: map[paved.EnvType]int{}, SignedOff: []paved.Role{paved.RoleData}}
	ev, err := e.EvaluateScorecard(ctx, cards["production-ready"], f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ev.Rules {
		if r.ID == "signed-off" && !strings.Contains(r.Hint, "finance, security") {
			t.Errorf("signed-off hint = %q, want it to name finance, security", r.Hint)
		}
	}
}

func TestScorecardErrors(t *testing.T) {
	e := New(200 * time.Millisecond)
	ctx := context.Background()
	for _, tc := range []struct {
		name, module, want string
	}{
		{"empty", " ", "scorecard x: module: empty; give the Rego source"},
		{"syntax", "package paved.scorecards.x\nrules[ := 1\n", "scorecard x: module: line 2"},
		{"not a scorecard's package", "package other\nrules.a := {}\n", "package other is not a scorecard's; write package paved.scorecards.<name>"},
		{"no rules", "package paved.scorecards.x\ntitle := \"x\"\n", "scorecard x: rules: none"},
		{"bad level", "package paved.scorecards.x\nrules.a := {\"level\": \"platinum\", \"title\": \"a\", \"pass\": true}\n", `rules.a.level: platinum is not bronze, silver or gold`},
		{"no title", "package paved.scorecards.x\nrules.a := {\"level\": \"gold\", \"pass\": true}\n", "rules.a.title: want a string"},
		{"pass not a boolean", "package paved.scorecards.x\nrules.a := {\"level\": \"gold\", \"title\": \"a\", \"pass\": input.facts.team}\n", "rules.a.pass:  is not true or false"},
		{"a fact that does not exist", "package paved.scorecards.x\nrules.a := {\"level\": \"gold\", \"title\": \"a\", \"pass\": input.facts.nope}\n", "scorecard x: rules: none"},
		{"unknown field", "package paved.scorecards.x\nrules.a := {\"level\": \"gold\", \"title\": \"a\", \"pass\": true, \"lvl\": 1}\n", `rules.a: unknown field "lvl"`},
		{"bad rule id", "package paved.scorecards.x\nrules[\"Has Space\"] := {\"level\": \"gold\", \"title\": \"a\", \"pass\": true}\n", "rules.Has Space: rule id"},
		{"bad bar", "package paved.scorecards.x\nbar := \"platinum\"\nrules.a := {\"level\": \"gold\", \"title\": \"a\", \"pass\": true}\n", "bar: platinum is not bronze"},
		{"no network", "package paved.scorecards.x\nrules.a := {\"level\": \"gold\", \"title\": \"a\", \"pass\": http.send({\"url\": \"http://x\", \"method\": \"get\"}).status_code == 200}\n", "undefined function http.send"},
		{"runs too long", "package paved.scorecards.x\nrules.a := {\"level\": \"gold\", \"title\": \"a\", \"pass\": count([x | some x in numbers.range(1, 100000000)]) > 0}\n", "ran longer than 200ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.CheckScorecard(ctx, paved.Scorecard{ID: "x", Owner: paved.RoleAdmin, Module: tc.module})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CheckScorecard = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// BenchmarkEvaluateScorecard measures one evaluation of the built-in
// production-ready scorecard (prepared once) over an app's facts.
func BenchmarkEvaluateScorecard(b *testing.B) {
	e := New(0)
	ctx := context.Background()
	sc := BuiltinScorecards()[1]
	at := time.Now()
	f := &paved.ScorecardFacts{App: "shop", Team: "payments", OnCall: "pager", LastSuccessAt: &at, WeeksDeployed: 3,
		StagingDeployed: true, SignedOff: []paved.Role{paved.RoleData}, DegradedEnvironments: []string{"dev"}}
	for b.Loop() {
		if _, err := e.EvaluateScorecard(ctx, sc, f); err != nil {
			b.Fatal(err)
		}
	}
}
