package api

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestPageSizeLimit: a list answers up to MaxPageSize items a page; a limit
// just over it is refused, saying how to page.
func TestPageSizeLimit(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		path       string
		wantStatus int
	}{
		{"/api/deployments?limit=1000", 200},
		{"/api/deployments?limit=1001", 400},
		{"/api/apps/shop/deployments?limit=1001", 400},
		{"/api/audit?limit=1000", 200},
		{"/api/audit?limit=1001", 400},
	}
	for _, tt := range tests {
		status, _, body := h.raw(t, "GET", tt.path, "admin-token", "")
		if status != tt.wantStatus {
			t.Errorf("GET %s: %d %s, want %d", tt.path, status, body, tt.wantStatus)
		}
		if status == 400 && errorOf(t, body).Message != "limit: 1001 is more than a page holds (at most 1000); ask for the next page with before=" {
			t.Errorf("GET %s: %s", tt.path, body)
		}
	}
}

// slowTeams answers ListTeams after delay, or when the request's context
// ends.
type slowTeams struct {
	*fake
	delay time.Duration
}

func (s slowTeams) ListTeams(ctx context.Context) ([]paved.Team, error) {
	select {
	case <-time.After(s.delay):
		return s.fake.ListTeams(ctx)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestRequestDeadline: a request whose work takes just over the server's
// request timeout is stopped and answered 503, naming the limit; one just
// under it is answered.
func TestRequestDeadline(t *testing.T) {
	const limit = 100 * time.Millisecond
	for _, tt := range []struct {
		delay      time.Duration
		wantStatus int
	}{{limit + 50*time.Millisecond, 503}, {limit / 4, 200}} {
		f := newFake()
		s := NewServer(Config{Services: Services{Teams: slowTeams{f, tt.delay}}, Authenticate: authenticate,
			Logger: slog.New(slog.DiscardHandler), RequestTimeout: limit})
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api/teams", nil)
		req.Header.Set("Authorization", "Bearer admin-token")
		start := time.Now()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != tt.wantStatus {
			t.Errorf("work of %v: %d %s, want %d", tt.delay, rec.Code, rec.Body, tt.wantStatus)
		}
		if tt.wantStatus == 503 {
			if !strings.Contains(rec.Body.String(), "the request took longer than the limit of 100ms") {
				t.Errorf("work of %v: %s", tt.delay, rec.Body)
			}
			if d := time.Since(start); d > limit+40*time.Millisecond {
				t.Errorf("answered after %v: the work was not stopped at the limit", d)
			}
		}
	}
}
