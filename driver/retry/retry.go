// Package retry runs an operation again when it fails for a passing reason (a
// refused connection, a timeout, a server that is full or starting), a bounded
// number of times with exponential backoff, and never past its context.
package retry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"
)

// Policy bounds the retries of one operation.
type Policy struct {
	// Attempts is the number of tries in all, at least 1.
	Attempts int
	// Delay is the wait before the second try; it doubles for each next try
	// up to MaxDelay, with up to 20% random jitter added.
	Delay    time.Duration
	MaxDelay time.Duration
	// Budget is how long after the first try a new try may still start; a
	// wait that would end past it is not taken. Zero means no budget.
	Budget time.Duration
	// OnRetry, if set, is told of each failed try that will be tried again.
	OnRetry func(attempt int, err error, wait time.Duration)
}

// Default is the policy of paved's drivers: 4 tries with under 1.7 s of
// waiting, so that with a connect timeout of 2 s a failing operation gives up
// in under 10 s.
func Default() Policy {
	return Policy{Attempts: 4, Delay: 200 * time.Millisecond, MaxDelay: 2 * time.Second, Budget: 7 * time.Second}
}

// Do calls op until it succeeds, returns an error for which transient is
// false, the policy is spent or ctx is done. It returns op's last error, or
// ctx's error if ctx ended while waiting.
func Do(ctx context.Context, p Policy, transient func(error) bool, op func(ctx context.Context) error) error {
	attempts := max(p.Attempts, 1)
	start := time.Now()
	delay := p.Delay
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil || attempt >= attempts || !transient(err) || ctx.Err() != nil {
			return err
		}
		wait := delay
		if wait > 0 {
			wait += rand.N(wait/5 + 1)
		}
		if p.Budget > 0 && time.Since(start)+wait > p.Budget {
			return err
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, err, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		delay *= 2
		if p.MaxDelay > 0 && delay > p.MaxDelay {
			delay = p.MaxDelay
		}
	}
}

// Network reports whether err is a network failure that may pass: a refused,
// reset or aborted connection, an unreachable host or network, a timeout, or a
// connection closed in the middle of a reply.
func Network(err error) bool {
	if err == nil {
		return false
	}
	for _, errno := range []syscall.Errno{
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED,
		syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.EPIPE, syscall.ETIMEDOUT,
	} {
		if errors.Is(err, errno) {
			return true
		}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && (dnsErr.IsTemporary || dnsErr.IsTimeout) {
		return true
	}
	return false
}
