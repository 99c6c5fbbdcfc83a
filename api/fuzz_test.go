package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"paved.dev/paved/score/scoretest"
)

// bodyRoutes are the API routes that read a request body, with their path
// parameters filled in.
func bodyRoutes(s *Server) []route {
	fill := strings.NewReplacer("{scope}", "readiness", "{app}", "shop", "{env}", "dev", "{team}", "shop", "{user}", "bob", "{id}", "d1", "{name}", "gitops", "{uid}", "x")
	var out []route
	for _, r := range s.routes {
		if r.method != http.MethodPost && r.method != http.MethodPut && r.method != http.MethodPatch {
			continue
		}
		rt := route{method: r.method, path: fill.Replace(r.path)}
		// Routes of a service the fake does not implement answer 503
		// whatever the body: nothing to decode.
		req := httptest.NewRequest(rt.method, rt.path, strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer admin-token")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code == http.StatusServiceUnavailable {
			continue
		}
		out = append(out, rt)
	}
	return out
}

// fuzzServer is a server over a fresh fake, so that no run sees another's
// writes.
func fuzzServer() *Server {
	f := newFake()
	return NewServer(Config{
		Services: Services{Teams: f, Users: f, Apps: f, Environments: f, Definitions: f, Deployments: f, Policies: f, Prices: f, Waivers: f,
			Readiness: f, Settings: f, Resources: f, Audit: f, Targets: f},
		Authenticate: authenticate,
		Logger:       slog.New(slog.DiscardHandler),
	})
}

// FuzzDecodeRequest sends any body to any API route that reads one, as an
// admin: the answer is never a 5xx, always JSON, and a refusal is an error
// object with a code and a message.
func FuzzDecodeRequest(f *testing.F) {
	routes := bodyRoutes(fuzzServer())
	for i := range routes {
		for _, b := range []string{`{}`, `{"name":"x"}`, `[1]`, `{"name":5}`, `{"ttl":"two days"}`, `{"specs":{"a.yaml":"x"}} {}`, `{"items":[{"id":"a","criteria":[{}]}]}`, "\xff"} {
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
		s := fuzzServer()
		r := routes[int(which)%len(routes)]
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer admin-token")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", r.method, r.path, body, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %s: Content-Type %q", r.method, r.path, ct)
		}
		var v any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %s: the answer is not JSON: %v\n%s", r.method, r.path, err, rec.Body)
		}
		if rec.Code >= 400 {
			e, _ := v.(map[string]any)["error"].(map[string]any)
			if e["code"] == "" || e["message"] == "" || e["code"] == nil || e["message"] == nil {
				t.Fatalf("%s %s: an error without code or message: %s", r.method, r.path, rec.Body)
			}
		}
	})
}
