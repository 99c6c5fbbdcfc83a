package attempt

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

var errPassing = errors.New("connection refused by s3cret-host")

func fast(r Runner) Runner {
	r.policy.Delay, r.policy.MaxDelay = time.Millisecond, time.Millisecond
	return r
}

func TestDoRetriesLogsAndExplains(t *testing.T) {
	t.Parallel()
	r := fast(NewRunner(nil, func(err error) bool { return errors.Is(err, errPassing) }))
	var logs []string
	var got Failure
	calls := 0
	err := r.Do(context.Background(), Call{
		Where:   "db at h:1",
		Log:     func(msg string) { logs = append(logs, msg) },
		Secrets: []string{"", "s3cret"},
		Explain: func(f Failure) error {
			got = f
			return f.Errorf(paved.EUNAVAILABLE, "db at h:1 is unavailable after %d tries: %s", f.Tries, f.Cause)
		},
	}, func(context.Context) error {
		calls++
		return errPassing
	})
	if calls != 4 || got.Tries != 4 || len(logs) != 3 {
		t.Errorf("calls %d, tries %d, %d retries logged; want 4, 4, 3", calls, got.Tries, len(logs))
	}
	if want := "db at h:1: try 1 failed: connection refused by [redacted]-host; trying again in "; len(logs) == 0 || !strings.HasPrefix(logs[0], want) {
		t.Errorf("logs = %q, want the first to start with %q", logs, want)
	}
	if paved.ErrorCode(err) != paved.EUNAVAILABLE || !errors.Is(err, errPassing) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v, want unavailable, wrapping the cause, without the secret", err)
	}
}

func TestDoKeepsSuccessAndPavedErrors(t *testing.T) {
	t.Parallel()
	r := fast(NewRunner(nil, func(err error) bool { return errors.Is(err, errPassing) }))
	explain := func(Failure) error { t.Error("Explain called"); return nil }
	if err := r.Do(context.Background(), Call{Explain: explain}, func(context.Context) error { return nil }); err != nil {
		t.Errorf("success = %v", err)
	}
	forbidden := paved.Errorf(paved.EFORBIDDEN, "not an administrator")
	calls := 0
	err := r.Do(context.Background(), Call{Explain: explain}, func(context.Context) error { calls++; return forbidden })
	if err != forbidden {
		t.Errorf("err = %v, want the *paved.Error as it is", err)
	}
	if calls != 1 {
		t.Errorf("calls = %d, want 1", calls)
	}
}
