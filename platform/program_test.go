package platform

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// blogSpec is a workload of the second team that asks for a search index.
const blogSpec = `apiVersion: score.dev/v1b1
metadata: {name: blog}
containers:
  web:
    image: nginx:1.27
    variables: {SEARCH: "${resources.search.host}"}
resources:
  search: {type: search}
`

// TestProgramPhasesFlip walks the MVP program: each phase's checks flip as
// the platform's data changes, manual checks need their role, the current
// phase moves on, the funnel, requirements, objectives and pitfalls follow
// the data, and the next iteration keeps the last one in history.
func TestProgramPhasesFlip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	view := func() *paved.ProgramView {
		t.Helper()
		v, err := f.p.Program(f.dev)
		must(t, err)
		return v
	}
	open := func(v *paved.ProgramView, phase string) []string {
		var out []string
		for _, ph := range v.Phases {
			if ph.Phase == phase {
				for _, c := range ph.Checks {
					if !c.Done {
						out = append(out, c.ID)
					}
				}
			}
		}
		return out
	}
	v := view()
	if v.Phase != "discovery" || v.Program.Iteration != 1 {
		t.Fatalf("a new program: phase %s, iteration %d", v.Phase, v.Program.Iteration)
	}
	if got := strings.Join(open(v, "discovery"), ","); got != "golden-paths,stakeholder-security,stakeholder-data,stakeholder-finance,objectives" {
		t.Errorf("discovery open at first: %s", got)
	}
	if !slices.ContainsFunc(v.Pitfalls, func(p paved.Pitfall) bool {
		return p.Kind == "narrow-focus" && strings.Contains(p.Message, "no security, data, finance user")
	}) {
		t.Errorf("no narrow-focus pitfall without stakeholders: %+v", v.Pitfalls)
	}

	// Discovery: stakeholders, golden paths, objectives, a manual check.
	sec := &paved.User{Name: "sam", Role: paved.RoleSecurity}
	for _, u := range []*paved.User{sec, {Name: "dora", Role: paved.RoleData}, {Name: "fin", Role: paved.RoleFinance}} {
		must(t, f.p.CreateUser(f.admin, u))
	}
	spec := &paved.ProgramSpec{
		Objectives:  []paved.Objective{{ID: "daily", Title: "the pioneers deploy daily", Metric: "deployment_frequency", Target: 0.01}},
		GoldenPaths: []string{"deploy a service with a database to dev"},
		Cohorts:     []paved.Cohort{{Number: 2, Name: "second wave", Priority: 1}},
		NextCohort:  2,
	}
	if _, err := f.p.ApplyProgram(f.dev, spec); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer applying the program: %v", err)
	}
	for _, bad := range []struct {
		spec paved.ProgramSpec
		want string
	}{
		{paved.ProgramSpec{Objectives: []paved.Objective{{ID: "x", Title: "x", Metric: "happiness"}}}, "objectives[0].metric"},
		{paved.ProgramSpec{Cohorts: []paved.Cohort{{Number: 0, Name: "x"}}}, "cohorts[0].number"},
		{paved.ProgramSpec{NextCohort: 3}, "next_cohort"},
		{paved.ProgramSpec{RepresentativeApp: "nope"}, "representative_app"},
		{paved.ProgramSpec{GoldenPaths: []string{" "}}, "golden_paths[0]"},
	} {
		if _, err := f.p.ApplyProgram(f.admin, &bad.spec); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ApplyProgram(%+v) = %v, want an error naming %s", bad.spec, err, bad.want)
		}
	}
	_, err := f.p.ApplyProgram(f.admin, spec)
	must(t, err)
	_, err = f.p.PutCheck(f.admin, &paved.ManualCheck{Scope: "program.discovery", ID: "threat-model", Title: "threat model of the golden paths reviewed", Role: paved.RoleSecurity})
	must(t, err)
	if got := strings.Join(open(view(), "discovery"), ","); got != "check-threat-model" {
		t.Errorf("discovery open after the spec: %s", got)
	}
	if _, err := f.p.ConfirmCheck(f.admin, "program.discovery", "threat-model", "1"); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("an admin confirming security's check: %v", err)
	}
	if _, err := f.p.ConfirmCheck(paved.WithActor(ctx, sec), "program.discovery", "threat-model", "2"); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("confirming for an iteration to come: %v", err)
	}
	_, err = f.p.ConfirmCheck(paved.WithActor(ctx, sec), "program.discovery", "threat-model", "1")
	must(t, err)
	if v = view(); v.Phase != "integration" || len(open(v, "discovery")) != 0 {
		t.Errorf("after discovery: phase %s, open %v", v.Phase, open(v, "discovery"))
	}

	// Integration: the target passes its probe; the representative app's
	// types are known once it deployed, then their definitions probed.
	if got := strings.Join(open(v, "integration"), ","); got != "target-healthy,definitions-healthy" {
		t.Errorf("integration open at first: %s", got)
	}
	_, err = f.p.ProbeTarget(f.admin, "gitops")
	must(t, err)
	_, err = f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: "team-redis", Type: "redis", Driver: "echo",
		Inputs: map[string]any{"values": map[string]any{"host": "redis", "port": 6379, "username": "u"}, "secrets": map[string]any{"password": "p"}}}})
	must(t, err)
	first := f.deployToEnd(t, shopSpecs())
	if first.Status != paved.DeploymentSucceeded {
		t.Fatalf("the first deployment: %s %s", first.Status, first.Error)
	}
	v = view()
	if got := strings.Join(open(v, "integration"), ","); got != "definitions-healthy" || !strings.Contains(v.Phases[1].Checks[1].Why, "redis (team-redis never probed)") {
		t.Errorf("integration open before the definitions' probes: %s", got)
		dumpPhase(t, v, "integration")
	}
	_, err = f.p.ProbeDefinitions(f.admin, nil)
	must(t, err)
	if v = view(); v.Phase != "deployment" {
		dumpPhase(t, v, "integration")
		t.Errorf("after integration: phase %s, open %v", v.Phase, open(v, "integration"))
	}

	// Deployment: staging, a preview reaped, a rollback.
	if got := strings.Join(open(v, "deployment"), ","); got != "representative-app,preview-reaped,rollback" {
		t.Errorf("deployment open at first: %s", got)
	}
	_, err = f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "staging"})
	must(t, err)
	_, err = f.p.Promote(f.dev, "shop", "dev", "staging")
	must(t, err)
	f.p.Wait()
	_, err = f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-1", From: "dev", TTL: paved.Duration(time.Hour)})
	must(t, err)
	f.p.Wait()
	f.clock.Add(2 * time.Hour)
	n, err := f.p.Reap(ctx)
	must(t, err)
	if n != 1 {
		t.Errorf("reaped %d environments, want the preview", n)
	}
	_, err = f.p.Rollback(f.dev, first.ID)
	must(t, err)
	f.p.Wait()
	v = view()
	if got := strings.Join(open(v, "deployment"), ","); got != "" || v.Phase != "adoption" {
		t.Errorf("deployment open after the golden paths (no policy exists, so none to evaluate): %s; phase %s", got, v.Phase)
	}

	// Adoption: the next cohort was chosen; feedback; a second team.
	if got := strings.Join(open(v, "adoption"), ","); got != "report-leadership,report-engineering,feedback,second-team" {
		t.Errorf("adoption open at first: %s", got)
	}
	fb, err := f.p.GiveFeedback(f.other, "  we need a search index  ", "cli")
	must(t, err)
	if fb.Text != "we need a search index" || fb.Author != "olaf" {
		t.Errorf("feedback %+v", fb)
	}
	if _, err := f.p.GiveFeedback(f.other, "x", "email"); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("feedback from an unknown source: %v", err)
	}
	_, err = f.p.InviteCohort(f.admin, 2)
	must(t, err)
	if _, err := f.p.InviteCohort(f.admin, 2); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Errorf("inviting a cohort twice: %v", err)
	}
	f.clock.Add(3 * time.Hour)
	_, err = f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: "dev-search", Type: "search", Driver: "echo",
		Criteria: []paved.Criteria{{EnvType: paved.EnvDevelopment}}, Inputs: map[string]any{"values": map[string]any{"host": "search.dev"}}}})
	must(t, err)
	must(t, f.p.CreateApp(f.other, &paved.App{Name: "blog", Team: "others"}))
	_, err = f.p.CreateEnvironment(f.other, &paved.EnvironmentRequest{App: "blog", Name: "dev", Type: "development"})
	must(t, err)
	d, err := f.p.Deploy(f.other, &paved.DeployRequest{App: "blog", Env: "dev", Specs: map[string]string{"blog.score.yaml": blogSpec}})
	must(t, err)
	f.p.Wait()
	if got, _ := f.p.GetDeployment(f.other, d.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("blog's deployment: %s %s", got.Status, got.Error)
	}
	v = view()
	if got := strings.Join(open(v, "adoption"), ","); got != "report-leadership,report-engineering" {
		t.Errorf("adoption open with feedback and a second team: %s", got)
	}

	// The funnel of cohort 2: invited, deployed three hours later.
	if len(v.Funnels) != 1 || v.Funnels[0].Invited != 1 || v.Funnels[0].Deployed != 1 || len(v.Funnels[0].Teams) != 1 {
		t.Fatalf("funnels %+v", v.Funnels)
	}
	if tt := v.Funnels[0].Teams[0]; tt.TimeToFirst == nil || *tt.TimeToFirst < 3 || *tt.TimeToFirst > 3.1 || !tt.Weekly {
		t.Errorf("others' funnel: %+v", tt)
	}
	// A requirement computed: blog asks for search, which staging lacks.
	if !slices.ContainsFunc(v.Requirements, func(r paved.Requirement) bool {
		return r.Computed && r.Cohort == 2 && r.Title == "a definition of resource type search for staging, which blog asks for"
	}) {
		t.Errorf("requirements %+v", v.Requirements)
	}
	// The objective is measured for the pioneering team.
	if len(v.Objectives) != 1 || v.Objectives[0].Value == nil || !v.Objectives[0].Met || !strings.Contains(v.Objectives[0].Measures, "team pioneers") {
		t.Errorf("objectives %+v", v.Objectives)
	}

	// The next iteration waits for the open checks, unless forced.
	if _, err := f.p.NextIteration(f.admin, false); paved.ErrorCode(err) != paved.ECONFLICT || !strings.Contains(err.Error(), "adoption/report-leadership") {
		t.Errorf("the next iteration with checks open: %v", err)
	}
	pr, err := f.p.NextIteration(f.admin, true)
	must(t, err)
	if pr.Iteration != 2 || pr.Cohort != 2 || pr.NextCohort != 0 || len(pr.History) != 1 || pr.History[0].Cohort != 0 || len(pr.History[0].Phases) != 4 {
		t.Errorf("after next: iteration %d, history %+v", pr.Iteration, pr.History)
	}
	v = view()
	if v.Phase != "discovery" || !slices.Contains(open(v, "discovery"), "check-threat-model") || slices.Contains(open(v, "adoption"), "second-team") == false {
		t.Errorf("iteration 2 starts at discovery with its manual checks open: phase %s, %v", v.Phase, open(v, "discovery"))
	}
	entries, err := f.store.ListAudit(ctx, paved.AuditFilter{Action: "program.next"})
	must(t, err)
	if len(entries) != 2 {
		t.Errorf("program.next audited %d times, want 2 (one refused)", len(entries))
	}
}

