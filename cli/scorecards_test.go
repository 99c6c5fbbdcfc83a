package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/examples"
	"paved.dev/paved/server"
)

// TestScorecardCommands drives the scorecard commands against the real
// server wiring: the built-in scorecards, an app's results moving as it
// deploys, the history, and a scorecard of the platform team's.
func TestScorecardCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PAVED_CONFIG", filepath.Join(dir, "client.json"))
	s, err := server.Start(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), MVPMode: true, AdminToken: "pvd_sc_admin"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	app := filepath.Join(dir, "app")
	must(t, os.MkdirAll(app, 0o755))
	for _, f := range examples.Shop() {
		must(t, os.WriteFile(filepath.Join(app, f.Name), f.Data, 0o644))
	}
	ok := func(args ...string) string {
		t.Helper()
		code, out, errs := run(t, append(args, "--server", s.URL, "--token", "pvd_sc_admin")...)
		if code != 0 {
			t.Fatalf("paved %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
		return out
	}
	ok("team", "create", "pioneers", "--pioneering")
	ok("app", "create", "shop", "--team", "pioneers")
	ok("env", "create", "dev", "--app", "shop")

	if out := ok("scorecards", "list"); !strings.Contains(out, "mvp") || !strings.Contains(out, "production-ready") || !strings.Contains(out, "built in") {
		t.Fatalf("scorecards list:\n%s", out)
	}
	result := func() *paved.ScorecardResult {
		t.Helper()
		var out paved.AppScorecards
		must(t, json.Unmarshal([]byte(ok("scorecard", "--app", "shop", "--scorecard", "mvp", "-o", "json")), &out))
		if len(out.Scorecards) != 1 {
			t.Fatalf("scorecards %+v", out.Scorecards)
		}
		return &out.Scorecards[0]
	}
	if r := result(); r.Level != "" || r.Next != paved.LevelBronze {
		t.Fatalf("before a deployment: %+v", r)
	}
	ok("deploy", "-f", app, "--app", "shop", "--env", "dev")
	if r := result(); r.Level != paved.LevelBronze || r.Next != paved.LevelSilver {
		t.Fatalf("after a deployment: level %q, next %q", r.Level, r.Next)
	}
	table := ok("scorecard", "--app", "shop")
	for _, want := range []string{"mvp", "bronze (next: silver)", "✗", "a staging environment deployed", "paved env create staging --app shop", "production-ready"} {
		if !strings.Contains(table, want) {
			t.Errorf("scorecard table lacks %q:\n%s", want, table)
		}
	}
	if out := ok("scorecards", "history", "mvp", "--app", "shop"); !strings.Contains(out, "bronze") || !strings.Contains(out, "none") {
		t.Errorf("history:\n%s", out)
	}

	// The platform team's own scorecard; a malformed one is refused with
	// the rule named.
	cards := filepath.Join(dir, "cards")
	must(t, os.MkdirAll(cards, 0o755))
	must(t, os.WriteFile(filepath.Join(cards, "on-call.rego"), []byte(`package paved.scorecards.on_call

rules["on-call"] := {"level": "bronze", "title": "an on-call contact", "pass": input.facts.on_call != "", "hint": "paved app update --on-call"}
`), 0o644))
	ok("scorecards", "apply", "-f", cards)
	if out := ok("scorecard", "--app", "shop", "--scorecard", "on-call"); !strings.Contains(out, "none (next: bronze)") {
		t.Errorf("the stored scorecard:\n%s", out)
	}
	must(t, os.WriteFile(filepath.Join(cards, "bad.rego"), []byte("package paved.scorecards.bad\n\nrules.x := {\"level\": \"platinum\", \"title\": \"x\", \"pass\": true}\n"), 0o644))
	code, _, errs := run(t, "scorecards", "apply", "-f", filepath.Join(cards, "bad.rego"), "--server", s.URL, "--token", "pvd_sc_admin")
	if code == 0 || !strings.Contains(errs, "rules.x.level: platinum is not bronze, silver or gold") {
		t.Errorf("a malformed scorecard: exit %d, %s", code, errs)
	}
	code, _, errs = run(t, "scorecard", "--app", "shop", "--scorecard", "nope", "--server", s.URL, "--token", "pvd_sc_admin")
	if code == 0 || !strings.Contains(errs, "no scorecard nope") {
		t.Errorf("an unknown scorecard: exit %d, %s", code, errs)
	}
}
