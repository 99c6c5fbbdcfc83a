package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// The authorisation matrix: every route of the API and of the portal,
// taken from their route tables, against every kind of caller, each with
// the status it must get. A route added without a decision here fails
// TestAuthorisationMatrix, so that nobody adds one without saying who may
// call it. docs/reliability.md has the rules.

// principals are the callers, in the order the matrix runs them: those
// refused first, so that a request allowed (which may change things) runs
// after every refusal of the same route.
var principals = []string{"none", "expired", "revoked", "viewer", "otherdev", "security", "data", "finance", "dev", "admin"}

// rule says who may call a route.
type rule int

const (
	public    rule = iota // anyone, without a token
	reader                // every user (viewers and stakeholders read everything)
	owner                 // admins and developers of the app's team
	admin                 // admins
	self                  // admins and the user named in the path (dev)
	finance               // admins and finance (prices, budgets)
	security              // admins and security (its policies, its rules' waivers)
	signoff               // the stakeholder roles: security, data, finance
	confirmer             // the role a manual check names (security here), and no other, admin included
)

func (r rule) allows(p string) bool {
	switch p {
	case "none", "expired", "revoked":
		return r == public
	}
	switch r {
	case public, reader:
		return true
	case owner:
		return p == "admin" || p == "dev"
	case admin:
		return p == "admin"
	case self:
		return p == "admin" || p == "dev"
	case finance:
		return p == "admin" || p == "finance"
	case security:
		return p == "admin" || p == "security"
	case signoff:
		return p == "security" || p == "data" || p == "finance"
	case confirmer:
		return p == "security"
	}
	return false
}

// want is the status a principal must get: the allowed status, 401 for a
// caller without a valid token, 403 for a user the rule refuses.
func (r rule) want(p string, allowed int) int {
	switch {
	case r.allows(p):
		return allowed
	case p == "none" || p == "expired" || p == "revoked":
		return http.StatusUnauthorized
	}
	return http.StatusForbidden
}

// apiCase is the decision for one API route: who may call it, what an
// allowed call answers, and the request (path and body) for principal p;
// req may make fresh fixtures, so that what one call changes or deletes is
// not what the next one needs.
type apiCase struct {
	rule    rule
	allowed int
	req     func(m *matrix, p string) (path, body string)
}

// after runs once a route's row of the matrix ran: revoking every token of
// dev's took dev's own.
func (m *matrix) after(key string) {
	if key == "DELETE /api/users/{user}/tokens" {
		m.tokens["dev"] = m.must("POST", "/api/users/dev/tokens", `{"name":"matrix"}`)["token"].(string)
	}
}

func at(path string) func(*matrix, string) (string, string) {
	return func(*matrix, string) (string, string) { return path, "" }
}

func with(path, body string) func(*matrix, string) (string, string) {
	return func(*matrix, string) (string, string) { return path, body }
}

