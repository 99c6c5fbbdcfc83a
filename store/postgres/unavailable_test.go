package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"paved.dev/paved"
)

// Messages storeError gives, for the table below.
const (
	tryAgain    = "PostgreSQL database is unavailable"
	maybeDone   = "went away before confirming the change"
	conflicting = "undid it for a concurrent change"
)

// TestStoreError: errors that say the database is out of reach (refused,
// cut, shutting down, crashed, starting up, out of connections, read-only
// after a failover) become EUNAVAILABLE naming the database and why,
// paved.ErrStoreUnavailable and the cause kept in the chain; a change
// whose answer was lost says it may have been done; a deadlock or a
// serialization failure is EUNAVAILABLE too, saying nothing was changed
// (never ECONFLICT, a final answer to its callers); what the caller ended, a
// protocol violation and every other error are left as they are.
func TestStoreError(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	cut := fmt.Errorf("failed to receive message: %w", io.ErrUnexpectedEOF)
	shutdown := &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}
	for _, tc := range []struct {
		name  string
		err   error
		write bool
		want  string // the message's kind (tryAgain, maybeDone, conflicting), "" to be left alone
		why   string
	}{
		{"fast shutdown", shutdown, false, tryAgain, "terminating connection due to administrator command (SQLSTATE 57P01)"},
		{"fast shutdown, a change", shutdown, true, maybeDone, "(SQLSTATE 57P01)"},
		{"crash", &pgconn.PgError{Severity: "FATAL", Code: "57P02", Message: "terminating connection because of crash of another server process"}, false, tryAgain, "because of crash"},
		{"starting up, wrapped", fmt.Errorf("postgres: heartbeat: %w", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}), false, tryAgain, "the database system is starting up"},
		{"connection exception", &pgconn.PgError{Code: "08006", Message: "connection failure"}, false, tryAgain, "connection failure"},
		{"too many connections", &pgconn.PgError{Code: "53300", Message: "sorry, too many clients already"}, false, tryAgain, "too many clients"},
		// The database refused the change: it was not done.
		{"disk full", &pgconn.PgError{Code: "53100", Message: "could not extend file"}, true, tryAgain, "(SQLSTATE 53100)"},
		{"read-only after a failover", &pgconn.PgError{Code: "25006", Message: "cannot execute INSERT in a read-only transaction"}, true, tryAgain, "read-only"},
		{"deadlock", fmt.Errorf("postgres: finish: %w", &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}), true, conflicting, "deadlock detected (SQLSTATE 40P01)"},
		{"serialization failure", &pgconn.PgError{Code: "40001", Message: "could not serialize access due to concurrent update"}, true, conflicting, "could not serialize"},
		{"refused", fmt.Errorf("dial error: %w", refused), false, tryAgain, "connection refused"},
		{"no server on the socket", fmt.Errorf("dial error: %w", &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.ENOENT)}), false, tryAgain, "no server listens on its socket"},
		{"a file that does not exist", fmt.Errorf("open: %w", os.ErrNotExist), false, "", ""},
		{"reset", fmt.Errorf("failed to receive message: %w", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), false, tryAgain, "connection reset by peer"},
		{"cut", cut, false, tryAgain, "the connection was closed"},
		{"cut after a change was sent", cut, true, maybeDone, "the connection was closed"},
		{"closed", pgconn.ErrConnClosed, false, tryAgain, "the connection was closed"},
		{"protocol violation", &pgconn.PgError{Code: "08P01", Message: "invalid frontend message type"}, false, "", ""},
		{"authentication", &pgconn.PgError{Code: "28P01", Message: "password authentication failed"}, false, "", ""},
		{"unique violation", &pgconn.PgError{Code: "23505", Message: "duplicate key value"}, true, "", ""},
		{"a host that does not exist", &net.DNSError{Err: "no such host", Name: "db.example", IsNotFound: true}, false, "", ""},
		{"no rows", pgx.ErrNoRows, false, "", ""},
		{"not found", paved.Errorf(paved.ENOTFOUND, "app %q not found", "shop"), false, "", ""},
		{"already unavailable", paved.Errorf(paved.EUNAVAILABLE, "the store is at schema 3"), false, "", ""},
		{"cancelled", context.Canceled, false, "", ""},
		{"cancelled, wrapped", fmt.Errorf("failed to connect: %w", context.Canceled), true, "", ""},
		{"a bug", errors.New("scan: wrong type"), false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkStoreError(t, storeError(context.Background(), tc.err, tc.write), tc.err, tc.want, tc.why)
		})
	}
	if storeError(context.Background(), nil, true) != nil {
		t.Error("storeError(nil) is not nil")
	}
	// The caller's deadline passed: its doing, left alone, whatever the
	// error says.
	past, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	if err := fmt.Errorf("timeout: %w", context.DeadlineExceeded); storeError(past, err, false) != err {
		t.Error("an error after the caller's deadline passed is not left alone")
	}
}

