package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestUnavailableWarnsOncePerSecond: while every request is answered 503
// (the store is down), the server warns at most once a second, saying how
// many it left out since; every request still has its line in the request
// log, at info for those beyond the first each second.
func TestUnavailableWarnsOncePerSecond(t *testing.T) {
	h := newHarness(t, nil)
	var mu sync.Mutex
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h.server.unavailable.now, h.server.unavailableRequests.now, h.server.unavailableStore.now = clock, clock, clock
	get := func(n int) {
		t.Helper()
		for range n {
			// The harness serves no templates: 503.
			if status, _, body := h.raw(t, "GET", "/api/templates", "admin-token", ""); status != http.StatusServiceUnavailable {
				t.Fatalf("GET /api/templates: %d %s, want 503", status, body)
			}
		}
	}
	count := func(level, msg string) int {
		n := 0
		for _, line := range strings.Split(h.logs.String(), "\n") {
			if strings.Contains(line, "level="+level) && strings.Contains(line, "msg="+msg) && strings.Contains(line, "/api/templates") {
				n++
			}
		}
		return n
	}
	get(50)
	if n := count("WARN", "unavailable"); n != 1 {
		t.Errorf("50 answers 503 within a second: %d warnings, want 1", n)
	}
	if warn, info := count("WARN", "request"), count("INFO", "request"); warn != 1 || info != 49 {
		t.Errorf("request log: %d lines at warn, %d at info; want 1 and 49", warn, info)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	get(1)
	if n := count("WARN", "unavailable"); n != 2 || !strings.Contains(h.logs.String(), "more_since_last=49") {
		t.Errorf("a second later: %d warnings, want 2, the second saying 49 more were left out:\n%s", n, h.logs.String())
	}
}

// TestStoreOutageDoesNotHideOther503s: paved's own store out of reach
// and another cause of 503 are limited apart: a flood of the one leaves
// the other's first warning in the log.
func TestStoreOutageDoesNotHideOther503s(t *testing.T) {
	h := newHarness(t, nil)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	h.server.unavailable.now, h.server.unavailableStore.now = clock, clock
	store := errors.Join(paved.Errorf(paved.EUNAVAILABLE, "the PostgreSQL database is unavailable"), paved.ErrStoreUnavailable)
	target := paved.Errorf(paved.EUNAVAILABLE, "cluster c1 cannot be reached")
	for range 20 {
		h.server.writeError(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/apps", nil), store)
	}
	h.server.writeError(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/targets", nil), target)
	logs := h.logs.String()
	if n := strings.Count(logs, "level=WARN msg=unavailable"); n != 2 {
		t.Errorf("%d warnings, want 2 (one per cause):\n%s", n, logs)
	}
	if !strings.Contains(logs, "cluster c1 cannot be reached") {
		t.Errorf("the target's 503 is hidden by the store's:\n%s", logs)
	}
}