// apiCases are the decisions, by route pattern as the API registers it.
func apiCases() map[string]apiCase {
	const spec = `{"specs":{"web.score.yaml":"apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: ghcr.io/acme/web:1.0}}\n"}}`
	return map[string]apiCase{
		"GET /api/healthz":      {public, 200, at("/api/healthz")},
		"GET /api/openapi.json": {public, 200, at("/api/openapi.json")},
		"GET /api/whoami":       {reader, 200, at("/api/whoami")},

		"GET /api/teams": {reader, 200, at("/api/teams")},
		"POST /api/teams": {admin, 201, func(m *matrix, p string) (string, string) {
			return "/api/teams", fmt.Sprintf(`{"name":%q}`, m.fresh("t"))
		}},
		"GET /api/teams/{team}": {reader, 200, at("/api/teams/shop")},
		// A budget alone: finance's; anything else about a team is an admin's.
		"PATCH /api/teams/{team}":  {finance, 200, with("/api/teams/shop", `{"budget":{"monthly":1000}}`)},
		"DELETE /api/teams/{team}": {admin, 204, func(m *matrix, p string) (string, string) { return "/api/teams/" + m.team(), "" }},
		"GET /api/users":           {reader, 200, at("/api/users")},
		"POST /api/users": {admin, 201, func(m *matrix, p string) (string, string) {
			return "/api/users", fmt.Sprintf(`{"name":%q,"role":"viewer"}`, m.fresh("u"))
		}},
		"PATCH /api/users/{user}": {admin, 200, func(m *matrix, p string) (string, string) {
			return "/api/users/" + m.user(), `{"role":"data"}`
		}},
		"DELETE /api/users/{user}":      {admin, 204, func(m *matrix, p string) (string, string) { return "/api/users/" + m.user(), "" }},
		"GET /api/users/{user}/tokens":  {self, 200, at("/api/users/dev/tokens")},
		"POST /api/users/{user}/tokens": {self, 201, with("/api/users/dev/tokens", `{"name":"matrix"}`)},
		// Every token of dev's: dev logs in again after (see after).
		"DELETE /api/users/{user}/tokens": {self, 200, at("/api/users/dev/tokens")},
		"DELETE /api/users/{user}/tokens/{id}": {self, 200, func(m *matrix, p string) (string, string) {
			return "/api/users/dev/tokens/" + m.token("dev"), ""
		}},
		"POST /api/users/{user}/tokens/{id}/rotate": {self, 201, func(m *matrix, p string) (string, string) {
			return "/api/users/dev/tokens/" + m.token("dev") + "/rotate", ""
		}},

		"GET /api/apps": {reader, 200, at("/api/apps")},
		// Creating an app of team shop: admins and shop's developers.
		"POST /api/apps": {owner, 201, func(m *matrix, p string) (string, string) {
			return "/api/apps", fmt.Sprintf(`{"name":%q,"team":"shop"}`, m.fresh("a"))
		}},
		"GET /api/apps/{app}":      {reader, 200, at("/api/apps/shop")},
		"PATCH /api/apps/{app}":    {owner, 200, with("/api/apps/shop", `{"on_call":"#shop-oncall"}`)},
		"DELETE /api/apps/{app}":   {owner, 200, func(m *matrix, p string) (string, string) { return "/api/apps/" + m.app(), "" }},
		"GET /api/apps/{app}/envs": {reader, 200, at("/api/apps/shop/envs")},
		"POST /api/apps/{app}/envs": {owner, 201, func(m *matrix, p string) (string, string) {
			return "/api/apps/shop/envs", fmt.Sprintf(`{"name":%q,"type":"development"}`, m.fresh("e"))
		}},
		"GET /api/apps/{app}/envs/{env}": {reader, 200, at("/api/apps/shop/envs/dev")},
		"DELETE /api/apps/{app}/envs/{env}": {owner, 200, func(m *matrix, p string) (string, string) {
			return "/api/apps/shop/envs/" + m.env(), ""
		}},
		"POST /api/apps/{app}/envs/{env}/extend": {owner, 200, with("/api/apps/shop/envs/pr-1/extend", `{"ttl":"24h"}`)},
		"GET /api/apps/{app}/envs/{env}/types":   {reader, 200, at("/api/apps/shop/envs/dev/types")},
		"POST /api/apps/{app}/envs/{env}/promote": {owner, 202, func(m *matrix, p string) (string, string) {
			return "/api/apps/shop/envs/dev/promote", fmt.Sprintf(`{"to":%q}`, m.env())
		}},

		"GET /api/definitions":              {reader, 200, at("/api/definitions")},
		"PUT /api/definitions":              {admin, 200, with("/api/definitions", `{"items":[{"id":"matrix-echo","type":"thing","driver":"echo","driver_inputs":{"values":{"a":"b"}}}]}`)},
		"GET /api/definitions/{id}/history": {reader, 200, at("/api/definitions/matrix-echo/history")},
		"DELETE /api/definitions/{id}": {admin, 200, func(m *matrix, p string) (string, string) {
			return "/api/definitions/" + m.definition(), ""
		}},

		"POST /api/apps/{app}/envs/{env}/plan":        {owner, 200, with("/api/apps/shop/envs/dev/plan", spec)},
		"POST /api/apps/{app}/envs/{env}/deployments": {owner, 202, with("/api/apps/shop/envs/dev/deployments", spec)},
		"GET /api/apps/{app}/deployments":             {reader, 200, at("/api/apps/shop/deployments")},
		"GET /api/deployments":                        {reader, 200, at("/api/deployments")},
		"GET /api/deployments/{id}":                   {reader, 200, func(m *matrix, p string) (string, string) { return "/api/deployments/" + m.deployment, "" }},
		"POST /api/deployments/{id}/rollback": {owner, 202, func(m *matrix, p string) (string, string) {
			return "/api/deployments/" + m.deployment + "/rollback", ""
		}},
		"POST /api/apps/{app}/envs/{env}/rollback": {owner, 202, at("/api/apps/shop/envs/dev/rollback")},
		"GET /api/deployments/{id}/events": {reader, 200, func(m *matrix, p string) (string, string) {
			return "/api/deployments/" + m.deployment + "/events", ""
		}},

		"GET /api/apps/{app}/envs/{env}/resources": {reader, 200, at("/api/apps/shop/envs/dev/resources")},
		// Redacted outputs are everyone's to read; ?reveal=true is the team's.
		"GET /api/apps/{app}/envs/{env}/resources/{uid}/outputs": {owner, 200, at("/api/apps/shop/envs/dev/resources/thing.default%23web.cfg/outputs?reveal=true")},

		"GET /api/audit":  {reader, 200, at("/api/audit")},
		"GET /api/backup": {admin, 200, at("/api/backup")},

		"GET /api/targets": {reader, 200, at("/api/targets")},
		// No kubeconfig: refused as invalid after the role is checked.
		"POST /api/targets":                     {admin, 400, with("/api/targets", `{"name":"cluster","type":"kubernetes"}`)},
		"POST /api/targets/{name}/probe":        {admin, 200, at("/api/targets/gitops/probe")},
		"DELETE /api/targets/{name}":            {admin, 404, at("/api/targets/nowhere")},
		"GET /api/apps/{app}/envs/{env}/status": {reader, 200, at("/api/apps/shop/envs/dev/status")},
		"POST /api/definitions/probe":           {admin, 200, with("/api/definitions/probe", `{"ids":["matrix-echo"]}`)},

		"GET /api/policies":              {reader, 200, at("/api/policies")},
		"PUT /api/policies":              {security, 200, with("/api/policies", `{"items":[{"id":"matrix-sec","owner":"security","kind":"conftest","module":"package main\n\ndeny contains msg if {\n\tinput.kind == \"Nope\"\n\tmsg := \"no\"\n}\n"}]}`)},
		"GET /api/policies/{id}/history": {reader, 200, at("/api/policies/security/history")},

		"GET /api/prices": {reader, 200, at("/api/prices")},
		"PUT /api/prices": {finance, 200, with("/api/prices", `{"currency":"EUR","vcpu_hour":0.04,"memory_gib_hour":0.005,"storage_gib_month":0.1}`)},
		"GET /api/costs":  {reader, 200, at("/api/costs")},

		"GET /api/settings/mvp-mode":    {reader, 200, at("/api/settings/mvp-mode")},
		"PUT /api/settings/mvp-mode":    {admin, 200, with("/api/settings/mvp-mode", `{"mvp_mode":true}`)},
		"GET /api/apps/{app}/readiness": {reader, 200, at("/api/apps/shop/readiness")},
		"POST /api/apps/{app}/signoffs": {signoff, 201, at("/api/apps/shop/signoffs")},

		"GET /api/waivers":  {reader, 200, at("/api/waivers")},
		"POST /api/waivers": {owner, 201, with("/api/waivers", `{"rule":"security/sec-limits","app":"shop","env":"dev","reason":"matrix","ttl":"1h"}`)},
		// A rule of the security pack: security's to decide (or an admin's).
		"POST /api/waivers/{id}/approve": {security, 200, func(m *matrix, p string) (string, string) {
			return "/api/waivers/" + m.waiver() + "/approve", ""
		}},
		"POST /api/waivers/{id}/reject": {security, 200, func(m *matrix, p string) (string, string) {
			return "/api/waivers/" + m.waiver() + "/reject", ""
		}},

		"GET /api/checks":              {reader, 200, at("/api/checks")},
		"PUT /api/checks/{scope}/{id}": {admin, 200, with("/api/checks/readiness/runbook", `{"title":"A runbook","role":"admin"}`)},
		"DELETE /api/checks/{scope}/{id}": {admin, 204, func(m *matrix, p string) (string, string) {
			id := m.fresh("c")
			m.must("PUT", "/api/checks/readiness/"+id, `{"title":"To remove","role":"data"}`)
			return "/api/checks/readiness/" + id, ""
		}},
		// A check that security confirms: only security.
		"POST /api/checks/{scope}/{id}/confirmations": {confirmer, 201, with("/api/checks/readiness/sec-review/confirmations", `{"subject":"shop"}`)},
		"GET /api/checks/{scope}/confirmations":       {reader, 200, at("/api/checks/readiness/confirmations?subject=shop")},

		// Scorecards are owned as policies are: this one is security's.
		"GET /api/scorecards":                         {reader, 200, at("/api/scorecards")},
		"PUT /api/scorecards":                         {security, 200, with("/api/scorecards", `{"items":[{"id":"matrix-sc","owner":"security","module":"package paved.scorecards.matrix\n\nrules.owner := {\"level\": \"bronze\", \"title\": \"an owner\", \"pass\": input.facts.team != \"\"}\n"}]}`)},
		"GET /api/apps/{app}/scorecards":              {reader, 200, at("/api/apps/shop/scorecards")},
		"GET /api/apps/{app}/scorecards/{id}/history": {reader, 200, at("/api/apps/shop/scorecards/mvp/history")},

		// Orphans of the app's environment: its team's (a dry run changes
		// nothing, so that every allowed caller gets the same answer).
		"POST /api/apps/{app}/envs/{env}/resources/prune": {owner, 200, with("/api/apps/shop/envs/dev/resources/prune", `{"dry_run":true}`)},

		// The program: everyone reads it, only the platform team runs it.
		"GET /api/program":                          {reader, 200, at("/api/program")},
		"PUT /api/program":                          {admin, 200, with("/api/program", `{"golden_paths":["a service with a database"],"cohorts":[{"number":1,"name":"pioneers"}]}`)},
		"POST /api/program/cohorts/{cohort}/invite": {admin, 200, at("/api/program/cohorts/1/invite")},
		"POST /api/program/announcements":           {admin, 201, with("/api/program/announcements", `{"audience":"engineering","title":"matrix"}`)},
		"POST /api/program/iterations":              {admin, 201, with("/api/program/iterations", `{"force":true}`)},
		// Feedback: every user gives it and votes (once each); triage and
		// the roadmap's items are the platform team's.
		"GET /api/feedback":  {reader, 200, at("/api/feedback")},
		"POST /api/feedback": {reader, 201, with("/api/feedback", `{"text":"matrix"}`)},
		"POST /api/feedback/{id}/triage": {admin, 200, func(m *matrix, p string) (string, string) {
			return fmt.Sprintf("/api/feedback/%d/triage", m.feedback), `{"item":"matrix-item"}`
		}},
		"GET /api/roadmap":               {reader, 200, at("/api/roadmap")},
		"PUT /api/roadmap/{item}":        {admin, 200, with("/api/roadmap/matrix-item", `{"title":"Matrix item","status":"planned"}`)},
		"POST /api/roadmap/{item}/votes": {reader, 200, at("/api/roadmap/matrix-item/votes")},

		// Golden paths: everyone reads and renders them (rendering records
		// nothing); applying one is an admin's; a scaffold registers an app
		// of the team, so it is the team's (or an admin's).
		"GET /api/templates": {reader, 200, at("/api/templates")},
		// No files: refused as invalid after the role is checked.
		"PUT /api/templates":                    {admin, 400, with("/api/templates", `{"name":"matrix","version":"1.0.0"}`)},
		"GET /api/templates/{template}":         {reader, 200, at("/api/templates/static-site")},
		"GET /api/templates/{template}/history": {reader, 200, at("/api/templates/static-site/history")},
		"POST /api/templates/{template}/render": {reader, 200, with("/api/templates/static-site/render", `{"name":"site","team":"shop"}`)},
		"GET /api/scaffolds":                    {reader, 200, at("/api/scaffolds")},
		"POST /api/scaffolds": {owner, 201, func(m *matrix, p string) (string, string) {
			return "/api/scaffolds", fmt.Sprintf(`{"template":"static-site","name":%q,"team":"shop"}`, m.fresh("site"))
		}},
		"GET /api/settings/scaffold-time-saved": {reader, 200, at("/api/settings/scaffold-time-saved")},
		"PUT /api/settings/scaffold-time-saved": {admin, 200, with("/api/settings/scaffold-time-saved", `{"time_saved":"6h"}`)},

		"GET /api/dora":    {reader, 200, at("/api/dora?app=shop&window=30d")},
		"GET /api/catalog": {reader, 200, at("/api/catalog")},

		// Any user may produce a demo report, as any user reads what it shows.
		"GET /api/reports/{audience}": {reader, 200, at("/api/reports/engineering")},
	}
}

