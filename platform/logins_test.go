package platform

import (
	"context"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestFailedLoginsAreLimited: an address that failed MaxFailedLogins times
// within the window is refused (429), even with a valid token, until the
// window has passed; other addresses are not; a success does not count.
func TestFailedLoginsAreLimited(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxFailedLogins, c.FailedLoginWindow = 3, time.Minute })
	good, err := f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana", Name: "ci"})
	must(t, err)
	from := func(addr string) context.Context { return paved.WithClient(context.Background(), addr) }
	for range 5 {
		if _, err := f.p.Authenticate(from("10.0.0.1"), good.Secret); err != nil {
			t.Fatalf("a valid token: %v", err)
		}
	}
	for i := range 3 {
		if _, err := f.p.Authenticate(from("10.0.0.1"), "pvd_guess"); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
			t.Fatalf("guess %d: %v, want unauthorized", i+1, err)
		}
	}
	_, err = f.p.Authenticate(from("10.0.0.1"), good.Secret)
	if paved.ErrorCode(err) != paved.ETOOMANY || !strings.Contains(err.Error(), "too many failed logins from 10.0.0.1 (3 within 1m0s); try again in") {
		t.Fatalf("the attempt just over the limit: %v, want too many", err)
	}
	if _, err := f.p.Authenticate(from("10.0.0.2"), good.Secret); err != nil {
		t.Errorf("another address: %v", err)
	}
	f.clock.Add(time.Minute)
	if _, err := f.p.Authenticate(from("10.0.0.1"), good.Secret); err != nil {
		t.Errorf("after the window: %v", err)
	}
}
