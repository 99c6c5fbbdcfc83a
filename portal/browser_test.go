package portal_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"paved.dev/paved/examples"
)

// The browser tests drive Debian's chromium through chromedp. Locally they
// skip, saying so, when chromium is missing; in CI (CI=true, where .ci/run
// installs it) they fail instead.

//go:embed testdata/axe/axe.min.js
var axeSource string

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium): skipping the browser tests")
	return ""
}

// artifacts is where screenshots go: $PAVED_TEST_ARTIFACTS/portal, or a
// folder in the system's temporary directory.
func artifacts(t *testing.T) string {
	dir := os.Getenv("PAVED_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "paved-test-artifacts")
	}
	dir = filepath.Join(dir, "portal")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newBrowser starts a headless chromium with a fresh profile, the network
// closed but for the test server.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

type step = chromedp.Action[chromedp.Void]

func run(t *testing.T, ctx context.Context, what string, steps ...step) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval runs a script in the page and returns its value (a promise's,
// awaited).
func eval[T any](t *testing.T, ctx context.Context, what, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// submit clicks a form's button and waits for the page it leads to.
func submit(t *testing.T, ctx context.Context, what, sel string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(css(sel)))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// axeViolation is one of axe-core's findings.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkPage screenshots the page and runs axe-core in it: no serious or
// critical violation of WCAG 2 A and AA is allowed.
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "axe into "+name, chromedp.Evaluate[chromedp.Void](axeSource))
	raw := eval[string](t, ctx, "axe on "+name, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => JSON.stringify(r.violations))`)
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe on %s: %v (%s)", name, err, raw)
	}
	rules := eval[int](t, ctx, "axe rules", `axe.getRules(["wcag2a", "wcag2aa"]).length`)
	if rules < 30 {
		t.Fatalf("axe knows only %d WCAG rules: it did not load", rules)
	}
	for _, v := range vs {
		t.Logf("%s: axe, %s: %s (%s)", name, v.Impact, v.ID, v.Help)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, fmt.Sprint(n.Target...))
			}
			t.Errorf("%s: accessibility: %s (%s, %s) at %s", name, v.ID, v.Impact, v.Help, strings.Join(where, "; "))
		}
	}
}

func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("location: %v", err)
	}
	return s
}

// loginAs logs in through the form, with the keyboard.
func loginAs(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	run(t, ctx, "login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(css("#token")),
		chromedp.SendKeys(css("#token"), token),
	)
	submit(t, ctx, "log in", `form[action="/login"] button`)
	if p := eval[string](t, ctx, "problem", `(document.querySelector(".problem")||{}).textContent || ""`); p != "" {
		t.Fatalf("login refused: %s", p)
	}
	run(t, ctx, "logged in", chromedp.WaitVisible(css("header nav")))
}

// waitLive waits until the deployment page's live stream says it ended.
func waitLive(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	run(t, ctx, "the deployment ends live",
		chromedp.WaitVisible(css("#live-end .status")),
	)
	if got := textOf(t, ctx, "#live-end"); got != want {
		t.Fatalf("the deployment ended %q, want %q", got, want)
	}
	if got := textOf(t, ctx, "#status"); got != want {
		t.Errorf("the status at the top says %q once it ended %q", got, want)
	}
}

// TestInABrowser walks the golden paths in a real browser: log in, deploy
// a Score file through the form and watch it finish live, open a preview
// environment, roll back, read the audit log; a developer of another team
// sees no deploy action and a direct POST is refused, as is a form without
// its CSRF token; logging out ends the session. Every page is screenshot
// and checked with axe-core.
func TestInABrowser(t *testing.T) {
	f := newFixture(t)
	ctx := newBrowser(t)
	base := f.s.URL

	// The keyboard reaches the skip link first, then the form.
	run(t, ctx, "login page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(css("#token")))
	checkPage(t, ctx, "login")
	// The checker is not blind: an unlabelled field it must report.
	found := eval[string](t, ctx, "axe on a planted fault", `(() => { const i = document.createElement("input"); document.querySelector("main").append(i);
		return axe.run(document, {runOnly: {type: "tag", values: ["wcag2a"]}}).then(r => { i.remove(); return r.violations.map(v => v.id + ":" + v.impact).join(","); }); })()`)
	if !strings.Contains(found, "label:critical") {
		t.Fatalf("axe did not report an unlabelled input: %q", found)
	}
	run(t, ctx, "tab", chromedp.KeyEvent("\t"))
	focused := eval[string](t, ctx, "focus", `document.activeElement.textContent`)
	if focused != "Skip to content" {
		t.Errorf("the first Tab focuses %q, want the skip link", focused)
	}

	loginAs(t, ctx, base, f.dana)
	checkPage(t, ctx, "home")
	if !strings.Contains(textOf(t, ctx, "main"), "What to do next") {
		t.Errorf("home lacks what to do next")
	}

	// Deploy through the form, watch it live.
	spec := string(examples.Shop()[1].Data) // web.score.yaml
	run(t, ctx, "the deploy form",
		chromedp.Navigate(base+"/deploy?app=shop&env=dev"),
		chromedp.WaitVisible(css("#spec")),
	)
	checkPage(t, ctx, "deploy")
	api := string(examples.Shop()[0].Data)
	run(t, ctx, "plan",
		chromedp.SetValue(css("#name"), "all.score.yaml"),
		chromedp.SetValue(css("#spec"), api),
	)
	submit(t, ctx, "plan", `form[enctype] button[type="submit"]`)
	run(t, ctx, "the plan", chromedp.WaitVisible(css(`button[value="deploy"]`)))
	_ = spec
	checkPage(t, ctx, "deploy-plan")
	submit(t, ctx, "confirm", `button[value="deploy"]`)
	deployed := location(t, ctx)
	waitLive(t, ctx, "succeeded")
	if n := strings.Count(textOf(t, ctx, "#events"), "\n"); n < 3 {
		t.Errorf("only %d events arrived live", n)
	}
	checkPage(t, ctx, "deployment")

	// A preview environment from dev.
	run(t, ctx, "the environment", chromedp.Navigate(base+"/apps/shop/envs/dev"), chromedp.WaitVisible(css("#pname")))
	checkPage(t, ctx, "environment")
	run(t, ctx, "open a preview",
		chromedp.SetValue(css("#pname"), "pr-77"),
	)
	submit(t, ctx, "open a preview", `form[action$="/preview"] button`)
	waitLive(t, ctx, "succeeded")

	// Roll back to the first deployment.
	run(t, ctx, "the first deployment", chromedp.Navigate(base+"/deployments/"+f.deployment), chromedp.WaitVisible(css(`form[action$="/rollback"] button`)))
	submit(t, ctx, "roll back", `form[action$="/rollback"] button`)
	if location(t, ctx) == deployed {
		t.Fatal("the rollback did not land on a new deployment")
	}
	waitLive(t, ctx, "succeeded")

	// The other pages, each checked.
	for _, pg := range []struct{ path, name string }{
		{"/apps", "apps"}, {"/apps/shop", "app"}, {"/types?app=shop&env=dev", "types"}, {"/platform", "platform"},
		{"/platform/definitions", "definitions"}, {"/platform/targets", "targets"}, {"/platform/teams", "teams"},
		{"/platform/users", "users"}, {"/platform/users/dana", "user"}, {"/audit", "audit"}, {"/nope", "not-found"},
		{"/platform/policies", "policies"}, {"/platform/costs", "costs"}, {"/apps/shop/readiness", "readiness"},
		{"/apps/shop/scorecards", "scorecards"},
		{"/program", "program"}, {"/program/cohorts", "cohorts"}, {"/dora?app=shop", "dora"}, {"/feedback", "feedback"},
	} {
		run(t, ctx, pg.name, chromedp.Navigate(base+pg.path), chromedp.WaitVisible(css("main")))
		checkPage(t, ctx, pg.name)
	}
	run(t, ctx, "the audit log", chromedp.Navigate(base+"/audit?action=rollback"), chromedp.WaitVisible(css("main table")))
	if !strings.Contains(textOf(t, ctx, "main table"), "rollback") {
		t.Errorf("the audit log has no rollback")
	}

	// A form posted without its CSRF token is refused.
	status := eval[int](t, ctx, "post without CSRF", `fetch("/deployments/`+f.deployment+`/rollback", {method: "POST", redirect: "manual"}).then(r => r.status)`)
	if status != 403 {
		t.Errorf("a rollback posted without its CSRF token: %d", status)
	}

	// Logging out ends the session.
	submit(t, ctx, "log out", `form[action="/logout"] button`)
	run(t, ctx, "home after logout", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css("#token")))
	if !strings.HasPrefix(location(t, ctx), base+"/login") {
		t.Errorf("after logout, / is %s", location(t, ctx))
	}

	// olaf, of another team, is not offered to deploy shop, and a direct
	// POST with his valid CSRF token is refused.
	loginAs(t, ctx, base, f.olaf)
	run(t, ctx, "shop as olaf", chromedp.Navigate(base+"/apps/shop/envs/dev"), chromedp.WaitVisible(css("main")))
	offered := eval[bool](t, ctx, "actions", `!!document.querySelector('form[action="/deploy"], form[action$="/promote"], form[action$="/delete"]')`)
	if offered {
		t.Errorf("olaf is offered to change shop")
	}
	status = eval[int](t, ctx, "direct post", `fetch("/deployments/`+f.deployment+`/rollback", {method: "POST", redirect: "manual",
		headers: {"Content-Type": "application/x-www-form-urlencoded"},
		body: "csrf=" + encodeURIComponent(document.querySelector('input[name=csrf]').value)}).then(r => r.status)`)
	if status != 403 {
		t.Errorf("olaf's direct rollback of shop: %d", status)
	}
	t.Logf("screenshots in %s", artifacts(t))
}
