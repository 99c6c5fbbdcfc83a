package retry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"
)

var errPassing = errors.New("passing")

func isPassing(err error) bool { return errors.Is(err, errPassing) }

func TestDo(t *testing.T) {
	t.Parallel()
	fast := Policy{Attempts: 4, Delay: time.Millisecond, MaxDelay: 4 * time.Millisecond}
	tests := []struct {
		name      string
		fails     int // op fails this many times, then succeeds
		err       error
		wantCalls int
		wantErr   bool
	}{
		{"succeeds at once", 0, errPassing, 1, false},
		{"succeeds on the third try", 2, errPassing, 3, false},
		{"gives up after the attempts", 10, errPassing, 4, true},
		{"does not retry a permanent error", 10, errors.New("bad password"), 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := Do(context.Background(), fast, isPassing, func(context.Context) error {
				calls++
				if calls <= tt.fails {
					return tt.err
				}
				return nil
			})
			if got, want := calls, tt.wantCalls; got != want {
				t.Errorf("calls = %d, want %d", got, want)
			}
			if got, want := err != nil, tt.wantErr; got != want {
				t.Errorf("err = %v, want error %v", err, want)
			}
		})
	}
}

func TestDoRespectsBudgetAndContext(t *testing.T) {
	t.Parallel()
	t.Run("budget", func(t *testing.T) {
		t.Parallel()
		p := Policy{Attempts: 100, Delay: 20 * time.Millisecond, MaxDelay: 20 * time.Millisecond, Budget: 100 * time.Millisecond}
		start := time.Now()
		calls := 0
		err := Do(context.Background(), p, isPassing, func(context.Context) error { calls++; return errPassing })
		if !errors.Is(err, errPassing) {
			t.Fatalf("err = %v, want the op's error", err)
		}
		if elapsed := time.Since(start); elapsed > 300*time.Millisecond {
			t.Errorf("took %v, want the 100ms budget respected", elapsed)
		}
		if calls < 2 || calls > 6 {
			t.Errorf("calls = %d, want a few", calls)
		}
	})
	t.Run("context", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		p := Policy{Attempts: 10, Delay: time.Second}
		start := time.Now()
		err := Do(ctx, p, isPassing, func(context.Context) error { return errPassing })
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errPassing) {
			t.Errorf("err = %v, want both the op's error and the deadline", err)
		}
		if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
			t.Errorf("took %v, want to stop at the context's deadline", elapsed)
		}
	})
}

func TestDefaultStaysUnderTenSeconds(t *testing.T) {
	t.Parallel()
	p := Default()
	// Worst case: every try times out after a 2 s connect timeout.
	total := time.Duration(p.Attempts) * 2 * time.Second
	d := p.Delay
	for range p.Attempts - 1 {
		total += d + d/5
		d = min(d*2, p.MaxDelay)
	}
	if total >= 10*time.Second {
		t.Errorf("worst case %v, want under 10s", total)
	}
}

func TestNetwork(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("password authentication failed"), false},
		{fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{context.DeadlineExceeded, true},
		{context.Canceled, false},
	}
	for _, tt := range tests {
		if got := Network(tt.err); got != tt.want {
			t.Errorf("Network(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
