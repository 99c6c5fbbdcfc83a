package platform

import (
	"context"
	"errors"
	"fmt"
	"time"

	"paved.dev/paved"
)

// storeAttempts is how many times a write the runner must not lose (a
// result, the bookkeeping after an apply) is tried while the store fails:
// about 2 s in all, longer than a database restart takes.
const storeAttempts = 5

// storeRetried runs f, a step on the store, again while the store answers
// that it is unavailable (EUNAVAILABLE: the database restarts, or the
// connection to it was cut), backing off, up to storeAttempts times or
// until ctx ends. f must be safe to run again.
func storeRetried(ctx context.Context, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if paved.ErrorCode(err) != paved.EUNAVAILABLE || attempt == storeAttempts {
			return err
		}
		if !storeBackoff(ctx, attempt) {
			return err
		}
	}
}

// storeBackoff waits before attempt+1 of a store call (200 ms more each
// time: about 2 s over storeAttempts); false when ctx ended first.
func storeBackoff(ctx context.Context, attempt int) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		return true
	}
}

// errNotRecorded marks the failure of a deployment that the target took
// whole, in the bookkeeping after it: the target holds it, but the store
// will record it as failed, so the environment is brought back to its last
// successful deployment (run).
var errNotRecorded = errors.New("applied, but not recorded")

func notRecorded(err error) error {
	return &paved.Error{Code: paved.ErrorCode(err), Err: errors.Join(errNotRecorded, err), Message: fmt.Sprintf(
		"it was applied, but recording what it did failed: %s; the environment is brought back to its last successful deployment: deploy again", paved.ErrorMessage(err))}
}
