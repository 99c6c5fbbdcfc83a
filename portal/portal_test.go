package portal_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
	"paved.dev/paved/portal"
	"paved.dev/paved/server"
)

// fixture is a real server (SQLite, a local GitOps repository) with the
// pioneering team's developer dana, olaf of another team, a viewer, and
// the app shop deployed to dev.
type fixture struct {
	s                *server.Server
	admin            string
	dana, olaf, vera string
	deployment       string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s, err := server.Start(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MVPMode: true, AdminToken: "pvd_portal_admin"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	c := api.NewClient(s.URL, "pvd_portal_admin")
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(c.CreateTeam(ctx, &paved.Team{Name: "pioneers", Pioneering: true, Cohort: 1}))
	check(c.CreateTeam(ctx, &paved.Team{Name: "others", Cohort: 2}))
	f := &fixture{s: s, admin: "pvd_portal_admin"}
	for _, u := range []paved.User{{Name: "dana", Role: paved.RoleDeveloper, Teams: []string{"pioneers"}}, {Name: "olaf", Role: paved.RoleDeveloper, Teams: []string{"others"}}, {Name: "vera", Role: paved.RoleViewer}} {
		check(c.CreateUser(ctx, &u))
		tok, err := c.CreateToken(ctx, &paved.TokenRequest{User: u.Name})
		check(err)
		switch u.Name {
		case "dana":
			f.dana = tok.Secret
		case "olaf":
			f.olaf = tok.Secret
		default:
			f.vera = tok.Secret
		}
	}
	dc := api.NewClient(s.URL, f.dana)
	check(dc.CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	_, err = dc.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "dev"})
	check(err)
	_, err = c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "staging"})
	check(err)
	specs := map[string]string{}
	for _, sf := range examples.Shop() {
		specs[sf.Name] = string(sf.Data)
	}
	d, err := dc.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	check(err)
	check(dc.StreamEvents(ctx, d.ID, 0, func(paved.Event) error { return nil }))
	f.deployment = d.ID
	return f
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so that tests see them.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func (f *fixture) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: f.s.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", page)
	}
	return m[1]
}

