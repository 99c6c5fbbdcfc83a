package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func ptr[T any](v T) *T { return &v }

// sample is a report's data as the platform gathers it, by hand: a
// program in Adoption, two cohorts, DORA figures with a trend, eight weeks,
// time saved, a price list, risks, and what engineers read.
func sample(aud paved.ReportAudience) *paved.ReportData {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	invited := at.Add(-20 * 24 * time.Hour)
	first := at.Add(-18 * 24 * time.Hour)
	cur := paved.NewDORAReport(paved.DORAFigures{Deployments: 24, Succeeded: 22, Failed: 2, FailedChanges: 3, Rework: 3, LeadTimes: 20,
		LeadTime: 5 * time.Hour, Recovered: 2, Unrecovered: 1, RecoveryTime: 40 * time.Minute}, paved.ReportWindow)
	prev := paved.NewDORAReport(paved.DORAFigures{Deployments: 8, Succeeded: 8, LeadTimes: 8, LeadTime: 30 * time.Hour}, paved.ReportWindow)
	for _, r := range []*paved.DORAReport{&cur, &prev} {
		r.EnvType, r.Measured, r.MVPMode = paved.EnvStaging, "staging: the highest environment type deployed to in the window that is not production (the platform is in MVP mode)", true
	}
	team := cur
	team.Scope, team.Team = "team", "pioneers"
	var weeks []paved.WeekFigures
	for i := range paved.ReportWeeks {
		to := at.Add(-time.Duration(paved.ReportWeeks-1-i) * 7 * 24 * time.Hour)
		f := paved.DORAFigures{Succeeded: i, Deployments: i, LeadTimes: i, LeadTime: time.Duration(i) * time.Hour}
		if i == 5 {
			f.Failed, f.Deployments = 1, i+1
		}
		weeks = append(weeks, paved.WeekFigures{From: to.Add(-7 * 24 * time.Hour), To: to, Figures: f})
	}
	phases := []paved.PhaseStatus{
		{Phase: "discovery", Done: true, Checks: []paved.PhaseCheck{{ID: "pioneering-team", Title: "a pioneering team chosen", Done: true}}},
		{Phase: "integration", Done: true, Checks: []paved.PhaseCheck{{ID: "target-healthy", Title: "a target passes its health check", Done: true}}},
		{Phase: "deployment", Done: true, Checks: []paved.PhaseCheck{{ID: "rollback", Title: "a rollback done", Done: true}}},
		{Phase: "adoption", Checks: []paved.PhaseCheck{
			{ID: "report-leadership", Title: "a demo report produced for leadership", Why: "produce it: paved report --audience leadership -o leadership.html"},
			{ID: "check-survey", Title: "<the developer survey> sent", Manual: true, Role: paved.RoleSecurity, Why: "a security user confirms it"},
			{ID: "feedback", Title: "feedback collected in this iteration", Done: true}}},
	}
	funnels := []paved.Funnel{
		{Cohort: 1, Name: "pioneers", Invited: 1, Deployed: 1, Weekly: 1, Teams: []paved.TeamFunnel{{Team: "pioneers", FirstDeployment: &first, Weekly: true}}},
		{Cohort: 2, Name: "payments", Invited: 2, Deployed: 1, InvitedAt: &invited, Teams: []paved.TeamFunnel{
			{Team: "checkout", FirstDeployment: &first, TimeToFirst: ptr(48.0)}, {Team: "ledger"}}},
	}
	d := &paved.ReportData{
		Audience: aud, GeneratedAt: at, MVPMode: true,
		Program: &paved.ProgramView{Phase: "adoption", Phases: phases, Funnels: funnels,
			Program: &paved.Program{Iteration: 1, ProgramSpec: paved.ProgramSpec{GoldenPaths: []string{"deploy a service with a database to dev"}, NextCohort: 2, RepresentativeApp: "shop"}},
			Objectives: []paved.ObjectiveNow{
				{Objective: paved.Objective{ID: "daily", Title: "the pioneering team deploys daily", Metric: "deployment_frequency", Target: 1}, Value: ptr(0.73), Previous: ptr(0.27), Measures: "team pioneers, the last 30 days, staging"},
				{Objective: paved.Objective{ID: "lead", Title: "change lead time under a day", Metric: "change_lead_time", Target: 24, AtMost: true}, Value: ptr(5.0), Previous: ptr(30.0), Met: true, Measures: "team pioneers"},
			},
			Requirements: []paved.Requirement{{Cohort: 2, Title: "kafka (no definition in development or staging)", Computed: true}, {Cohort: 3, Title: "GPUs"}},
			Pitfalls:     []paved.Pitfall{{Kind: "complexity", Message: "definition old-mysql is used by no app", Fix: "delete it: paved definitions delete old-mysql"}},
		},
		DORA:  []paved.DORATrend{{Name: "organisation", Current: cur, Previous: prev}, {Name: "pioneers", Current: team, Previous: prev}},
		Weeks: weeks,
		TimeSaved: paved.TimeSaved{Total: paved.Duration(29 * time.Hour), HourlyRate: 80, Currency: "EUR", Money: 2320, Items: []paved.TimeSavedItem{
			{What: "services scaffolded from a golden path", Count: 1, Total: paved.Duration(8 * time.Hour), Assumption: "as recorded (8h now)", Change: "paved scaffolds time-saved set DURATION"},
			{What: "successful deployments (every environment type)", Count: 38, Each: paved.Duration(30 * time.Minute), Total: paved.Duration(19 * time.Hour), Assumption: "30m each", Change: "paved report --deployment-time-saved DURATION"},
			{What: "preview environments opened", Count: 1, Each: paved.Duration(2 * time.Hour), Total: paved.Duration(2 * time.Hour), Assumption: "2h each", Change: "paved report --preview-time-saved DURATION"},
		}},
		Cost: &paved.CostReport{Currency: "EUR", Monthly: 190.5, Estimate: true, Teams: []paved.TeamCost{
			{Team: "checkout", Monthly: 60.5}, {Team: "pioneers", Monthly: 130, Budget: &paved.Budget{Monthly: 200}, Used: 0.65}}},
		Risks: paved.Risks{Denied: 2, Failed: 2, Unrecovered: 1,
			Denials:  []paved.DenialCount{{Rule: "security/sec-image-tag", Owner: paved.RoleSecurity, Count: 2}},
			Waivers:  []paved.Waiver{{ID: "w-1", Rule: "security/sec-limits", App: "shop", Env: "dev", Reason: "load test", Status: paved.WaiverApproved, Owner: paved.RoleSecurity, ExpiresAt: at.Add(48 * time.Hour)}},
			Pitfalls: []paved.Pitfall{{Kind: "complexity", Message: "definition old-mysql is used by no app", Fix: "delete it"}}},
	}
	d.NextCohort = &d.Program.Funnels[1]
	d.Scorecards = []paved.ScorecardResult{{App: "shop", Scorecard: "mvp", ScorecardEvaluation: paved.ScorecardEvaluation{Title: "MVP", Bar: "silver"},
		Level: "bronze", Next: "silver", Missing: []string{"staging", "rollback"}}}
	for _, ph := range phases {
		for _, c := range ph.Checks {
			if !c.Done {
				d.Risks.OpenChecks = append(d.Risks.OpenChecks, paved.OpenCheck{Phase: ph.Phase, PhaseCheck: c})
			}
		}
	}
	if aud == paved.AudienceEngineering {
		d.Templates = []paved.Template{{Name: "go-service", Version: "1.2.0", Description: "A Go HTTP service with PostgreSQL", Owner: "platform", BuiltIn: true}}
		d.EnvTypes = []paved.EnvTypeResources{
			{EnvType: paved.EnvDevelopment, Types: []paved.TypeInfo{{Type: "postgres", Definition: "builtin-postgres", Driver: "template", Description: "a PostgreSQL StatefulSet in the namespace"}, {Type: "route", Class: "ingress", Definition: "builtin-route", Driver: "template"}}},
			{EnvType: paved.EnvProduction},
		}
		d.Policies = []paved.PolicySummary{{ID: "security", Owner: paved.RoleSecurity, Kind: paved.PolicyDeployment, Description: "the security pack", Rules: []paved.PolicyRule{{ID: "security/sec-image-tag", Level: paved.FindingDeny, Fix: "pin a tag"}}}}
		d.Deployments = []paved.Deployment{{ID: "d-2", App: "shop", Env: "staging", EnvType: paved.EnvStaging, Kind: paved.KindPromote, Status: paved.DeploymentSucceeded, Author: "dana", CreatedAt: at.Add(-time.Hour)},
			{ID: "d-1", App: "shop", Env: "dev", EnvType: paved.EnvDevelopment, Kind: paved.KindDeploy, Fix: true, Status: paved.DeploymentFailed, Author: "dana", CommitSHA: "abc1234", CreatedAt: at.Add(-2 * time.Hour)}}
		d.Definitions = []paved.ResourceDefinition{{ID: "staging-postgres", Type: "postgres", Driver: "echo", Version: 2, Description: "the shared staging server"}}
		d.Changes = []paved.AuditEntry{{ID: 9, Time: at.Add(-3 * time.Hour), Actor: "admin", Action: "definitions.apply", Target: "staging-postgres", Result: "ok"}}
		d.Apps = []paved.App{{Name: "ledger", Team: "checkout"}, {Name: "shop", Team: "pioneers"}}
	}
	return d
}

