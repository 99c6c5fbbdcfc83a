package portal_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// TestScorecardsPage: the app page links an app's scorecards; the page
// shows each level, every rule's pass or fail with its hint, the facts
// and a trend that gains a step when a result changes.
func TestScorecardsPage(t *testing.T) {
	f := newFixture(t)
	dana := f.login(t, f.dana)
	if _, page := dana.get("/apps/shop"); !strings.Contains(page, `href="/apps/shop/scorecards"`) {
		t.Fatalf("the app page does not link its scorecards")
	}
	resp, page := dana.get("/apps/shop/scorecards")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scorecards page: %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{
		"MVP: on the paved road", "Production ready", // both built-in scorecards
		`class="level level-bronze">bronze</strong>`,                          // mvp: an owner and a deployment
		"silver needs: deploys-weekly, previews-used, staging-deployed",       // what the next level needs
		"open a preview for a pull request: paved env create pr-1 --app shop", // a failing rule's hint
		`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="level on mvp over time: bronze from `,
		"<dt>weeks with a successful deployment (of the last 4)</dt><dd>1</dd>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("scorecards page lacks %q", want)
		}
	}
	if strings.Count(page, `<polyline class="trend"`) != 2 {
		t.Errorf("want a trend per scorecard")
	}
	// A preview: the mvp result changes, and its trend gains a step.
	ctx := context.Background()
	dc := api.NewClient(f.s.URL, f.dana)
	if _, err := dc.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "pr-1", From: "dev", TTL: paved.Duration(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		out, err := dc.AppScorecards(ctx, "shop", "mvp")
		if err != nil {
			t.Fatal(err)
		}
		if out.Facts.PreviewsUsed {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, page = dana.get("/apps/shop/scorecards")
	if !strings.Contains(page, "Recorded results (2)") {
		t.Errorf("after a preview the mvp history should hold 2 results:\n%s", page)
	}
}