// TestRoadmap: feedback triaged into items, votes once each, statuses.
func TestRoadmap(t *testing.T) {
	f := newFixture(t)
	fb, err := f.p.GiveFeedback(f.dev, "previews are slow", "portal")
	must(t, err)
	if _, err := f.p.PutRoadmapItem(f.dev, &paved.RoadmapItem{ID: "fast", Title: "fast previews"}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer changing the roadmap: %v", err)
	}
	it, err := f.p.PutRoadmapItem(f.admin, &paved.RoadmapItem{ID: "fast", Title: "fast previews"})
	must(t, err)
	if it.Status != paved.RoadmapProposed {
		t.Errorf("a new item is %s", it.Status)
	}
	_, err = f.p.Triage(f.admin, fb.ID, "fast")
	must(t, err)
	for range 2 {
		_, err = f.p.Vote(f.dev, "fast")
		must(t, err)
	}
	it, err = f.p.Vote(f.other, "fast")
	must(t, err)
	if it.Votes != 2 || !slices.Equal(it.Feedback, []int64{fb.ID}) {
		t.Errorf("item %+v, want 2 votes and the feedback", it)
	}
	if _, err := f.p.PutRoadmapItem(f.admin, &paved.RoadmapItem{ID: "fast", Title: "fast previews", Status: "someday"}); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("an unknown status: %v", err)
	}
	// A new title keeps the status it had.
	_, err = f.p.PutRoadmapItem(f.admin, &paved.RoadmapItem{ID: "fast", Title: "fast previews", Status: paved.RoadmapInProgress})
	must(t, err)
	it, err = f.p.PutRoadmapItem(f.admin, &paved.RoadmapItem{ID: "fast", Title: "previews up in a minute"})
	must(t, err)
	if it.Status != paved.RoadmapInProgress || it.Title != "previews up in a minute" || it.Votes != 2 {
		t.Errorf("retitled item %+v", it)
	}
}

func dumpPhase(t *testing.T, v *paved.ProgramView, phase string) {
	for _, ph := range v.Phases {
		if ph.Phase == phase {
			for _, c := range ph.Checks {
				t.Logf("%s %v %s", c.ID, c.Done, c.Why)
			}
		}
	}
}

// TestConcurrentAnnouncements: changes of the program made at once are all
// kept (each tried again on the newer version), none refused.
func TestConcurrentAnnouncements(t *testing.T) {
	f := newFixture(t)
	errs := make(chan error, 5)
	for i := range 5 {
		go func() {
			_, err := f.p.Announce(f.admin, &paved.Announcement{Audience: "engineering", Title: fmt.Sprintf("news %d", i)})
			errs <- err
		}()
	}
	for range 5 {
		must(t, <-errs)
	}
	v, err := f.p.Program(f.admin)
	must(t, err)
	if len(v.Program.Announcements) != 5 {
		t.Errorf("%d announcements kept, want 5", len(v.Program.Announcements))
	}
}
