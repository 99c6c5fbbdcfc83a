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

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"paved.dev/paved"
)

// TestUnavailable: errors that say the database is out of reach (refused,
// cut, shutting down, crashed, starting up) become EUNAVAILABLE naming the
// database and why, the cause kept in the chain; every other error is
// left as it is.
func TestUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		name string
		err  error
		why  string // "" when the error is to be left alone
	}{
		{"fast shutdown", &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}, "terminating connection due to administrator command (SQLSTATE 57P01)"},
		{"crash", &pgconn.PgError{Severity: "FATAL", Code: "57P02", Message: "terminating connection because of crash of another server process"}, "because of crash"},
		{"starting up, wrapped", fmt.Errorf("postgres: heartbeat: %w", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}), "the database system is starting up"},
		{"connection exception", &pgconn.PgError{Code: "08006", Message: "connection failure"}, "connection failure"},
		{"refused", fmt.Errorf("dial error: %w", refused), "connection refused"},
		{"reset", fmt.Errorf("failed to receive message: %w", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), "connection reset by peer"},
		{"cut", fmt.Errorf("failed to receive message: %w", io.ErrUnexpectedEOF), "the connection was closed"},
		{"closed", pgconn.ErrConnClosed, "the connection was closed"},
		{"unique violation", &pgconn.PgError{Code: "23505", Message: "duplicate key value"}, ""},
		{"no rows", pgx.ErrNoRows, ""},
		{"not found", paved.Errorf(paved.ENOTFOUND, "app %q not found", "shop"), ""},
		{"already unavailable", paved.Errorf(paved.EUNAVAILABLE, "the store is at schema 3"), ""},
		{"cancelled", context.Canceled, ""},
		{"a bug", errors.New("scan: wrong type"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := unavailable(tc.err)
			if tc.why == "" {
				if got != tc.err {
					t.Fatalf("unavailable(%v) = %v, want it left alone", tc.err, got)
				}
				return
			}
			msg := paved.ErrorMessage(got)
			if paved.ErrorCode(got) != paved.EUNAVAILABLE || !strings.Contains(msg, "PostgreSQL database is unavailable") || !strings.Contains(msg, tc.why) {
				t.Fatalf("unavailable(%v) = %s %q, want EUNAVAILABLE naming the database and %q", tc.err, paved.ErrorCode(got), msg, tc.why)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("the cause %v is not in the chain of %v", tc.err, got)
			}
			if !errors.Is(got, paved.ErrStoreUnavailable) {
				t.Errorf("paved.ErrStoreUnavailable is not in the chain of %v: a forced deletion would take it for a target out of reach", got)
			}
		})
	}
	if unavailable(nil) != nil {
		t.Error("unavailable(nil) is not nil")
	}
	// A real connection refused, through pgx: the message names no host.
	_, err := pgx.Connect(context.Background(), "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	got := unavailable(err)
	var ce *pgconn.ConnectError
	if paved.ErrorCode(got) != paved.EUNAVAILABLE || !errors.As(got, &ce) || strings.Contains(paved.ErrorMessage(got), "127.0.0.1") {
		t.Fatalf("connecting to a closed port: %s %q; want EUNAVAILABLE, the ConnectError kept, no host named", paved.ErrorCode(got), paved.ErrorMessage(got))
	}
}
