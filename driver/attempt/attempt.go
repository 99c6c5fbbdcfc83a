// Package attempt runs the calls of paved's server drivers (PostgreSQL,
// MySQL, Redis, RabbitMQ) to their server: again on passing failures under
// paved's retry policy, each retry logged without secrets, and the last
// failure handed to the driver to explain in terms a platform engineer can
// act on.
package attempt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/driver/retry"
)

// Runner runs a driver's calls. It is safe for concurrent use.
type Runner struct {
	logger    *slog.Logger
	policy    retry.Policy
	transient func(error) bool
}

// NewRunner returns a runner with retry.Default that tries again on the
// failures transient accepts and logs retries to logger (nil for none).
func NewRunner(logger *slog.Logger, transient func(error) bool) Runner {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return Runner{logger: logger, policy: retry.Default(), transient: transient}
}

// Call is one call of a driver to its server.
type Call struct {
	// Where names the server in retry messages: "postgres at 127.0.0.1:5432".
	Where string
	// Log is the request's log, or nil.
	Log func(string)
	// Secrets are kept out of every message.
	Secrets []string
	// Explain turns the last failure, when it is not already a
	// *paved.Error, into one.
	Explain func(Failure) error
}

// Failure is the last failure of a call.
type Failure struct {
	Err   error
	Cause string // Err's message without the secrets
	Tries int
}

// Errorf returns a *paved.Error with code and the message that wraps f.Err.
func (f Failure) Errorf(code, format string, args ...any) error {
	e := paved.Errorf(code, format, args...)
	e.Err = f.Err
	return e
}

// Do runs fn until it succeeds, fails for good, the policy is spent or ctx
// is done, and logs each retry to the runner's logger and to c.Log. It
// returns nil, a *paved.Error from fn as it is, or c.Explain's error.
func (r Runner) Do(ctx context.Context, c Call, fn func(context.Context) error) error {
	p := r.policy
	p.OnRetry = func(attempt int, err error, wait time.Duration) {
		msg := fmt.Sprintf("%s: try %d failed: %s; trying again in %s", c.Where, attempt, redact(err, c.Secrets), wait.Round(time.Millisecond))
		r.logger.Warn(msg)
		if c.Log != nil {
			c.Log(msg)
		}
	}
	tries := 0
	err := retry.Do(ctx, p, r.transient, func(ctx context.Context) error {
		tries++
		return fn(ctx)
	})
	var pe *paved.Error
	if err == nil || errors.As(err, &pe) {
		return err
	}
	return c.Explain(Failure{Err: err, Cause: redact(err, c.Secrets), Tries: tries})
}

// redact returns err's message without the secrets.
func redact(err error, secrets []string) string {
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return msg
}
