package platform

import (
	"sync"
	"time"

	"paved.dev/paved"
)

// maxLoginClients bounds the addresses the limiter remembers: beyond it,
// those whose failures are all older than the window are forgotten first,
// then everything (a flood of addresses must not exhaust memory).
const maxLoginClients = 10000

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
}

func newLoginLimiter(max int, window time.Duration) *loginLimiter {
	return &loginLimiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// check returns ETOOMANY when client may not try now.
func (l *loginLimiter) check(client string, now time.Time) error {
	if client == "" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.recent(client, now)
	if len(f) < l.max {
		return nil
	}
	wait := f[0].Add(l.window).Sub(now)
	return paved.Errorf(paved.ETOOMANY, "too many failed logins from %s (%d within %v); try again in %v", client, len(f), l.window, wait.Round(time.Second)+time.Second)
}

// fail records a failed authentication of client.
func (l *loginLimiter) fail(client string, now time.Time) {
	if client == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.fails[client]; !ok && len(l.fails) >= maxLoginClients {
		for c := range l.fails {
			if len(l.recent(c, now)) == 0 {
				delete(l.fails, c)
			}
		}
		if len(l.fails) >= maxLoginClients {
			clear(l.fails)
		}
	}
	l.fails[client] = append(l.recent(client, now), now)
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
