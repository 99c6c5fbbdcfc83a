package kubernetes

import (
	"errors"
	"fmt"
	"sync"

	"paved.dev/paved"
)

// parallel calls fn(0..n-1) with at most limit calls at once and returns
// their errors by index.
func parallel(n, limit int, fn func(i int) error) []error {
	errs := make([]error, n)
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return errs
}

// combine returns nil, the one error, or one paved.Error listing them all
// with the code of the first, so that every failed object is reported at once.
func combine(errs []error) error {
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	switch len(failed) {
	case 0:
		return nil
	case 1:
		return failed[0]
	}
	msg := fmt.Sprintf("%d objects failed:", len(failed))
	for _, err := range failed {
		msg += "\n- " + paved.ErrorMessage(err)
	}
	return &paved.Error{Code: paved.ErrorCode(failed[0]), Message: msg, Err: errors.Join(failed...)}
}

// syncLog serializes calls to a request's log function, which the parallel
// appliers share, and tolerates a nil one.
type syncLog struct {
	mu sync.Mutex
	fn func(string)
}

func (l *syncLog) printf(format string, args ...any) {
	if l == nil || l.fn == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fn(msg)
}