// matrix is a running server with the fixtures every case needs: team shop
// (dev is its developer) and team other (otherdev's), app shop with dev
// and a preview pr-1, a successful deployment, a user of every role with a
// token, and an expired and a revoked token.
type matrix struct {
	t          *testing.T
	s          *Server
	tokens     map[string]string // principal → bearer token
	deployment string
	// feedback is a feedback's id, for triage.
	feedback int64
	n        int
}

func (m *matrix) fresh(prefix string) string {
	m.n++
	return fmt.Sprintf("%s-%d", prefix, m.n)
}

// do sends a request and returns the status and body.
func (m *matrix) do(method, path, token, body string, header ...string) (int, string) {
	m.t.Helper()
	req, err := http.NewRequest(method, m.s.URL+path, strings.NewReader(body))
	if err != nil {
		m.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// must sends a request as the admin and fails unless it succeeds.
func (m *matrix) must(method, path, body string) map[string]any {
	m.t.Helper()
	status, b := m.do(method, path, m.tokens["admin"], body)
	if status >= 300 {
		m.t.Fatalf("fixture %s %s: %d %s", method, path, status, b)
	}
	var v map[string]any
	_ = json.Unmarshal([]byte(b), &v)
	return v
}

func (m *matrix) team() string {
	name := m.fresh("t")
	m.must("POST", "/api/teams", fmt.Sprintf(`{"name":%q}`, name))
	return name
}

func (m *matrix) user() string {
	name := m.fresh("u")
	m.must("POST", "/api/users", fmt.Sprintf(`{"name":%q,"role":"viewer"}`, name))
	return name
}

func (m *matrix) app() string {
	name := m.fresh("a")
	m.must("POST", "/api/apps", fmt.Sprintf(`{"name":%q,"team":"shop"}`, name))
	return name
}

func (m *matrix) env() string {
	name := m.fresh("e")
	m.must("POST", "/api/apps/shop/envs", fmt.Sprintf(`{"name":%q,"type":"development"}`, name))
	return name
}

func (m *matrix) token(user string) string {
	return m.must("POST", "/api/users/"+user+"/tokens", `{"name":"spare"}`)["id"].(string)
}

func (m *matrix) definition() string {
	id := m.fresh("d")
	m.must("PUT", "/api/definitions", fmt.Sprintf(`{"items":[{"id":%q,"type":"thing","driver":"echo"}]}`, id))
	return id
}

func (m *matrix) waiver() string {
	status, b := m.do("POST", "/api/waivers", m.tokens["dev"], `{"rule":"security/sec-limits","app":"shop","env":"dev","reason":"matrix","ttl":"1h"}`)
	if status != 201 {
		m.t.Fatalf("fixture waiver: %d %s", status, b)
	}
	var w paved.Waiver
	_ = json.Unmarshal([]byte(b), &w)
	return w.ID
}

func newMatrix(t *testing.T) *matrix {
	t.Helper()
	// The matrix fails to authenticate on purpose, far more often than a
	// client may (TestFailedLoginLimit checks that limit).
	return newMatrixOn(t, Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MVPMode: true, MaxFailedLogins: 1 << 20})
}

// newMatrixOn starts a server with cfg and makes the matrix's fixtures.
func newMatrixOn(t *testing.T, cfg Config) *matrix {
	t.Helper()
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	m := &matrix{t: t, s: s, tokens: map[string]string{"admin": s.AdminToken, "none": ""}}
	m.must("POST", "/api/teams", `{"name":"shop"}`)
	m.must("POST", "/api/teams", `{"name":"other"}`)
	users := map[string]string{
		"dev": `{"name":"dev","role":"developer","teams":["shop"]}`, "otherdev": `{"name":"otherdev","role":"developer","teams":["other"]}`,
		"viewer": `{"name":"viewer","role":"viewer"}`, "security": `{"name":"security","role":"security"}`,
		"data": `{"name":"data","role":"data"}`, "finance": `{"name":"finance","role":"finance"}`,
		"spare": `{"name":"spare","role":"viewer"}`,
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range users {
			if !yield(k) {
				return
			}
		}
	}) {
		m.must("POST", "/api/users", users[name])
		m.tokens[name] = m.must("POST", "/api/users/"+name+"/tokens", `{"name":"matrix"}`)["token"].(string)
	}
	// An expired token: issued for a second, used after.
	m.tokens["expired"] = m.must("POST", "/api/users/viewer/tokens", `{"name":"short","ttl":"1s"}`)["token"].(string)
	revoked := m.must("POST", "/api/users/viewer/tokens", `{"name":"revoked"}`)
	m.tokens["revoked"] = revoked["token"].(string)
	m.must("DELETE", "/api/users/viewer/tokens/"+revoked["id"].(string), "")

	m.must("POST", "/api/apps", `{"name":"shop","team":"shop"}`)
	m.must("POST", "/api/apps/shop/envs", `{"name":"dev","type":"development"}`)
	m.must("POST", "/api/apps/shop/envs", `{"name":"pr-1","type":"ephemeral","ttl":"1h"}`)
	m.must("PUT", "/api/checks/readiness/sec-review", `{"title":"Security review","role":"security"}`)
	m.must("PUT", "/api/checks/readiness/sec-review-portal", `{"title":"Security review (portal)","role":"security"}`)
	m.must("PUT", "/api/prices", `{"currency":"EUR","vcpu_hour":0.04,"memory_gib_hour":0.005,"storage_gib_month":0.1}`)
	m.must("PUT", "/api/definitions", `{"items":[{"id":"matrix-echo","type":"thing","driver":"echo","driver_inputs":{"values":{"a":"b"}}}]}`)
	m.feedback = int64(m.must("POST", "/api/feedback", `{"text":"matrix feedback"}`)["id"].(float64))
	m.must("PUT", "/api/roadmap/matrix-item", `{"title":"Matrix item"}`)
	m.must("PUT", "/api/checks/program.discovery/sec-approval", `{"title":"Security approves the MVP","role":"security"}`)
	d := m.must("POST", "/api/apps/shop/envs/dev/deployments", `{"specs":{"web.score.yaml":"apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: ghcr.io/acme/web:1.0}}\nresources: {cfg: {type: thing}}\n"}}`)
	m.deployment = d["id"].(string)
	m.waitDeployment(m.deployment)
	time.Sleep(time.Until(m.expiredAt()))
	return m
}