// TestRenderGolden: each audience's report of the sample data is the
// golden file, byte for byte (go test ./report -update rewrites them),
// and rendering it again gives the same bytes.
func TestRenderGolden(t *testing.T) {
	for _, aud := range paved.ReportAudiences() {
		t.Run(string(aud), func(t *testing.T) {
			got, err := Render(sample(aud))
			if err != nil {
				t.Fatal(err)
			}
			again, _ := Render(sample(aud))
			if !bytes.Equal(got, again) {
				t.Fatal("the same data rendered to different bytes")
			}
			golden := filepath.Join("testdata", string(aud)+".golden.html")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./report -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the %s report differs from %s (go test ./report -update rewrites it after review)", aud, golden)
			}
		})
	}
}

var external = regexp.MustCompile(`(?i)<script|<link|<img|<iframe|\bsrc=|url\(|@import|https?://`)

// TestSelfContained: a report holds its charts as inline SVG and refers
// to nothing outside itself; what it shows is escaped.
func TestSelfContained(t *testing.T) {
	for _, tt := range []struct {
		aud   paved.ReportAudience
		want  []string
		svgs  int
		title string
	}{
		{paved.AudienceLeadership, []string{"Current phase<b>Adoption</b>", "Checks met per phase", "Adoption funnel per cohort", "Deployments to staging per week",
			"Median change lead time per week (staging)", "Estimated time saved, by source", "Estimated cost per team, by the month", "2320.00 EUR at 80.00 EUR an hour",
			"0.73 per day", "better", "security/sec-image-tag", "&lt;the developer survey&gt; sent", "kafka (no definition in development or staging)", "Cohort 2, <b>payments</b>",
			"<rect x=", "class=\"band band-elite\"", "silver: staging, rollback"}, 6, "paved: the MVP for leadership"},
		{paved.AudienceEngineering, []string{"go-service", "paved deploy -f . --app shop --env dev", "paved new --template go-service", "builtin-postgres (template)", "<span class=\"todo\">none</span>",
			"security/sec-image-tag</code> (deny): pin a tag", "staging-postgres", "definitions.apply", "deploy (a fix)", "Deployments to staging per week"}, 1, "paved: the platform for engineering"},
	} {
		b, err := Render(sample(tt.aud))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, w := range append(tt.want, "<title>"+tt.title+"</title>") {
			if !strings.Contains(s, w) {
				t.Errorf("%s: the report lacks %q", tt.aud, w)
			}
		}
		if n := strings.Count(s, "<svg "); n != tt.svgs {
			t.Errorf("%s: %d charts, want %d", tt.aud, n, tt.svgs)
		}
		// The SVG namespace is a name, not something fetched.
		if m := external.FindString(strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, "")); m != "" {
			t.Errorf("%s: the report refers outside itself: %q", tt.aud, m)
		}
	}
	if _, err := Render(&paved.ReportData{Audience: paved.AudienceLeadership}); err == nil {
		t.Error("incomplete data rendered")
	}
}

