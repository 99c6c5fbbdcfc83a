package platform

import (
	"context"
	"fmt"
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

// TestLoginLimiterFlood: a flood of addresses cannot lift a limit (a
// refused address is never forgotten before its window passed), memory
// stays bounded, and an IPv6 host is counted by its /64.
func TestLoginLimiterFlood(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	l := newLoginLimiter(3, time.Minute)
	for range 3 {
		l.fail("10.0.0.1", now)
	}
	if l.check("10.0.0.1", now) == nil {
		t.Fatal("10.0.0.1 failed 3 times and is not refused")
	}
	// Twice as many other addresses as the limiter remembers, each failing
	// once, a millisecond apart (so that it sweeps more than once).
	for i := range 2 * maxLoginClients {
		l.fail(fmt.Sprintf("192.168.%d.%d", i/256, i%256), now.Add(time.Duration(i)*time.Millisecond))
	}
	later := now.Add(time.Duration(2*maxLoginClients) * time.Millisecond)
	if err := l.check("10.0.0.1", later); paved.ErrorCode(err) != paved.ETOOMANY {
		t.Errorf("after a flood of addresses, the refused one may try again: %v", err)
	}
	if n := len(l.fails); n > maxLoginClients+1 {
		t.Errorf("the limiter remembers %d addresses, more than %d and the shared count", n, maxLoginClients)
	}
	if after := now.Add(time.Minute); l.check("10.0.0.1", after) != nil {
		t.Errorf("the refused address is still refused once its window passed")
	}

	// Full of refused addresses: new ones share one count.
	l = newLoginLimiter(1, time.Minute)
	for i := range maxLoginClients {
		l.fail(fmt.Sprintf("10.1.%d.%d", i/256, i%256), now)
	}
	l.fail("172.16.0.1", now.Add(2*time.Second))
	err := l.check("172.16.0.2", now.Add(2*time.Second))
	if paved.ErrorCode(err) != paved.ETOOMANY || !strings.Contains(err.Error(), "more than the server remembers apart") {
		t.Errorf("a new address when the limiter is full of refused ones: %v", err)
	}
	if l.check("10.1.0.1", now.Add(time.Minute)) != nil {
		t.Errorf("a refused address is refused past its window")
	}

	// IPv6: one /64 is one client; IPv4 and other /64s are apart.
	l = newLoginLimiter(2, time.Minute)
	l.fail("2001:db8:1:2::1", now)
	l.fail("2001:db8:1:2:ffff::9", now)
	for _, c := range []struct {
		addr    string
		refused bool
	}{
		{"2001:db8:1:2::77", true},
		{"2001:db8:1:3::1", false},
		{"10.0.0.9", false},
		{"::ffff:10.0.0.9", false},
	} {
		if got := l.check(c.addr, now) != nil; got != c.refused {
			t.Errorf("%s: refused %v, want %v", c.addr, got, c.refused)
		}
	}
}
