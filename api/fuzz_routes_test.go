package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"paved.dev/paved"
)

// readNoBody are the body routes (POST) that read no body: an action on
// what the path names. Any body they are sent is ignored, so a malformed
// one is not refused.
var readNoBody = map[string]bool{
	"POST /api/users/{user}/tokens/{id}/rotate": true,
	"POST /api/deployments/{id}/rollback":       true,
	"POST /api/apps/{app}/envs/{env}/rollback":  true,
	"POST /api/targets/{name}/probe":            true,
	"POST /api/apps/{app}/signoffs":             true,
	"POST /api/program/cohorts/{cohort}/invite": true,
	"POST /api/roadmap/{item}/votes":            true,
	"POST /api/waivers/{id}/approve":            true,
	"POST /api/waivers/{id}/reject":             true,
}

// TestFuzzReachesEveryBodyRoute: FuzzDecodeRequest sends its bodies to
// every POST, PUT and PATCH route of the route table, each at a path the
// route serves (every parameter filled), and each is served: neither
// "unavailable" (a service the fuzz server does not wire) nor refused for
// its path before its body is read (a malformed body gets the decoder's
// "body: ..." 400). A route added later fails here until the fuzz server
// reaches it.
func TestFuzzReachesEveryBodyRoute(t *testing.T) {
	p := fuzzPlatform(t)
	s := fuzzServer(p)
	fuzzed := map[string]fuzzRoute{}
	for _, r := range bodyRoutes(s) {
		fuzzed[r.pattern] = r
	}
	seeds := routeSeeds(t)
	for _, r := range s.Routes() {
		if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
			continue
		}
		pattern := r.Method + " " + r.Path
		t.Run(pattern, func(t *testing.T) {
			fr, ok := fuzzed[pattern]
			if !ok {
				t.Fatal("not among the fuzz target's routes (bodyRoutes)")
			}
			if strings.ContainsAny(fr.path, "{}") {
				t.Fatalf("the fuzz target sends it to %s: a path parameter is not filled; add it to pathValues", fr.path)
			}
			req := httptest.NewRequest(fr.method, fr.path, nil)
			if _, got := s.mux.Handler(req); got != pattern {
				t.Fatalf("the fuzz target's path %s is served by %q, not this route", fr.path, got)
			}
			for _, body := range append([]string{`{}`}, seeds[fr.method+" "+fr.path]...) {
				code, rec := send(fuzzServer(p), fr, []byte(body))
				if errorCode(rec) == paved.EUNAVAILABLE {
					t.Fatalf("with %s: %s: the fuzz server does not wire its service (fuzzServer)", body, rec.Body)
				}
				if err := checkAnswer(code, rec); err != "" {
					t.Fatalf("with %s: %s", body, err)
				}
			}
			code, rec := send(fuzzServer(p), fr, []byte(`{"`))
			decoded := code == http.StatusBadRequest && strings.HasPrefix(errorMessage(rec), "body: ")
			switch {
			case readNoBody[pattern] && decoded:
				t.Errorf("it reads its body now: take it out of readNoBody")
			case !readNoBody[pattern] && !decoded:
				t.Errorf("a malformed body is not refused by the decoder but answered %d %s: the route refuses its path before reading the body (fill the parameter with a value it takes: pathValues, byRoute), or it reads no body (readNoBody)", code, rec.Body)
			}
		})
	}
	for pattern := range readNoBody {
		if _, ok := fuzzed[pattern]; !ok {
			t.Errorf("readNoBody names %s, which is not a route", pattern)
		}
	}
}

func errorCode(rec *httptest.ResponseRecorder) string {
	var e errorResponse
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	return e.Error.Code
}

func errorMessage(rec *httptest.ResponseRecorder) string {
	var e errorResponse
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	return e.Error.Message
}