// expiredAt is when the expired token has expired: a second after the
// server issued it, with a margin.
func (m *matrix) expiredAt() time.Time {
	var list struct{ Items []paved.Token }
	_, b := m.do("GET", "/api/users/viewer/tokens", m.tokens["admin"], "")
	_ = json.Unmarshal([]byte(b), &list)
	for _, tok := range list.Items {
		if tok.Name == "short" && tok.ExpiresAt != nil {
			return tok.ExpiresAt.Add(100 * time.Millisecond)
		}
	}
	m.t.Fatal("the short-lived token is not listed")
	return time.Time{}
}

func (m *matrix) waitDeployment(id string) {
	m.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var d paved.Deployment
		_, b := m.do("GET", "/api/deployments/"+id, m.tokens["admin"], "")
		_ = json.Unmarshal([]byte(b), &d)
		switch d.Status {
		case paved.DeploymentSucceeded:
			return
		case paved.DeploymentFailed:
			m.t.Fatalf("fixture deployment %s failed: %s", id, d.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.t.Fatalf("fixture deployment %s did not finish", id)
}

// TestAuthorisationMatrix runs every API route of the route table as every
// principal and checks the status each gets; then every portal route (see
// portalCases).
func TestAuthorisationMatrix(t *testing.T) {
	m := newMatrix(t)
	cases := apiCases()
	routes := m.s.api.Routes()
	checked := 0
	for _, r := range routes {
		key := r.Method + " " + r.Path
		c, ok := cases[key]
		if !ok {
			t.Errorf("%s: no authorisation decision in the matrix; add it to apiCases (server/matrix_test.go)", key)
			continue
		}
		if (c.rule == public) != r.Public {
			t.Errorf("%s: the route table says public=%v, the matrix says %v", key, r.Public, c.rule == public)
		}
		for _, p := range principals {
			path, body := c.req(m, p)
			want := c.rule.want(p, c.allowed)
			got, b := m.do(r.Method, path, m.tokens[p], body)
			if got != want {
				t.Errorf("%s as %s: %d, want %d: %.300s", key, p, got, want, b)
			} else if msg := denialProblem(got, b); msg != "" {
				t.Errorf("%s as %s: %s", key, p, msg)
			}
			checked++
		}
		m.after(key)
	}
	for key := range cases {
		if !slices.ContainsFunc(routes, func(r api.Route) bool { return r.Method+" "+r.Path == key }) {
			t.Errorf("%s: a decision for a route the API does not have", key)
		}
	}
	t.Logf("API: %d routes × %d principals = %d requests checked", len(routes), len(principals), checked)
	checkMounts(t, m)
	// The API's rows issued dev tokens up to the most one user holds: the
	// portal's sessions are tokens too.
	m.must("DELETE", "/api/users/dev/tokens", "")
	m.after("DELETE /api/users/{user}/tokens")
	checkPortal(t, m)
}

// denialProblem says what is wrong with a refusal's body (401, 403): it
// must be the API's error object with the matching code and a message,
// and nothing else; "" when it is right or not a refusal.
func denialProblem(status int, body string) string {
	code := map[int]string{http.StatusUnauthorized: paved.EUNAUTHORIZED, http.StatusForbidden: paved.EFORBIDDEN}[status]
	if code == "" {
		return ""
	}
	var e map[string]struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || len(e) != 1 {
		return fmt.Sprintf("a %d whose body is not one error object: %.300s", status, body)
	}
	if got := e["error"]; got.Code != code || got.Message == "" {
		return fmt.Sprintf("a %d whose error is %+v, want code %q and a message", status, got, code)
	}
	return ""
}

// mountCases decide for each handler mounted outside the API's route
// table (api.Server.Mounts): who gets what.
var mountCases = map[string]struct {
	// portal: the mount is the portal, checked route by route
	// (checkPortal).
	portal bool
	// public: every principal gets 200 and a body holding want.
	public bool
	want   string
}{
	"/":            {portal: true},
	"GET /metrics": {public: true, want: "paved_deployments_total"},
}

// checkMounts: every mount has a decision, and a public one answers every
// principal.
func checkMounts(t *testing.T, m *matrix) {
	mounts := m.s.api.Mounts()
	for _, pattern := range mounts {
		c, ok := mountCases[pattern]
		if !ok {
			t.Errorf("mount %s: no authorisation decision in the matrix; add it to mountCases (server/matrix_test.go)", pattern)
			continue
		}
		if !c.public {
			continue
		}
		_, path, _ := strings.Cut(pattern, " ")
		for _, p := range principals {
			if got, b := m.do("GET", path, m.tokens[p], ""); got != http.StatusOK || !strings.Contains(b, c.want) {
				t.Errorf("mount %s as %s: %d, want 200 with %s: %.300s", pattern, p, got, c.want, b)
			}
		}
	}
	for pattern := range mountCases {
		if !slices.Contains(mounts, pattern) {
			t.Errorf("mount %s: a decision for a mount the server does not have", pattern)
		}
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// session logs p into the portal with their token and returns the session
// cookie and the CSRF token of its forms.
func (m *matrix) session(p string) (cookie, csrf string) {
	m.t.Helper()
	if p == "none" {
		return "", ""
	}
	if p == "expired" || p == "revoked" {
		// A session is a token: one that expired or was revoked is refused.
		return "paved_session=t-gone." + m.tokens[p], ""
	}
	status, b := m.do("GET", "/login", "", "")
	mm := csrfField.FindStringSubmatch(b)
	if status != 200 || mm == nil {
		m.t.Fatalf("the login form: %d", status)
	}
	req, _ := http.NewRequest("GET", m.s.URL+"/login", nil)
	resp, err := noRedirect.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loginCSRF := csrfField.FindStringSubmatch(string(body))[1]
	var loginCookie string
	for _, c := range resp.Cookies() {
		loginCookie = c.Name + "=" + c.Value
	}
	form := url.Values{"token": {m.tokens[p]}, "csrf": {loginCSRF}, "next": {"/"}}
	req, _ = http.NewRequest("POST", m.s.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", loginCookie)
	resp, err = noRedirect.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "paved_session" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		m.t.Fatalf("logging %s into the portal: %d, no session", p, resp.StatusCode)
	}
	_, home := m.do("GET", "/", "", "", "Cookie", cookie)
	if mm := csrfField.FindStringSubmatch(home); mm != nil {
		csrf = mm[1]
	}
	return cookie, csrf
}

// portalCase is the decision for one portal route. Pages need a session:
// a caller without a valid one is sent to the login form (303); a user
// the rule refuses gets the error page with 403.
type portalCase struct {
	rule    rule
	allowed int
	req     func(m *matrix, p string) (path string, form url.Values)
	// want overrides the rule for routes outside sessions (the login).
	want func(p string) int
}

func page(path string) func(*matrix, string) (string, url.Values) {
	return func(*matrix, string) (string, url.Values) { return path, nil }
}

func post(path string, form url.Values) func(*matrix, string) (string, url.Values) {
	return func(*matrix, string) (string, url.Values) { return path, form }
}

func portalCases() map[string]portalCase {
	const spec = "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: ghcr.io/acme/web:1.0}}\nresources: {cfg: {type: thing}}\n"
	everyone := func(status int) func(string) int { return func(string) int { return status } }
	return map[string]portalCase{
		"GET /assets/":     {want: everyone(200), req: page("/assets/portal.css")},
		"GET /favicon.ico": {want: everyone(301), req: page("/favicon.ico")},
		// Someone logged in already goes home.
		"GET /login": {want: func(p string) int {
			if p == "none" || p == "expired" || p == "revoked" {
				return 200
			}
			return 303
		}, req: page("/login")},
		"GET /login/{code}": {want: everyone(200), req: page("/login/not-a-code")},
		// Without the login form's cookie: refused as from another site.
		"POST /login":        {want: everyone(403), req: post("/login", url.Values{"token": {"pvd_x"}})},
		"POST /login/{code}": {want: everyone(403), req: post("/login/not-a-code", nil)},
		"POST /logout":       {rule: reader, allowed: 303, req: post("/logout", nil)},

		"GET /{$}":                   {rule: reader, allowed: 200, req: page("/")},
		"GET /apps":                  {rule: reader, allowed: 200, req: page("/apps")},
		"GET /apps/{app}":            {rule: reader, allowed: 200, req: page("/apps/shop")},
		"GET /apps/{app}/envs/{env}": {rule: reader, allowed: 200, req: page("/apps/shop/envs/dev")},
		"GET /deployments/{id}":      {rule: reader, allowed: 200, req: func(m *matrix, p string) (string, url.Values) { return "/deployments/" + m.deployment, nil }},
		"GET /deployments/{id}/events": {rule: reader, allowed: 200, req: func(m *matrix, p string) (string, url.Values) {
			return "/deployments/" + m.deployment + "/events?after=1000000", nil
		}},
		"GET /deploy":                    {rule: reader, allowed: 200, req: page("/deploy?app=shop&env=dev")},
		"GET /types":                     {rule: reader, allowed: 200, req: page("/types?app=shop&env=dev")},
		"GET /platform":                  {rule: reader, allowed: 200, req: page("/platform")},
		"GET /platform/definitions":      {rule: reader, allowed: 200, req: page("/platform/definitions")},
		"GET /platform/definitions/{id}": {rule: reader, allowed: 200, req: page("/platform/definitions/matrix-echo")},
		"GET /platform/targets":          {rule: reader, allowed: 200, req: page("/platform/targets")},
		"GET /platform/teams":            {rule: reader, allowed: 200, req: page("/platform/teams")},
		"GET /platform/users":            {rule: reader, allowed: 200, req: page("/platform/users")},
		// Everyone sees the user; only an admin or dev sees dev's tokens.
		"GET /platform/users/{user}": {rule: reader, allowed: 200, req: page("/platform/users/dev")},
		"GET /audit":                 {rule: reader, allowed: 200, req: page("/audit")},
		"GET /platform/policies":     {rule: reader, allowed: 200, req: page("/platform/policies")},
		"GET /platform/costs":        {rule: reader, allowed: 200, req: page("/platform/costs")},
		"GET /apps/{app}/readiness":  {rule: reader, allowed: 200, req: page("/apps/shop/readiness")},
		"GET /apps/{app}/scorecards": {rule: reader, allowed: 200, req: page("/apps/shop/scorecards")},
		"/":                          {rule: reader, allowed: 404, req: page("/nowhere")},

		"POST /apps/{app}/envs/{env}/delete": {rule: owner, allowed: 303, req: func(m *matrix, p string) (string, url.Values) {
			e := m.env()
			return "/apps/shop/envs/" + e + "/delete", url.Values{"confirm": {e}}
		}},
		"POST /apps/{app}/envs/{env}/promote": {rule: owner, allowed: 303, req: func(m *matrix, p string) (string, url.Values) {
			return "/apps/shop/envs/dev/promote", url.Values{"to": {m.env()}}
		}},
		"POST /apps/{app}/envs/{env}/preview": {rule: owner, allowed: 303, req: func(m *matrix, p string) (string, url.Values) {
			return "/apps/shop/envs/dev/preview", url.Values{"name": {m.fresh("pr")}, "ttl": {"1h"}}
		}},
		"POST /apps/{app}/envs/{env}/reveal": {rule: owner, allowed: 200, req: post("/apps/shop/envs/dev/reveal", url.Values{"uid": {"thing.default#web.cfg"}})},
		"POST /deployments/{id}/rollback": {rule: owner, allowed: 303, req: func(m *matrix, p string) (string, url.Values) {
			return "/deployments/" + m.deployment + "/rollback", nil
		}},
		"POST /deploy": {rule: owner, allowed: 303, req: post("/deploy", url.Values{"app": {"shop"}, "env": {"dev"}, "name": {"web.score.yaml"}, "spec": {spec}, "confirm": {"deploy"}})},
		"POST /platform/waivers/{id}": {rule: security, allowed: 303, req: func(m *matrix, p string) (string, url.Values) {
			return "/platform/waivers/" + m.waiver(), url.Values{"decision": {"approve"}}
		}},
		"POST /apps/{app}/signoffs":            {rule: signoff, allowed: 303, req: post("/apps/shop/signoffs", nil)},
		"POST /apps/{app}/checks/{id}/confirm": {rule: confirmer, allowed: 303, req: post("/apps/shop/checks/sec-review-portal/confirm", nil)},
		"POST /apps/{app}/envs/{env}/prune":    {rule: owner, allowed: 303, req: post("/apps/shop/envs/dev/prune", url.Values{"confirm": {"dev"}})},
		// Golden paths: everyone sees the form and may download a rendering
		// (it records nothing); scaffolding registers an app of the team.
		"GET /new": {rule: reader, allowed: 200, req: page("/new?template=static-site")},
		"POST /new": {rule: owner, allowed: 201, req: func(m *matrix, p string) (string, url.Values) {
			return "/new", url.Values{"template": {"static-site"}, "name": {m.fresh("site")}, "team": {"shop"}}
		}},
		"POST /new/download": {rule: reader, allowed: 200, req: post("/new/download", url.Values{"template": {"static-site"}, "name": {"site"}, "team": {"shop"}})},

		// The program, DORA, feedback and the roadmap: everyone reads them,
		// gives feedback and votes; a program check is confirmed by its
		// role only (security here), for the current iteration; triage and
		// an item's status are an admin's.
		"GET /program":         {rule: reader, allowed: 200, req: page("/program")},
		"GET /program/cohorts": {rule: reader, allowed: 200, req: page("/program/cohorts")},
		"POST /program/checks/{phase}/{id}/confirm": {rule: confirmer, allowed: 303, req: func(m *matrix, p string) (string, url.Values) {
			it := m.must("GET", "/api/program", "")["program"].(map[string]any)["iteration"].(float64)
			return "/program/checks/discovery/sec-approval/confirm", url.Values{"iteration": {fmt.Sprint(it)}}
		}},
		"GET /dora":      {rule: reader, allowed: 200, req: page("/dora?app=shop&window=30d")},
		"GET /feedback":  {rule: reader, allowed: 200, req: page("/feedback")},
		"POST /feedback": {rule: reader, allowed: 303, req: post("/feedback", url.Values{"text": {"from the portal"}})},
		"POST /feedback/{id}/triage": {rule: admin, allowed: 303, req: func(m *matrix, p string) (string, url.Values) {
			return fmt.Sprintf("/feedback/%d/triage", m.feedback), url.Values{"item": {"matrix-item"}}
		}},
		"POST /roadmap/{item}/vote": {rule: reader, allowed: 303, req: post("/roadmap/matrix-item/vote", nil)},
		"POST /roadmap/{item}":      {rule: admin, allowed: 303, req: post("/roadmap/matrix-item", url.Values{"status": {"in_progress"}})},
	}
}

// checkPortal runs every portal route of its route table as every
// principal, logged in with a session made from their token.
func checkPortal(t *testing.T, m *matrix) {
	cases := portalCases()
	routes := m.s.portal.Routes()
	sessions := map[string][2]string{}
	for _, p := range principals {
		c, csrf := m.session(p)
		sessions[p] = [2]string{c, csrf}
	}
	checked := 0
	for _, pattern := range routes {
		c, ok := cases[pattern]
		if !ok {
			t.Errorf("portal %s: no authorisation decision in the matrix; add it to portalCases (server/matrix_test.go)", pattern)
			continue
		}
		method := "GET"
		if m, _, ok := strings.Cut(pattern, " "); ok && m == "POST" {
			method = "POST"
		}
		for _, p := range principals {
			path, form := c.req(m, p)
			want := http.StatusSeeOther // to the login form
			switch {
			case c.want != nil:
				want = c.want(p)
			case p != "none" && p != "expired" && p != "revoked":
				want = c.rule.want(p, c.allowed)
			}
			var body string
			session := sessions[p]
			if pattern == "POST /logout" {
				// Logging out ends the session: one of its own.
				c, csrf := m.session(p)
				session = [2]string{c, csrf}
			}
			header := []string{"Cookie", session[0]}
			if method == "POST" {
				if form == nil {
					form = url.Values{}
				}
				form.Set("csrf", session[1])
				body = form.Encode()
				header = append(header, "Content-Type", "application/x-www-form-urlencoded")
			}
			got, b := m.do(method, path, "", body, header...)
			if got != want {
				t.Errorf("portal %s as %s: %d, want %d: %.300s", pattern, p, got, want, pageProblem(b))
			}
			checked++
		}
	}
	for key := range cases {
		if !slices.Contains(routes, key) {
			t.Errorf("portal %s: a decision for a route the portal does not have", key)
		}
	}
	t.Logf("portal: %d routes × %d principals = %d requests checked", len(routes), len(principals), checked)
}

// pageProblem is the part of a page that says what went wrong.
func pageProblem(b string) string {
	if i := strings.Index(b, "<main"); i >= 0 {
		b = b[i:]
	}
	return regexp.MustCompile(`\s+`).ReplaceAllString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(b, " "), " ")
}
