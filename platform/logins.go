package platform

import (
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"paved.dev/paved"
)

// loginCapacity is how many addresses, and apart how many networks, the
// limiter counts at once: a flood of addresses must not exhaust memory
// (an entry is about 150 bytes: the two tables hold at most about 20 MB).
const loginCapacity = 1 << 16

// networkFactor: a network (IPv4 /24, IPv6 /48) may fail networkFactor
// times as often as one address before it is refused as a whole, so that
// one holder of many addresses (a /48 holds 65,536 /64s) cannot multiply
// its guesses, and neighbours are refused only by a flood from their own
// network.
const networkFactor = 16

// sweepEvery bounds how often a full table is searched for expired
// entries: a flood of new addresses does not make each failure scan it.
const sweepEvery = time.Second

// loginLimiter refuses every authentication of a client address that
// failed max times within a window, until that window (which starts at
// its first failure) has passed: guessing tokens (from a script, or the
// portal's login form) is slowed to max guesses a window. It is per
// server: behind a load balancer that hides clients' addresses, the
// balancer is the client.
//
// A failure counts against its address (addressKey: an IPv6 host by its
// /64) and against its network (networkKey: IPv4 /24, IPv6 /48), which
// is refused once it failed networkFactor times max within a window.
// Entries leave only when their window has passed, so cycling through
// addresses never lifts a count. When a table is full (more than 65,536
// addresses, or networks, failing within a window), a new key is not
// counted in it, and the server says so in its log once a window.
type loginLimiter struct {
	mu       sync.Mutex
	max      int
	window   time.Duration
	capacity int
	log      *slog.Logger
	// addrs counts by address; nets by network.
	addrs, nets map[string]*loginCount
	swept       time.Time
	// uncounted failures since the last warning, at warned.
	uncounted int
	warned    time.Time
}

// loginCount is the failures of an address or network in the window that
// began at since.
type loginCount struct {
	n     int
	since time.Time
}

func newLoginLimiter(max int, window time.Duration, log *slog.Logger) *loginLimiter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &loginLimiter{max: max, window: window, capacity: loginCapacity, log: log,
		addrs: map[string]*loginCount{}, nets: map[string]*loginCount{}}
}

// live returns c when its window has not passed at now.
func (l *loginLimiter) live(c *loginCount, now time.Time) *loginCount {
	if c == nil || now.Sub(c.since) >= l.window {
		return nil
	}
	return c
}

// check returns ETOOMANY when client may not try now.
func (l *loginLimiter) check(client string, now time.Time) error {
	if client == "" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.live(l.addrs[addressKey(client)], now); c != nil {
		if c.n < l.max {
			return nil
		}
		return paved.Errorf(paved.ETOOMANY, "too many failed logins from %s (%d within %v); try again in %v", client, c.n, l.window, l.wait(c, now))
	}
	network := networkKey(client)
	if c := l.live(l.nets[network], now); c != nil && c.n >= l.max*networkFactor {
		return paved.Errorf(paved.ETOOMANY, "too many failed logins from the network %s (%d within %v, from its addresses together); try again in %v",
			network, c.n, l.window, l.wait(c, now))
	}
	return nil
}

func (l *loginLimiter) wait(c *loginCount, now time.Time) time.Duration {
	return c.since.Add(l.window).Sub(now).Round(time.Second) + time.Second
}

// fail records a failed authentication of client.
func (l *loginLimiter) fail(client string, now time.Time) {
	if client == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.count(l.addrs, addressKey(client), now)
	n := l.count(l.nets, networkKey(client), now)
	if a && n {
		return
	}
	l.uncounted++
	if now.Sub(l.warned) >= l.window {
		l.log.Warn("failed logins not counted in full: the login limiter counts as many addresses and networks as it can hold, all failing within the window",
			"uncounted", l.uncounted, "capacity", l.capacity, "window", l.window)
		l.uncounted, l.warned = 0, now
	}
}

// count adds a failure of key to table; false when the table has no room
// for a key it does not hold. Called with mu held.
func (l *loginLimiter) count(table map[string]*loginCount, key string, now time.Time) bool {
	if c := l.live(table[key], now); c != nil {
		c.n++
		return true
	}
	if _, held := table[key]; !held && len(table) >= l.capacity {
		l.sweep(now)
		if len(table) >= l.capacity {
			return false
		}
	}
	table[key] = &loginCount{n: 1, since: now}
	return true
}

// sweep forgets the entries whose window has passed, in both tables, at
// most once every sweepEvery. Called with mu held.
func (l *loginLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < sweepEvery {
		return
	}
	l.swept = now
	for _, table := range []map[string]*loginCount{l.addrs, l.nets} {
		for k, c := range table {
			if l.live(c, now) == nil {
				delete(table, k)
			}
		}
	}
}

// addressKey is what one client is counted as: an IPv4 address, an IPv6
// address by its /64 (one host commonly holds a whole /64, so counting
// each address apart would let it guess without limit). An IPv4 address
// mapped into IPv6 is the IPv4 address.
func addressKey(client string) string { return prefixKey(client, 32, 64) }

// networkKey is the network a client is counted with too: IPv4 /24,
// IPv6 /48.
func networkKey(client string) string { return prefixKey(client, 24, 48) }

func prefixKey(client string, v4, v6 int) string {
	a, err := netip.ParseAddr(client)
	if err != nil {
		return client // not an address: itself
	}
	a = a.Unmap().WithZone("")
	bits := v6
	if a.Is4() {
		bits = v4
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return client
	}
	if bits == a.BitLen() {
		return p.Addr().String()
	}
	return p.String()
}
