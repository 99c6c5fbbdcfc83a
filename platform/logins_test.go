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
// entry leaves only when its window has passed) nor lock out clients that
// did not fail; when the address table is full, new addresses are counted
// by network; when both tables are full, failures are not counted and the
// log says so; memory stays bounded.
func TestLoginLimiterFlood(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	var logged strings.Builder
	l := newLoginLimiter(3, time.Minute, slog.New(slog.NewTextHandler(&logged, nil)))
	l.capacity = 50
	for range 3 {
		l.fail("10.0.0.1", now)
	}
	if l.check("10.0.0.1", now) == nil {
		t.Fatal("10.0.0.1 failed 3 times and is not refused")
	}
	// 49 other addresses fill the address table; then 3 failures from
	// each of 400 more addresses, 4 to a /24 (100 networks): they fill the
	// network table; the rest are not counted. A millisecond apart, so
	// that the full tables are swept more than once.
	at := now
	for i := range 49 {
		at = at.Add(time.Millisecond)
		l.fail(fmt.Sprintf("172.16.0.%d", i), at)
	}
	for i := range 400 {
		for range 3 {
			at = at.Add(time.Millisecond)
			l.fail(fmt.Sprintf("192.168.%d.%d", i/4, i%4), at)
		}
	}
	for _, c := range []struct {
		addr, why string
		refused   bool
	}{
		{"10.0.0.1", "it failed 3 times: a flood does not lift its count", true},
		{"172.16.0.7", "it failed once, in the address table", false},
		{"192.168.3.1", "its /24 failed 12 times, counted together", true},
		{"192.168.3.200", "its /24 failed: counted with it", true},
		{"192.168.77.1", "its /24 found no room: not counted", false},
		{"10.9.9.9", "it never failed: a flood does not lock it out", false},
		{"2001:db8::1", "it never failed", false},
	} {
		if got := l.check(c.addr, at) != nil; got != c.refused {
			t.Errorf("%s: refused %v, want %v (%s)", c.addr, got, c.refused, c.why)
		}
	}
	if err := l.check("192.168.3.1", at); err == nil || !strings.Contains(err.Error(), "from the network 192.168.3.0/24") {
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
	if l.check("10.0.0.1", later) != nil {
		t.Error("10.0.0.1 is refused after its window")
	}
	for range 3 {
		l.fail("192.168.77.1", later)
	}
	if l.check("192.168.77.1", later) == nil {
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
