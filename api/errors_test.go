package api

import (
	"context"
	"testing"

	"paved.dev/paved"
)

// TestStatusMapping checks that codes and statuses map both ways.
func TestStatusMapping(t *testing.T) {
	tests := []struct {
		code   string
		status int
	}{
		{paved.EINVALID, 400},
		{paved.EUNAUTHORIZED, 401},
		{paved.EFORBIDDEN, 403},
		{paved.ENOTFOUND, 404},
		{paved.ECONFLICT, 409},
		{paved.EINTERNAL, 500},
		{paved.EUNAVAILABLE, 503},
	}
	for _, tt := range tests {
		if got := StatusCode(tt.code); got != tt.status {
			t.Errorf("StatusCode(%q) = %d, want %d", tt.code, got, tt.status)
		}
		if got := CodeFromStatus(tt.status); got != tt.code {
			t.Errorf("CodeFromStatus(%d) = %q, want %q", tt.status, got, tt.code)
		}
	}
	for status, want := range map[int]string{405: paved.EINVALID, 413: paved.EINVALID, 429: paved.ETOOMANY, 502: paved.EUNAVAILABLE, 504: paved.EUNAVAILABLE, 501: paved.EINTERNAL} {
		if got := CodeFromStatus(status); got != want {
			t.Errorf("CodeFromStatus(%d) = %q, want %q", status, got, want)
		}
	}
	if got := StatusCode("teapot"); got != 500 {
		t.Errorf("StatusCode of an unknown code = %d, want 500", got)
	}
}

func TestClientBaseURL(t *testing.T) {
	h := newHarness(t, nil)
	for _, base := range []string{h.srv.URL, h.srv.URL + "/", h.srv.URL + "//"} {
		if _, err := NewClient(base, "admin-token").ListApps(context.Background()); err != nil {
			t.Errorf("base %q: %v", base, err)
		}
	}
}
