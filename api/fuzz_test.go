package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"paved.dev/paved/platform"
	"paved.dev/paved/policy"
	"paved.dev/paved/scaffold"
	"paved.dev/paved/score/scoretest"
)

// pathValues fill the path parameters of the fuzzed routes with what the
// fake and the fuzz platform hold; byRoute overrides them where a route
// wants another (a feedback id is a number).
var (
	pathValues = strings.NewReplacer("{scope}", "readiness", "{app}", "shop", "{env}", "dev", "{team}", "shop", "{user}", "bob", "{id}", "d1",
		"{name}", "gitops", "{uid}", "x", "{cohort}", "1", "{item}", "faster-deploys", "{template}", "go-service")
	byRoute = map[string]string{
		"POST /api/feedback/{id}/triage": "/api/feedback/1/triage",
	}
)

// fuzzRoute is a route the fuzz target sends bodies to: its pattern, and
// the method and path it sends them with.
type fuzzRoute struct {
	pattern, method, path string
}

// bodyRoutes are the API routes that may read a request body (POST, PUT,
// PATCH), every one of them, with their path parameters filled in.
// TestFuzzReachesEveryBodyRoute checks that each is served.
func bodyRoutes(s *Server) []fuzzRoute {
	var out []fuzzRoute
	for _, r := range s.routes {
		if r.method != http.MethodPost && r.method != http.MethodPut && r.method != http.MethodPatch {
			continue
		}
		pattern := r.method + " " + r.path
		p, ok := byRoute[pattern]
		if !ok {
			p = pathValues.Replace(r.path)
		}
		out = append(out, fuzzRoute{pattern: pattern, method: r.method, path: p})
	}
	return out
}

// fuzzServer is a server over a fresh fake, so that no run sees another's
// writes to what it serves, and over p for the services the fake does not
// implement (fuzzPlatform): every service is wired, none answers
// "unavailable". FuzzDecodeRequest's p is shared by up to
// fuzzPlatformInputs inputs (fuzzPlatforms).
func fuzzServer(p *platform.Platform) *Server {
	f := newFake()
	return NewServer(Config{
		Services: Services{Teams: f, Users: f, Apps: f, Environments: f, Definitions: f, Deployments: f, Policies: f, Prices: f, Waivers: f,
			Readiness: f, Settings: f, Resources: f, Audit: f, Targets: f, DORA: f, Catalog: f,
			Checks: p, Program: p, Feedback: p, Templates: p, Scaffolds: p, Scorecards: p, Reports: p, Backup: p},
		Authenticate: authenticate,
		Logger:       slog.New(slog.DiscardHandler),
	})
}

// FuzzDecodeRequest sends any body to any API route that reads one, as an
// admin: the answer is never a 5xx, always JSON, and a refusal is an error
// object with a code and a message.
func FuzzDecodeRequest(f *testing.F) {
	platforms := newFuzzPlatforms(f)
	routes := bodyRoutes(fuzzServer(platforms.next(f)))
	seeds := routeSeeds(f)
	for i, r := range routes {
		for _, b := range []string{`{}`, `{"name":"x"}`, `[1]`, `{"name":5}`, `{"ttl":"two days"}`, `{"specs":{"a.yaml":"x"}} {}`, `{"items":[{"id":"a","criteria":[{}]}]}`, "\xff", ""} {
			f.Add(uint8(i), []byte(b))
		}
		for _, b := range seeds[r.method+" "+r.path] {
			f.Add(uint8(i), []byte(b))
		}
	}
	deploy := -1
	for i, r := range routes {
		if r.path == "/api/apps/shop/envs/dev/deployments" {
			deploy = i
		}
	}
	for _, spec := range scoretest.Contents(f) {
		b, _ := json.Marshal(map[string]any{"specs": map[string]string{"workload.score.yaml": string(spec)}})
		f.Add(uint8(deploy), b)
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		r := routes[int(which)%len(routes)]
		code, answer := send(fuzzServer(platforms.next(t)), r, body)
		if err := checkAnswer(code, answer); err != "" {
			t.Fatalf("%s %s with %q: %s", r.method, r.path, body, err)
		}
	})
}

// send sends body to r as the admin.
func send(s *Server, r fuzzRoute, body []byte) (int, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(r.method, r.path, strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer admin-token")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec.Code, rec
}

// checkAnswer says what is wrong with an answer: a 5xx, not JSON, an
// error without a code or message; "" when nothing is.
func checkAnswer(code int, rec *httptest.ResponseRecorder) string {
	if code >= 500 {
		return "answered " + http.StatusText(code) + ": " + rec.Body.String()
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		return "Content-Type " + ct
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		return "the answer is not JSON: " + err.Error() + "\n" + rec.Body.String()
	}
	if code >= 400 {
		m, _ := v.(map[string]any)
		e, _ := m["error"].(map[string]any)
		if c, _ := e["code"].(string); c == "" {
			return "an error without a code: " + rec.Body.String()
		}
		if msg, _ := e["message"].(string); msg == "" {
			return "an error without a message: " + rec.Body.String()
		}
	}
	return ""
}

// routeSeeds are bodies each route accepts, by route pattern, so that the
// fuzzer starts from requests that go through to the service.
func routeSeeds(tb testing.TB) map[string][]string {
	tb.Helper()
	builtins, err := scaffold.Builtins()
	if err != nil {
		tb.Fatal(err)
	}
	t := builtins[0]
	t.Name, t.Digest, t.BuiltIn = "fuzz-service", "", false
	tpl, err := json.Marshal(t)
	if err != nil {
		tb.Fatal(err)
	}
	scorecards, err := json.Marshal(ScorecardsRequest{Items: policy.BuiltinScorecards()})
	if err != nil {
		tb.Fatal(err)
	}
	render := `{"template":"go-service","name":"new-service","team":"shop","params":{}}`
	return map[string][]string{
		"PUT /api/checks/readiness/d1":                {`{"title":"a runbook exists","how":"link it from the README","role":"security"}`},
		"POST /api/checks/readiness/d1/confirmations": {`{"subject":"shop"}`},
		"PUT /api/program":                            {`{"objectives":[{"id":"daily","title":"deploy daily","metric":"deployment_frequency","target":1}],"golden_paths":["deploy a service with a database to dev"],"representative_app":"shop","cohorts":[{"number":1,"name":"pioneers","priority":1}],"next_cohort":1}`},
		"POST /api/program/announcements":             {`{"audience":"cohort 1","title":"paved is open"}`},
		"POST /api/program/iterations":                {`{"force":true}`},
		"POST /api/feedback":                          {`{"text":"deploys are slow","source":"cli"}`},
		"POST /api/feedback/1/triage":                 {`{"item":"faster-deploys"}`},
		"PUT /api/roadmap/faster-deploys":             {`{"title":"faster deploys","status":"planned"}`},
		"PUT /api/templates":                          {string(tpl)},
		"POST /api/templates/go-service/render":       {render},
		"POST /api/scaffolds":                         {render},
		"PUT /api/settings/scaffold-time-saved":       {`{"time_saved":"4h"}`},
		"PUT /api/scorecards":                         {string(scorecards)},
	}
}
