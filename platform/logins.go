package platform

import (
	"net/netip"
	"sync"
	"time"

	"paved.dev/paved"
)

// maxLoginClients bounds the addresses the limiter remembers (a flood of
// addresses must not exhaust memory). When it is reached, those whose
// failures are all older than the window are forgotten, then those not
// refused yet; an address that is refused is never forgotten before its
// window passed, so cycling through addresses cannot lift a limit. When
// every remembered address is refused, new ones share one count
// (overflowClient) until room is made.
const maxLoginClients = 10000

// overflowClient is the count new addresses share when the limiter is
// full of refused ones.
const overflowClient = "(addresses beyond the limiter's memory)"

// sweepEvery bounds how often a full limiter looks for room: a flood of
// new addresses does not make each failure scan the table.
const sweepEvery = time.Second

// loginLimiter refuses every authentication of a client address that
// failed max times within window, until the oldest of those failures is
// window old: guessing tokens (from a script, or the portal's login form)
// is slowed to max guesses a window. It is per server: behind a load
// balancer that hides clients' addresses, the balancer is the client.
type loginLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
	swept  time.Time
}

func newLoginLimiter(max int, window time.Duration) *loginLimiter {
	return &loginLimiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// check returns ETOOMANY when client may not try now.
func (l *loginLimiter) check(client string, now time.Time) error {
	if client == "" {
		return nil
	}
	client = clientKey(client)
	l.mu.Lock()
	defer l.mu.Unlock()
	key := client
	if _, ok := l.fails[key]; !ok && len(l.fails) >= maxLoginClients {
		key = overflowClient
	}
	f := l.recent(key, now)
	if len(f) < l.max {
		return nil
	}
	wait := f[0].Add(l.window).Sub(now)
	if key == overflowClient {
		return paved.Errorf(paved.ETOOMANY, "too many failed logins from %s and %d other addresses, more than the server remembers apart (%d within %v); try again in %v", client, maxLoginClients, len(f), l.window, wait.Round(time.Second)+time.Second)
	}
	return paved.Errorf(paved.ETOOMANY, "too many failed logins from %s (%d within %v); try again in %v", client, len(f), l.window, wait.Round(time.Second)+time.Second)
}

// fail records a failed authentication of client.
func (l *loginLimiter) fail(client string, now time.Time) {
	if client == "" {
		return
	}
	client = clientKey(client)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.fails[client]; !ok && len(l.fails) >= maxLoginClients {
		l.makeRoom(now)
		if len(l.fails) >= maxLoginClients {
			client = overflowClient
		}
	}
	l.fails[client] = append(l.recent(client, now), now)
}

// makeRoom forgets the addresses without a failure in the window, then
// those not refused, at most once every sweepEvery. Called with mu held.
func (l *loginLimiter) makeRoom(now time.Time) {
	if now.Sub(l.swept) < sweepEvery {
		return
	}
	l.swept = now
	for c := range l.fails {
		if c != overflowClient && len(l.recent(c, now)) == 0 {
			delete(l.fails, c)
		}
	}
	for c, f := range l.fails {
		if len(l.fails) < maxLoginClients {
			return
		}
		if c != overflowClient && len(f) < l.max {
			delete(l.fails, c)
		}
	}
}

// clientKey is the address an attempt is counted against: an IPv6 address
// by its /64 (one host commonly holds a whole /64, so counting each address
// apart would let it guess without limit).
func clientKey(client string) string {
	a, err := netip.ParseAddr(client)
	if err != nil || !a.Is6() || a.Is4In6() {
		return client
	}
	p, err := a.Prefix(64)
	if err != nil {
		return client
	}
	return p.String()
}

// recent drops client's failures older than the window and returns the
// rest, oldest first. Called with mu held.
func (l *loginLimiter) recent(client string, now time.Time) []time.Time {
	f := l.fails[client]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= l.window {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.fails, client)
		return nil
	}
	l.fails[client] = f
	return f
}
