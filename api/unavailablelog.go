package api

import (
	"sync"
	"time"
)

// unavailableEvery is how often, at most, the server logs that it answered
// 503: while its store is down every request is one, and one warning per
// request would drown the log.
const unavailableEvery = time.Second

// limitedLog lets a line through at most once every period and counts the
// ones it held back meanwhile.
type limitedLog struct {
	period time.Duration
	now    func() time.Time

	mu       sync.Mutex
	last     time.Time
	withheld int
}

// allow reports whether a line may be written now and, if so, how many
// were held back since the last one.
func (l *limitedLog) allow() (ok bool, withheld int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.last.IsZero() && now.Sub(l.last) < l.period {
		l.withheld++
		return false, 0
	}
	l.last, withheld, l.withheld = now, l.withheld, 0
	return true, withheld
}
