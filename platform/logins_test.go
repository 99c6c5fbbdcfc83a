package platform

import (
	"context"
	"fmt"
	"log/slog"
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

// TestLoginLimiterFlood: a flood of addresses cannot lift a count (an
// entry leaves only when its window has passed) nor lock out clients of
// other networks; a network's addresses together are refused at
// networkFactor times the limit (one holder of a /48 cannot multiply its
// guesses by its /64s); full tables count no new keys and the log says
// so; memory stays bounded.
func TestLoginLimiterFlood(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	var logged strings.Builder
	l := newLoginLimiter(3, time.Minute, slog.New(slog.NewTextHandler(&logged, nil)))
	l.capacity = 50
	at := now
	fail := func(addr string, times int) {
		for range times {
			at = at.Add(time.Millisecond)
			l.fail(addr, at)
		}
	}
	fail("10.0.0.1", 3)
	// 16 addresses of one /24, and 16 /64s of one /48, each failing 3
	// times: 48 failures per network, networkFactor × 3.
	for i := range 16 {
		fail(fmt.Sprintf("192.168.5.%d", i), 3)
		fail(fmt.Sprintf("2001:db8:1:%x::1", i), 3)
	}
	// Then a flood: 400 addresses of 100 networks, failing once each, a
	// millisecond apart (the full tables are swept more than once).
	for i := range 400 {
		fail(fmt.Sprintf("172.16.%d.%d", i/4, i%4), 1)
	}
	for _, c := range []struct {
		addr, why string
		refused   bool
	}{
		{"10.0.0.1", "it failed 3 times: a flood does not lift its count", true},
		{"192.168.5.99", "it never failed, but its /24 failed 48 times", true},
		{"2001:db8:1:ff::1", "a new /64 of a /48 that failed 48 times", true},
		{"2001:db8:2::1", "another /48", false},
		{"192.168.6.1", "another /24", false},
		{"10.9.9.9", "it never failed: a flood does not lock it out", false},
		{"172.16.99.3", "the flood found the tables full: not counted", false},
	} {
		if got := l.check(c.addr, at) != nil; got != c.refused {
			t.Errorf("%s: refused %v, want %v (%s)", c.addr, got, c.refused, c.why)
		}
	}
	if err := l.check("192.168.5.99", at); err == nil || !strings.Contains(err.Error(), "from the network 192.168.5.0/24 (48 within 1m0s") {
		t.Errorf("a refused network: %v", err)
	}
	if len(l.addrs) > 50 || len(l.nets) > 50 {
		t.Errorf("the tables hold %d and %d entries, more than 50", len(l.addrs), len(l.nets))
	}
	if !strings.Contains(logged.String(), "failed logins not counted") {
		t.Errorf("uncounted failures are not logged: %q", logged.String())
	}
	// Once the window has passed, the tables empty and count again.
	later := now.Add(time.Minute + time.Second)
	if l.check("10.0.0.1", later) != nil || l.check("192.168.5.99", later) != nil {
		t.Error("refused after the window")
	}
	for range 3 {
		l.fail("172.16.99.3", later)
	}
	if l.check("172.16.99.3", later) == nil {
		t.Error("after the window, a new address is counted again")
	}
}

// TestLoginLimiterKeys: an IPv6 host is counted by its /64, an IPv4
// address mapped into IPv6 as itself, and the network of a full table is
// an IPv4 /24 or IPv6 /48.
func TestLoginLimiterKeys(t *testing.T) {
	for _, c := range []struct{ in, addr, network string }{
		{"10.0.0.9", "10.0.0.9", "10.0.0.0/24"},
		{"::ffff:10.0.0.9", "10.0.0.9", "10.0.0.0/24"},
		{"2001:db8:1:2::77", "2001:db8:1:2::/64", "2001:db8:1::/48"},
		{"2001:db8:1:2:ffff::9", "2001:db8:1:2::/64", "2001:db8:1::/48"},
		{"fe80::1%eth0", "fe80::/64", "fe80::/48"},
		{"not-an-address", "not-an-address", "not-an-address"},
	} {
		if got := addressKey(c.in); got != c.addr {
			t.Errorf("addressKey(%s) = %s, want %s", c.in, got, c.addr)
		}
		if got := networkKey(c.in); got != c.network {
			t.Errorf("networkKey(%s) = %s, want %s", c.in, got, c.network)
		}
	}
}
