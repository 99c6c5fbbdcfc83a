package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// userToken creates a user of a role and returns a token of theirs.
func userToken(t *testing.T, c *api.Client, name string, role paved.Role) string {
	t.Helper()
	ctx := context.Background()
	if err := c.CreateUser(ctx, &paved.User{Name: name, Role: role}); err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateToken(ctx, &paved.TokenRequest{User: name})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Secret
}

// wants fails for each string a page lacks.
func wants(t *testing.T, what, page string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(page, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

// TestProgramPages: the program page shows the platform's own data (the
// current phase, checks, objectives measured, the log, pitfalls); a manual
// check is offered to its role only, confirmed for the current iteration,
// refused to a developer and from a page of an earlier iteration; the
// cohorts page draws each funnel; the home page names the phase.
func TestProgramPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := api.NewClient(f.s.URL, f.admin)
	sam := userToken(t, admin, "sam", paved.RoleSecurity)
	if _, err := admin.ApplyProgram(ctx, &paved.ProgramSpec{
		Objectives: []paved.Objective{{ID: "daily", Title: "the pioneers deploy to dev daily", Metric: "deployment_frequency", Target: 1}},
		Cohorts:    []paved.Cohort{{Number: 1, Name: "pioneers"}, {Number: 2, Name: "the second wave", Priority: 1}},
		NextCohort: 2,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.InviteCohort(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Announce(ctx, &paved.Announcement{Audience: "engineering", Title: "the MVP is open for the pioneers"}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutCheck(ctx, &paved.ManualCheck{Scope: "program.discovery", ID: "threat-model", Title: "a threat model of the MVP reviewed", Role: paved.RoleSecurity}); err != nil {
		t.Fatal(err)
	}

	vera := f.login(t, f.vera)
	resp, page := vera.get("/program")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/program: %d", resp.StatusCode)
	}
	wants(t, "/program", page,
		"Iteration 1: the discovery phase", `aria-current="step"`, // the current phase, prominent
		"a pioneering team chosen", "golden paths agreed", "paved program apply -f program.yaml", // checks with why and how
		"a threat model of the MVP reviewed", "(confirmed by security)",
		"the pioneers deploy to dev daily", "at least 1.00 per day", // an objective with its target
		"the MVP is open for the pioneers", "engineering", // the log
		"This is the first iteration.")
	const confirm = `action="/program/checks/discovery/threat-model/confirm"`
	if strings.Contains(page, confirm) {
		t.Errorf("a viewer is offered to confirm a security check")
	}
	// The objective's value is measured: one successful deployment over
	// the 30 days.
	if !regexp.MustCompile(`0\.03 per day</td>`).MatchString(page) {
		t.Errorf("/program does not show the measured frequency (1 deployment in 30 days)")
	}

	dana := f.login(t, f.dana)
	_, page = dana.get("/program")
	if strings.Contains(page, confirm) {
		t.Errorf("dana is offered to confirm a security check")
	}
	if resp, _ := dana.post("/program/checks/discovery/threat-model/confirm", url.Values{"csrf": {csrfOf(t, page)}, "iteration": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("dana confirming a security check directly: %d, want 403", resp.StatusCode)
	}
	s := f.login(t, sam)
	_, page = s.get("/program")
	if !strings.Contains(page, confirm) || !strings.Contains(page, `name="iteration" value="1"`) {
		t.Fatalf("sam is not offered to confirm the check for iteration 1")
	}
	csrf := csrfOf(t, page)
	if resp, body := s.post("/program/checks/discovery/threat-model/confirm", url.Values{"csrf": {csrf}, "iteration": {"0"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "reload the page") {
		t.Errorf("a confirmation from a page of another iteration: %d", resp.StatusCode)
	}
	if resp, _ := s.post("/program/checks/discovery/threat-model/confirm", url.Values{"csrf": {csrf}, "iteration": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sam confirming: %d", resp.StatusCode)
	}
	if _, page = s.get("/program"); strings.Contains(page, confirm) || !strings.Contains(page, "sam confirmed threat-model (discovery) for iteration 1.") {
		t.Errorf("after the confirmation the check is still offered, or the page does not say it was confirmed")
	}
	confs, err := admin.ListConfirmations(ctx, "program.discovery", "1")
	if err != nil {
		t.Fatal(err)
	}
	if len(confs) != 1 || confs[0].By != "sam" || confs[0].CheckID != "threat-model" {
		t.Errorf("confirmations of iteration 1: %+v", confs)
	}
	v, err := admin.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Phases[0].Checks {
		if c.ID == "check-threat-model" && !c.Done {
			t.Errorf("the program does not count the confirmation")
		}
	}

	// Cohorts: cohort 1 (pioneers, invited, deployed) and 2 (others, not
	// invited), each with a funnel chart.
	_, page = vera.get("/program/cohorts")
	wants(t, "/program/cohorts", page, "Cohort 1: pioneers", "Cohort 2: the second wave", `<span class="status status-running">next</span>`,
		`aria-label="the funnel of cohort 1 (pioneers), teams: invited 1, first deployment 1, deploying weekly`, "Not invited yet; priority 1")
	if n := strings.Count(page, `<svg`); n != 2 {
		t.Errorf("/program/cohorts has %d charts, want 2", n)
	}
	if !regexp.MustCompile(`<td>pioneers</td><td>[0-9-]+ [0-9:]+Z</td><td>0s</td>`).MatchString(page) {
		t.Errorf("the pioneers' first deployment and time to it (invited after it: 0s) are not shown")
	}

	// Home: the current phase with a link.
	_, page = vera.get("/")
	wants(t, "/", page, "Iteration 1, phase <strong>discovery</strong>", `<a href="/program">The program</a>`)
}

// TestDORAPage: the organisation's, a team's and an app's metrics with
// their bands, the environment type measured, and the weekly chart; bad
// queries answered 400 or 404.
func TestDORAPage(t *testing.T) {
	f := newFixture(t)
	vera := f.login(t, f.vera)
	for _, tt := range []struct{ path, heading, of string }{
		{"/dora", "the organisation", "1 successful deployments in 90d"},
		{"/dora?team=pioneers&window=30d", "team pioneers", "1 successful deployments in 30d"},
		{"/dora?app=shop&window=7d", "app shop", "1 successful deployments in 7d"},
	} {
		resp, page := vera.get(tt.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tt.path, resp.StatusCode)
		}
		wants(t, tt.path, page, "DORA metrics: "+tt.heading, "Measured: deployments to development environments", "MVP mode",
			"Deployment frequency", "Change lead time", "Change fail rate", "Failed deployment recovery time", "Deployment rework rate",
			tt.of, `<span class="band band-`, `role="img"`, "1 succeeded, 0 failed")
	}
	// 7 days: one week; 30 days: five weeks (the last of two days).
	_, page := vera.get("/dora?app=shop&window=30d")
	if n := strings.Count(page, "<td>20"); n != 5 {
		t.Errorf("30 days have %d weeks in the table, want 5", n)
	}
	for path, status := range map[string]int{
		"/dora?app=nope": http.StatusNotFound, "/dora?app=shop&team=pioneers": http.StatusBadRequest, "/dora?window=2h": http.StatusBadRequest,
	} {
		if resp, _ := vera.get(path); resp.StatusCode != status {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, status)
		}
	}
}

// TestFeedbackPage: anyone gives feedback and votes, a vote counts once;
// a developer may not triage or move an item; an admin triages into a new
// item and moves it.
func TestFeedbackPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := api.NewClient(f.s.URL, f.admin)
	dana := f.login(t, f.dana)
	_, page := dana.get("/feedback")
	csrf := csrfOf(t, page)
	if strings.Contains(page, `/triage"`) || strings.Contains(page, `action="/roadmap/`) {
		t.Errorf("dana is offered to triage or to move an item")
	}
	if resp, _ := dana.post("/feedback", url.Values{"csrf": {csrf}, "text": {"  "}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty feedback: %d", resp.StatusCode)
	}
	if resp, _ := dana.post("/feedback", url.Values{"csrf": {csrf}, "text": {strings.Repeat("x", paved.MaxFeedback+1)}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("feedback over the limit: %d", resp.StatusCode)
	}
	if resp, _ := dana.post("/feedback", url.Values{"text": {"no csrf"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("feedback without its CSRF token: %d", resp.StatusCode)
	}
	if resp, _ := dana.post("/feedback", url.Values{"csrf": {csrf}, "text": {"previews should last a week"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("giving feedback: %d", resp.StatusCode)
	}
	fs, err := admin.ListFeedback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Author != "dana" || fs[0].Source != "portal" || fs[0].Text != "previews should last a week" {
		t.Fatalf("the feedback stored: %+v", fs)
	}
	id := fs[0].ID
	triage := "/feedback/" + strconv.FormatInt(id, 10) + "/triage"
	if resp, _ := dana.post(triage, url.Values{"csrf": {csrf}, "new_id": {"long-previews"}, "new_title": {"Longer previews"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("dana triaging: %d, want 403", resp.StatusCode)
	}

	a := f.login(t, f.admin)
	_, page = a.get("/feedback")
	wants(t, "/feedback as the admin", page, "previews should last a week", "(portal)", `action="`+triage+`"`)
	acsrf := csrfOf(t, page)
	if resp, _ := a.post(triage, url.Values{"csrf": {acsrf}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("triage into nothing: %d", resp.StatusCode)
	}
	if resp, _ := a.post(triage, url.Values{"csrf": {acsrf}, "new_id": {"long-previews"}, "new_title": {"Longer previews"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the admin triaging into a new item: %d", resp.StatusCode)
	}
	items, err := admin.ListRoadmap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != "long-previews" || items[0].Status != paved.RoadmapProposed || len(items[0].Feedback) != 1 || items[0].Feedback[0] != id {
		t.Fatalf("the roadmap after triage: %+v", items)
	}

	// Votes count once per user.
	vote := func(b *browser, csrf string) string {
		t.Helper()
		resp, _ := b.post("/roadmap/long-previews/vote", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("voting: %d", resp.StatusCode)
		}
		_, page := b.get("/feedback")
		return page
	}
	if page = vote(dana, csrf); !strings.Contains(page, "Your vote for Longer previews counts: 1 votes.") {
		t.Errorf("dana's first vote is not acknowledged")
	}
	if page = vote(dana, csrf); !strings.Contains(page, "You voted for Longer previews already") || !strings.Contains(page, "1 vote ·") {
		t.Errorf("dana's second vote is not refused as counted already")
	}
	vera := f.login(t, f.vera)
	_, vpage := vera.get("/feedback")
	vote(vera, csrfOf(t, vpage))
	if items, _ = admin.ListRoadmap(ctx); items[0].Votes != 2 {
		t.Errorf("votes after dana twice and vera once: %d, want 2", items[0].Votes)
	}

	// The item's status: an admin's.
	if resp, _ := dana.post("/roadmap/long-previews", url.Values{"csrf": {csrf}, "status": {"planned"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("dana moving an item: %d, want 403", resp.StatusCode)
	}
	if resp, _ := a.post("/roadmap/long-previews", url.Values{"csrf": {acsrf}, "status": {"shipped"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown status: %d", resp.StatusCode)
	}
	if resp, _ := a.post("/roadmap/long-previews", url.Values{"csrf": {acsrf}, "status": {"in_progress"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the admin moving an item: %d", resp.StatusCode)
	}
	items, _ = admin.ListRoadmap(ctx)
	if items[0].Status != paved.RoadmapInProgress || items[0].Votes != 2 || items[0].Title != "Longer previews" {
		t.Errorf("the item after the move: %+v", items[0])
	}
	_, page = dana.get("/feedback")
	inProgress := page[strings.Index(page, `id="status-in_progress"`):]
	inProgress = inProgress[:strings.Index(inProgress, "</section>")]
	if !strings.Contains(inProgress, "Longer previews") {
		t.Errorf("the roadmap does not show the item under in_progress")
	}
	if resp, _ := dana.post("/roadmap/nope/vote", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a vote for no item: %d", resp.StatusCode)
	}
}