// checkStoreError checks got, storeError's answer for err: of the kind
// want naming why, or err itself when want is "".
func checkStoreError(t *testing.T, got, err error, want, why string) {
	t.Helper()
	if want == "" {
		if got != err {
			t.Fatalf("storeError(%v) = %s %q, want it left alone", err, paved.ErrorCode(got), paved.ErrorMessage(got))
		}
		return
	}
	code, msg := paved.ErrorCode(got), paved.ErrorMessage(got)
	wantCode := paved.EUNAVAILABLE
	if code != wantCode || !strings.Contains(msg, want) || !strings.Contains(msg, why) {
		t.Fatalf("storeError(%v) = %s %q, want %s saying %q and %q", err, code, msg, wantCode, want, why)
	}
	if err != nil && !errors.Is(got, err) {
		t.Errorf("the cause %v is not in the chain of %v", err, got)
	}
	if unavailable := wantCode == paved.EUNAVAILABLE; errors.Is(got, paved.ErrStoreUnavailable) != unavailable {
		t.Errorf("paved.ErrStoreUnavailable in the chain of %q: %v, want %v (a forced deletion takes EUNAVAILABLE without it for a target out of reach)", msg, !unavailable, unavailable)
	}
	if marked, maybe := errors.Is(got, errUnconfirmed), want == maybeDone; marked != maybe {
		t.Errorf("%q is marked as maybe done: %v, want %v", msg, marked, maybe)
	}
	for kind, says := range map[string]string{maybeDone: "it may have been done", tryAgain: "try again once it is back", conflicting: "nothing was changed: try again"} {
		if kind == want && !strings.Contains(msg, says) {
			t.Errorf("%q does not say %q", msg, says)
		}
	}
	if strings.Contains(msg, "127.0.0.1") {
		t.Errorf("%q names the host", msg)
	}
}

// TestStoreErrorConnecting: what connecting through pgx meets. A refused
// connection, a server that does not answer within connect_timeout: the
// database is unavailable, and nothing was sent, so a change may be tried
// again. A connection the caller cancelled or whose deadline passed, a host
// name that does not exist: not an outage, left as they are.
func TestStoreErrorConnecting(t *testing.T) {
	// A server that takes connections and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	quiet := "postgres://postgres@" + silent.Addr().String() + "/x?sslmode=disable"
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	// The resolver's answer for a name that does not exist, without asking
	// one: with no resolver, or a slow one, the lookup would time out
	// (unavailable) instead, and the case would say nothing of the code.
	noSuchHost := func(ctx context.Context, host string) ([]string, error) {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		url    string
		lookup pgconn.LookupFunc // nil: the configuration's own
		want   string
		why    string
	}{
		{"refused", context.Background(), "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", nil, tryAgain, "could not connect: connection refused"},
		{"no answer within connect_timeout", context.Background(), quiet + "&connect_timeout=1", nil, tryAgain, "could not connect: it timed out"},
		{"cancelled by the caller", cancelled, "postgres://postgres@127.0.0.1:1/x?sslmode=disable", nil, "", ""},
		{"the caller's deadline", short, quiet, nil, "", ""},
		{"a host name that does not exist", context.Background(), "postgres://postgres@paved-no-such-host.invalid/x?sslmode=disable&connect_timeout=2", noSuchHost, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := pgx.ParseConfig(tc.url)
			if err != nil {
				t.Fatalf("parse %s: %v", tc.url, err)
			}
			if tc.lookup != nil {
				cfg.LookupFunc = tc.lookup
			}
			_, err = pgx.ConnectConfig(tc.ctx, cfg)
			if err == nil {
				t.Fatal("connected")
			}
			var ce *pgconn.ConnectError
			if !errors.As(err, &ce) {
				t.Fatalf("%v is not a ConnectError", err)
			}
			// A change that could not connect was never sent: it is
			// "try again", not "it may have been done".
			checkStoreError(t, storeError(tc.ctx, err, true), err, tc.want, tc.why)
		})
	}
}
