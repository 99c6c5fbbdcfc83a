package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"paved.dev/paved"
)

// storeError returns err as the store reports it:
//
//   - EUNAVAILABLE naming the database and why, paved.ErrStoreUnavailable
//     joined, when it says the database could not be reached or went away
//     (refused, cut, shut down, crashed, starting up, out of connections or
//     other resources, read-only after a failover): "try again once it is
//     back"; but for a change (write) whose answer was lost after it may
//     have been sent (a COMMIT, a statement on its own; unsent), that it
//     may have been done, and to check before trying again, since a retry
//     could do it twice;
//   - EUNAVAILABLE, paved.ErrStoreUnavailable joined, "try again" when the
//     database undid it for a concurrent one (a deadlock, a serialization
//     failure): nothing of it was done. Never ECONFLICT, which callers read
//     as a final answer (a compare and swap lost, a lease lost); the pool
//     runs such a change again first (againOnConflict);
//   - err as it is otherwise: what the caller ended (its context cancelled
//     or past its deadline), a misconfiguration (TLS, a certificate, a
//     host name that does not exist, authentication), a protocol violation
//     (a bug) and every other error, which the server logs as internal.
//
// The cause stays in the chain (errors.Is, errors.As); the message names
// no host.
func storeError(ctx context.Context, err error, write bool) error {
	if err == nil || paved.ErrorCode(err) != paved.EINTERNAL {
		return err
	}
	// The caller's doing. A deadline that passed while the caller's
	// context is alive is pgx's own (connect_timeout): the database did
	// not answer.
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return err
	}
	f := classify(err)
	switch {
	case f.kind == "":
		return err
	case f.undone:
		return &paved.Error{Code: paved.EUNAVAILABLE, Err: errors.Join(paved.ErrStoreUnavailable, err),
			Message: fmt.Sprintf("the PostgreSQL database undid it for a concurrent change (%s); nothing was changed: try again", f.why)}
	case write && !f.notDone && !unsent(err):
		return &paved.Error{Code: paved.EUNAVAILABLE, Err: errors.Join(paved.ErrStoreUnavailable, errUnconfirmed, err),
			Message: fmt.Sprintf("the PostgreSQL database went away before confirming the change (%s): it may have been done; once the database is back, check (list or get what was changed) before trying again", f.why)}
	}
	return &paved.Error{Code: paved.EUNAVAILABLE, Err: errors.Join(paved.ErrStoreUnavailable, err),
		Message: fmt.Sprintf("the PostgreSQL database is unavailable (%s): try again once it is back", f.why)}
}

// unsent says whether pgx guarantees that a change never reached the
// database (pgconn.SafeToRetry). Not when the connection was found closed:
// pgx (5.12) reports an answer lost after a simple-protocol statement was
// sent (a COMMIT, an Exec without arguments) as "conn closed", which
// claims to be safe to retry.
func unsent(err error) bool {
	return pgconn.SafeToRetry(err) && !errors.Is(err, pgconn.ErrConnClosed)
}

// errUnconfirmed marks a change whose answer was lost after it was sent.
var errUnconfirmed = errors.New("the change was sent, its answer lost")

// fault is what classify found.
type fault struct {
	kind    string // paved.EUNAVAILABLE, or "" for none of the store's faults
	why     string // for the message
	notDone bool   // nothing of it was done: it failed while connecting, or the database refused it
	undone  bool   // the database undid it for a concurrent one (a deadlock, a serialization failure)
}

// classify says what kind of fault err is.
func classify(err error) fault {
	var ce *pgconn.ConnectError
	connecting := errors.As(err, &ce)
	prefix := ""
	if connecting {
		prefix = "could not connect: "
	}
	lost := func(why string) fault { return fault{kind: paved.EUNAVAILABLE, why: prefix + why, notDone: connecting} }
	// refused is a statement the database answered with an error: it
	// was not done.
	refused := func(why string) fault { return fault{kind: paved.EUNAVAILABLE, why: prefix + why, notDone: true} }
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		why := pe.Message + " (SQLSTATE " + pe.Code + ")"
		switch {
		case pe.Code == "08P01":
			// A protocol violation is a bug, not an outage.
			return fault{}
		case strings.HasPrefix(pe.Code, "08"), pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03":
			// A connection exception; a server shutting down (fast,
			// immediate: a crash) or unable to take connections yet
			// (starting up, in recovery).
			return lost(why)
		case strings.HasPrefix(pe.Code, "53"):
			// Insufficient resources: too many connections (53300),
			// the disk full, out of memory.
			return refused(why)
		case pe.Code == "25006":
			// A read-only transaction: the server is a standby (after a
			// failover, until it is promoted).
			return refused(why + ", the server is read-only")
		case pe.Code == "40001", pe.Code == "40P01":
			return fault{kind: paved.EUNAVAILABLE, why: "deadlock or serialization failure: " + why, notDone: true, undone: true}
		}
		// Authentication, a database that does not exist, a constraint:
		// not an outage.
		return fault{}
	}
	var errno syscall.Errno
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" && op.Net == "unix" && errors.Is(err, syscall.ENOENT) {
		// A unix socket's file exists while its server runs.
		return lost("no server listens on its socket")
	}
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
			syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN, syscall.ETIMEDOUT:
			return lost(errno.Error())
		}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsTimeout || dns.IsTemporary {
			return lost("its host name could not be resolved now")
		}
		// A name that does not exist is a misconfiguration.
		return fault{}
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return lost("it timed out")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, net.ErrClosed):
		return lost("the connection was closed")
	}
	// Anything else, in a connection attempt too (TLS, a certificate, an
	// AfterConnect hook), is not an outage.
	return fault{}
}

// abortedForConflict says whether err is a statement or transaction the
// database undid for a concurrent one (storeError made it EUNAVAILABLE,
// nothing done).
func abortedForConflict(err error) bool {
	var pe *pgconn.PgError
	return paved.ErrorCode(err) == paved.EUNAVAILABLE && errors.Is(err, paved.ErrStoreUnavailable) &&
		!errors.Is(err, errUnconfirmed) && errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// keptUndoing is the error of a change the database undid for concurrent
// ones every time it was run (err, of the last run): still EUNAVAILABLE,
// nothing changed, saying so.
func keptUndoing(err error, runs int) error {
	var pe *pgconn.PgError
	errors.As(err, &pe)
	return &paved.Error{Code: paved.EUNAVAILABLE, Err: err, Message: fmt.Sprintf(
		"the PostgreSQL database kept undoing it for concurrent changes (deadlock or serialization failure, %d runs, the last: %s (SQLSTATE %s)); nothing was changed: try again",
		runs, pe.Message, pe.Code)}
}