// TestCharts: bars scale to the largest figure; an empty series draws no
// bar and does not divide by zero.
func TestCharts(t *testing.T) {
	c := vertical("t", []column{{Label: "a", Segments: []segment{{Value: 2, Class: "ok"}, {Value: 2, Class: "bad"}}}, {Label: "b", Segments: []segment{{Value: 1, Class: "ok"}}}}, nil)
	if len(c.Rects) != 3 || c.Rects[0].H != "90" || c.Rects[1].H != "90" || c.Rects[2].H != "45" || c.Rects[1].Y != "22" {
		t.Errorf("vertical: %+v", c.Rects)
	}
	if c := vertical("t", []column{{Label: "a", Segments: []segment{{Value: 0}}}}, nil); len(c.Rects) != 0 {
		t.Errorf("a zero column drew %+v", c.Rects)
	}
	h := horizontal("t", []hbar{{Label: "x", Segments: []segment{{Value: 3}}}, {Label: "y", Segments: []segment{{Value: 1}}}}, nil)
	if len(h.Rects) != 2 || h.Rects[0].W != "380" || h.Rects[1].W != "126.7" {
		t.Errorf("horizontal: %+v", h.Rects)
	}
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{0, "0m"}, {90 * time.Minute, "1h 30m"}, {5 * time.Hour, "5h"}, {50 * time.Hour, "2d 2h"}, {48 * time.Hour, "2d"}} {
		if got := hours(tt.d); got != tt.want {
			t.Errorf("hours(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