// login logs in with a token through the form and returns the browser.
func (f *fixture) login(t testing.TB, token string) *browser {
	t.Helper()
	b := f.browser(t)
	_, page := b.get("/login")
	resp, body := b.post("/login", url.Values{"csrf": {csrfOf(t, page)}, "token": {token}, "next": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d\n%s", resp.StatusCode, body)
	}
	return b
}

func TestAnonymousRequestsGoToTheLogin(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	for _, path := range []string{"/", "/apps/shop", "/deployments/" + f.deployment, "/audit?actor=dana", "/nope"} {
		resp, _ := b.get(path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s anonymously: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, _ := b.post("/deploy", url.Values{"app": {"shop"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("POST /deploy anonymously: %d", resp.StatusCode)
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	resp, page := b.get("/login")
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
	} {
		if !strings.Contains(resp.Header.Get(h), want) {
			t.Errorf("%s: %q, want %q", h, resp.Header.Get(h), want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	csrf := csrfOf(t, page)
	if resp, body := b.post("/login", url.Values{"csrf": {csrf}, "token": {"pvd_wrong"}}); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "the token is not valid") {
		t.Errorf("a wrong token: %d", resp.StatusCode)
	}
	other := f.browser(t)
	if resp, _ := other.post("/login", url.Values{"csrf": {csrf}, "token": {f.dana}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a login form posted without its cookie (login CSRF): %d", resp.StatusCode)
	}
	_, page = b.get("/login")
	resp, _ = b.post("/login", url.Values{"csrf": {csrfOf(t, page)}, "token": {f.dana}, "next": {"//evil.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login: %d %s (an off-site next must go home)", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "paved_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || strings.Contains(cookie.Value, f.dana) {
		t.Fatalf("session cookie %+v", cookie)
	}
	resp, page = b.get("/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "dana") {
		t.Fatalf("home after login: %d", resp.StatusCode)
	}
	// Logging out revokes the session's token: the cookie, replayed, no
	// longer works.
	jar := b.c.Jar
	saved := jar.Cookies(mustURL(t, f.s.URL))
	if resp, _ := b.post("/logout", url.Values{"csrf": {csrfOf(t, page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	replay := f.browser(t)
	replay.c.Jar.SetCookies(mustURL(t, f.s.URL), saved)
	if resp, _ := replay.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the session's cookie after logout: %d", resp.StatusCode)
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLoginLinkIsSingleUse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin, err := f.s.Platform.Authenticate(ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	link, err := f.s.LoginLink(ctx, admin, "dana", "/apps/shop")
	if err != nil {
		t.Fatal(err)
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(link, f.s.URL), "?")
	code := strings.TrimPrefix(path, "/login/")
	// The link's code is no bearer token.
	if _, err := api.NewClient(f.s.URL, code).ListApps(ctx); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("a login link's code as a bearer token: %v", err)
	}
	// Opening it changes nothing: a link preview does not use it up.
	b := f.browser(t)
	resp, page := b.get(path + "?" + query)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/login/`+code+`"`) {
		t.Fatalf("the link's page: %d", resp.StatusCode)
	}
	csrf := csrfOf(t, page)
	// Posted from another site (no login cookie): refused.
	if resp, _ := f.browser(t).post(path, url.Values{"csrf": {csrf}, "next": {"/apps/shop"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the link posted without the page's cookie: %d", resp.StatusCode)
	}
	// Two at once: one logs in.
	other := f.browser(t)
	_, page2 := other.get(path)
	results := make(chan int, 2)
	for _, br := range []*browser{b, other} {
		go func() {
			c := csrf
			if br == other {
				c = csrfOf(t, page2)
			}
			resp, err := br.c.PostForm(br.base+path, url.Values{"csrf": {c}, "next": {"/apps/shop"}})
			if err != nil {
				results <- 0
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
	}
	got := []int{<-results, <-results}
	if !(got[0] == http.StatusSeeOther && got[1] == http.StatusUnauthorized || got[1] == http.StatusSeeOther && got[0] == http.StatusUnauthorized) {
		t.Fatalf("two uses of one link: %v, want one 303 and one 401", got)
	}
	// An ordinary token is no login link.
	if resp, _ := f.browser(t).get("/login/" + f.dana); resp.StatusCode != http.StatusOK {
		t.Fatalf("a token's link page: %d", resp.StatusCode)
	}
	tb := f.browser(t)
	_, page = tb.get("/login/" + f.dana)
	if resp, _ := tb.post("/login/"+f.dana, url.Values{"csrf": {csrfOf(t, page)}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a bearer token used as a login link: %d", resp.StatusCode)
	}
	if _, err := api.NewClient(f.s.URL, f.dana).ListApps(ctx); err != nil {
		t.Errorf("dana's token after it was tried as a link: %v", err)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/apps/shop": "/apps/shop", "/audit?actor=dana": "/audit?actor=dana", "": "/", "//evil.example/": "/", "/\\evil.example": "/",
		"/\t/evil.example/x": "/", "https://evil.example/": "/", "evil": "/", "/login/x": "/", "/%2F%2Fevil": "/", "/a\r\nSet-Cookie: x": "/",
	} {
		if got := portal.PortalSafeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSessionsDoNotUseUpTokens: logging in again and again ends the
// oldest sessions; the user's own tokens stay usable.
func TestSessionsDoNotUseUpTokens(t *testing.T) {
	f := newFixture(t)
	for range 12 {
		f.login(t, f.dana)
	}
	c := api.NewClient(f.s.URL, f.dana)
	toks, err := c.ListTokens(context.Background(), "dana")
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	for _, tk := range toks {
		if tk.Name == "portal session" && tk.RevokedAt == nil {
			active++
		}
	}
	if active != 5 {
		t.Errorf("%d active sessions after 12 logins, want 5", active)
	}
	if _, err := c.CreateToken(context.Background(), &paved.TokenRequest{User: "dana", Name: "ci"}); err != nil {
		t.Errorf("a token after many logins: %v", err)
	}
}

// TestEveryPage: each page answers 200 with the frame, its title and no
// internal error, for the admin and for a viewer; pages of things that do
// not exist answer 404 with navigation, bad input 400.
func TestEveryPage(t *testing.T) {
	f := newFixture(t)
	for who, token := range map[string]string{"admin": f.admin, "viewer": f.vera} {
		b := f.login(t, token)
		for _, tc := range []struct{ path, want string }{
			{"/", "What to do next"}, {"/apps", "shop"}, {"/apps?team=pioneers", "shop"}, {"/apps/shop", "Environments and workloads"},
			{"/apps/shop/envs/dev", "Resources"}, {"/deployments/" + f.deployment, "Events"}, {"/deploy", "Deploy"},
			{"/types?app=shop&env=dev", "postgres"}, {"/platform", "resource definitions"}, {"/platform/definitions", "definitions"},
			{"/platform/targets", "gitops"}, {"/platform/teams", "pioneers"}, {"/platform/users", "dana"}, {"/platform/users/dana", "Tokens"},
			{"/audit", "deploy"}, {"/audit?actor=dana&action=deploy&since=24h", "shop/dev"},
			{"/platform/policies", "built in"}, {"/platform/costs", "Costs and budgets"}, {"/apps/shop/readiness", "signed off by security"},
			{"/apps/shop/scorecards", "a successful deployment in each of the last 4 weeks"},
		} {
			resp, body := b.get(tc.path)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, tc.want) || strings.Contains(body, "internal error") || !strings.Contains(body, `<main id="main">`) {
				t.Errorf("%s GET %s: %d, wants %q:\n%.600s", who, tc.path, resp.StatusCode, tc.want, body)
			}
		}
		for _, tc := range []struct {
			path string
			code int
		}{
			{"/nope", 404}, {"/apps/nope", 404}, {"/apps/shop/envs/nope", 404}, {"/deployments/nope", 404}, {"/platform/definitions/nope", 404},
			{"/platform/users/nope", 404}, {"/apps/nope/scorecards", 404}, {"/audit?since=yesterday", 400}, {"/types?app=shop&env=nope", 404},
		} {
			resp, body := b.get(tc.path)
			if resp.StatusCode != tc.code || !strings.Contains(body, `href="/apps"`) || strings.Contains(body, "goroutine") {
				t.Errorf("%s GET %s: %d, want %d with navigation", who, tc.path, resp.StatusCode, tc.code)
			}
		}
	}
}

// TestWhatARoleMayNotDoIsNotOffered: a developer of another team sees no
// deploy or rollback on shop, and the server refuses them anyway; a form
// without its CSRF token is refused.
func TestWhatARoleMayNotDoIsNotOffered(t *testing.T) {
	f := newFixture(t)
	olaf := f.login(t, f.olaf)
	for _, path := range []string{"/apps/shop", "/apps/shop/envs/dev", "/deployments/" + f.deployment} {
		_, body := olaf.get(path)
		for _, action := range []string{`action="/deploy"`, "/rollback", "/promote", "/delete", "/reveal"} {
			if strings.Contains(body, action) {
				t.Errorf("olaf is offered %s on %s", action, path)
			}
		}
	}
	_, page := olaf.get("/deploy")
	csrf := csrfOf(t, page)
	if strings.Contains(page, `<option value="shop"`) {
		t.Errorf("the deploy form offers olaf another team's app")
	}
	spec := string(examples.Shop()[0].Data)
	resp, body := olaf.post("/deploy", url.Values{"csrf": {csrf}, "app": {"shop"}, "env": {"dev"}, "spec": {spec}, "confirm": {"deploy"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "team pioneers") {
		t.Errorf("olaf deploying to shop directly: %d\n%s", resp.StatusCode, body[strings.Index(body, "<main"):])
	}
	if resp, _ := olaf.post("/deployments/"+f.deployment+"/rollback", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("olaf rolling back shop directly: %d", resp.StatusCode)
	}
	dana := f.login(t, f.dana)
	_, page = dana.get("/apps/shop/envs/dev")
	if !strings.Contains(page, "/rollback") && !strings.Contains(page, `action="/deploy"`) {
		t.Errorf("dana is not offered to deploy her app")
	}
	if resp, body := dana.post("/deployments/"+f.deployment+"/rollback", url.Values{}); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF") {
		t.Errorf("a form without its CSRF token: %d", resp.StatusCode)
	}
	if resp, _ := dana.post("/deployments/"+f.deployment+"/rollback", url.Values{"csrf": {csrfOf(t, page) + "x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a form with a wrong CSRF token: %d", resp.StatusCode)
	}
}

// TestDeployThroughTheForm: paste a Score file, see the plan, confirm, land
// on the deployment; a bad spec is shown at the field with the CLI's
// message.
func TestDeployThroughTheForm(t *testing.T) {
	f := newFixture(t)
	b := f.login(t, f.dana)
	_, page := b.get("/deploy?app=shop&env=dev")
	csrf := csrfOf(t, page)
	bad := "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {web: {image: nginx, variables: {DB: \"${resources.db.host}\"}}}\n"
	resp, body := b.post("/deploy", url.Values{"csrf": {csrf}, "app": {"shop"}, "env": {"dev"}, "name": {"web.score.yaml"}, "spec": {bad}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `unknown resource &#34;db&#34;`) || !strings.Contains(body, `aria-invalid="true" aria-describedby="problem"`) {
		t.Fatalf("a bad spec: %d\n%s", resp.StatusCode, body)
	}
	good := "apiVersion: score.dev/v1b1\nmetadata: {name: hello}\ncontainers: {main: {image: nginx:1.27}}\n"
	resp, body = b.post("/deploy", url.Values{"csrf": {csrf}, "app": {"shop"}, "env": {"dev"}, "name": {"hello.score.yaml"}, "spec": {good}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Deploy this plan") || !strings.Contains(body, "Deployment/shop-dev/hello") {
		t.Fatalf("the plan: %d\n%s", resp.StatusCode, body)
	}
	form := url.Values{"csrf": {csrf}, "app": {"shop"}, "env": {"dev"}, "confirm": {"deploy"}, "spec.hello.score.yaml": {good}}
	resp, _ = b.post("/deploy", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/deployments/d-") {
		t.Fatalf("confirm: %d %s", resp.StatusCode, loc)
	}
	f.s.Platform.Wait()
	if resp, body := b.get(loc); resp.StatusCode != http.StatusOK || !strings.Contains(body, "succeeded") {
		t.Errorf("the deployment page: %d", resp.StatusCode)
	}
}

// TestLiveEvents: the deployment page's stream sends the events as HTML
// list items, then "end".
func TestLiveEvents(t *testing.T) {
	f := newFixture(t)
	b := f.login(t, f.dana)
	resp, body := b.get("/deployments/" + f.deployment + "/events?after=0")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, "event: message\nid: 1\ndata: <li class=\"event event-info\">") || !strings.HasSuffix(body, "event: end\ndata: <span class=\"status status-succeeded\">succeeded</span>\n\n") {
		t.Errorf("stream:\n%s", body)
	}
}

// TestEnvironmentActions: open a preview from dev, reveal a secret output
// (audited), delete the preview.
func TestEnvironmentActions(t *testing.T) {
	f := newFixture(t)
	b := f.login(t, f.dana)
	_, page := b.get("/apps/shop/envs/dev")
	csrf := csrfOf(t, page)
	resp, _ := b.post("/apps/shop/envs/dev/preview", url.Values{"csrf": {csrf}, "name": {"pr-5"}, "ttl": {"2h"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/deployments/") {
		t.Fatalf("preview: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	f.s.Platform.Wait()
	if _, body := b.get("/apps/shop/envs/pr-5"); !strings.Contains(body, "ephemeral") || !strings.Contains(body, "(in 1h59m)") && !strings.Contains(body, "(in 2h00m)") {
		t.Errorf("the preview's page lacks its TTL countdown")
	}
	if resp, body := b.post("/apps/shop/envs/dev/preview", url.Values{"csrf": {csrf}, "name": {"pr-6"}, "ttl": {"forever"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "ttl:") {
		t.Errorf("a bad ttl: %d", resp.StatusCode)
	}
	resp, body := b.post("/apps/shop/envs/dev/reveal", url.Values{"csrf": {csrf}, "uid": {"postgres.default#api.db"}})
	if resp.StatusCode != http.StatusOK || strings.Count(body, paved.Redacted) >= strings.Count(page, paved.Redacted) {
		t.Errorf("reveal: %d; redacted before %d, after %d", resp.StatusCode, strings.Count(page, paved.Redacted), strings.Count(body, paved.Redacted))
	}
	if resp, body := b.post("/apps/shop/envs/pr-5/delete", url.Values{"csrf": {csrf}, "confirm": {"pr"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "confirm:") {
		t.Errorf("delete without the name typed: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/apps/shop/envs/pr-5/delete", url.Values{"csrf": {csrf}, "confirm": {"pr-5"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if _, body := b.get("/apps/shop"); !strings.Contains(body, "Environment pr-5 deleted:") {
		t.Errorf("the app page does not say what the deletion did")
	}
	if _, body := b.get("/apps/shop"); strings.Contains(body, "Environment pr-5 deleted:") {
		t.Errorf("the deletion's message shows twice")
	}
	// A staging environment is not offered for deletion to a developer.
	if _, body := b.get("/apps/shop/envs/staging"); strings.Contains(body, "/delete") {
		t.Errorf("dana is offered to delete staging")
	}
	vera := f.login(t, f.vera)
	_, audit := vera.get("/audit?action=resource.reveal")
	if !strings.Contains(audit, "postgres.default#api.db") {
		t.Errorf("the reveal is not in the audit log")
	}
}

// TestLiveEventsResume: a reconnecting browser's Last-Event-ID resumes the
// stream after it.
func TestLiveEventsResume(t *testing.T) {
	f := newFixture(t)
	b := f.login(t, f.dana)
	req, _ := http.NewRequest(http.MethodGet, f.s.URL+"/deployments/"+f.deployment+"/events", nil)
	req.Header.Set("Last-Event-ID", "3")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(body), "id: 3\n") || !strings.Contains(string(body), "id: 4\n") || !strings.HasPrefix(string(body), "retry: ") {
		t.Errorf("resumed after 3:\n%s", body)
	}
}

// TestGuardrailPages: a security user approves a waiver and signs an app
// off through the portal; a developer is offered neither, and is refused.
func TestGuardrailPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := api.NewClient(f.s.URL, f.admin)
	if err := admin.CreateUser(ctx, &paved.User{Name: "sam", Role: paved.RoleSecurity}); err != nil {
		t.Fatal(err)
	}
	tok, err := admin.CreateToken(ctx, &paved.TokenRequest{User: "sam"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := api.NewClient(f.s.URL, f.dana).RequestWaiver(ctx, &paved.WaiverRequest{Rule: "security/sec-limits", App: "shop", Env: "dev", Reason: "a load test", TTL: paved.Duration(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	dana := f.login(t, f.dana)
	_, page := dana.get("/platform/policies")
	if strings.Contains(page, "/platform/waivers/"+w.ID) {
		t.Errorf("dana is offered to decide a security waiver")
	}
	if resp, _ := dana.post("/platform/waivers/"+w.ID, url.Values{"csrf": {csrfOf(t, page)}, "decision": {"approve"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("dana approving a waiver directly: %d", resp.StatusCode)
	}
	sam := f.login(t, tok.Secret)
	_, page = sam.get("/platform/policies")
	if !strings.Contains(page, `action="/platform/waivers/`+w.ID+`"`) {
		t.Fatalf("sam is not offered the waiver:\n%s", page)
	}
	if resp, _ := sam.post("/platform/waivers/"+w.ID, url.Values{"csrf": {csrfOf(t, page)}, "decision": {"approve"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sam approving: %d", resp.StatusCode)
	}
	if _, page = sam.get("/platform/policies"); !strings.Contains(page, "approved</span> by sam") {
		t.Errorf("the waiver is not shown approved")
	}
	_, page = sam.get("/apps/shop/readiness")
	if resp, _ := sam.post("/apps/shop/signoffs", url.Values{"csrf": {csrfOf(t, page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sam signing off: %d", resp.StatusCode)
	}
	if _, page = sam.get("/apps/shop/readiness"); !strings.Contains(page, "security: sam") || !strings.Contains(page, "holds") {
		t.Errorf("the sign-off is not shown")
	}
	_, page = dana.get("/apps/shop/readiness")
	if strings.Contains(page, `action="/apps/shop/signoffs"`) {
		t.Errorf("dana is offered to sign off")
	}
	if resp, _ := dana.post("/apps/shop/signoffs", url.Values{"csrf": {csrfOf(t, page)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("dana signing off directly: %d", resp.StatusCode)
	}

	// A manual check: offered to its role only, confirmed from the page.
	if _, err := admin.PutCheck(ctx, &paved.ManualCheck{Scope: paved.ScopeReadiness, ID: "pen-test", Title: "penetration test passed", Role: paved.RoleSecurity}); err != nil {
		t.Fatal(err)
	}
	const confirm = `action="/apps/shop/checks/pen-test/confirm"`
	if _, page = dana.get("/apps/shop/readiness"); !strings.Contains(page, "penetration test passed") || strings.Contains(page, confirm) {
		t.Errorf("dana's page does not list the check, or offers to confirm it")
	}
	if resp, _ := dana.post("/apps/shop/checks/pen-test/confirm", url.Values{"csrf": {csrfOf(t, page)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("dana confirming directly: %d", resp.StatusCode)
	}
	if _, page = sam.get("/apps/shop/readiness"); !strings.Contains(page, confirm) {
		t.Fatalf("sam is not offered to confirm the check")
	}
	if resp, _ := sam.post("/apps/shop/checks/pen-test/confirm", url.Values{"csrf": {csrfOf(t, page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sam confirming: %d", resp.StatusCode)
	}
	if _, page = sam.get("/apps/shop/readiness"); strings.Contains(page, confirm) {
		t.Errorf("a confirmed check is still offered")
	}
	r, err := admin.Readiness(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(r.Items, func(it paved.ReadinessItem) bool { return it.ID == "check-pen-test" && it.Done }) {
		t.Errorf("the confirmation did not reach readiness: %+v", r.Items)
	}
}

// TestLogoutEndsTheSessionNotTheNamedToken: the cookie's token id is the
// client's word; logout revokes the token the session's secret is, so a
// cookie naming another of the user's tokens neither keeps the session
// alive nor revokes that other token.
func TestLogoutEndsTheSessionNotTheNamedToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dc := api.NewClient(f.s.URL, f.dana)
	ci, err := dc.CreateToken(ctx, &paved.TokenRequest{User: "dana", Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	b := f.login(t, f.dana)
	u := mustURL(t, f.s.URL)
	var session string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "paved_session" {
			session = c.Value
		}
	}
	_, secret, ok := strings.Cut(session, ".")
	if !ok {
		t.Fatalf("session cookie %q", session)
	}
	// The cookie names the CI token instead of the session's own.
	tampered := ci.ID + "." + secret
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "paved_session", Value: tampered, Path: "/"}})
	_, page := b.get("/")
	if resp, body := b.post("/logout", url.Values{"csrf": {csrfOf(t, page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d\n%s", resp.StatusCode, body)
	}
	replay := f.browser(t)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "paved_session", Value: tampered, Path: "/"}})
	if resp, _ := replay.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the session works after its logout: %d", resp.StatusCode)
	}
	if _, err := api.NewClient(f.s.URL, ci.Secret).GetApp(ctx, "shop"); err != nil {
		t.Errorf("the token the cookie named was revoked by the logout: %v", err)
	}
}
