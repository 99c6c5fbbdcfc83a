package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"paved.dev/paved"
)

// dbPool is the connection pool whose errors say, when the database cannot
// be reached or went away, that it is unavailable (unavailable): the
// statements of the store go through it, and what a transaction meets is
// turned at its end (DB.write).
type dbPool struct{ *pgxpool.Pool }

func (p dbPool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := p.Pool.Exec(ctx, sql, args...)
	return tag, unavailable(err)
}

func (p dbPool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	r, err := p.Pool.Query(ctx, sql, args...)
	return rows{r}, unavailable(err)
}

func (p dbPool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{p.Pool.QueryRow(ctx, sql, args...)}
}

func (p dbPool) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	n, err := p.Pool.CopyFrom(ctx, table, columns, src)
	return n, unavailable(err)
}

func (p dbPool) Begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := p.Pool.Begin(ctx)
	return tx, unavailable(err)
}

type row struct{ pgx.Row }

func (r row) Scan(dest ...any) error { return unavailable(r.Row.Scan(dest...)) }

type rows struct{ pgx.Rows }

func (r rows) Err() error { return unavailable(r.Rows.Err()) }

func (r rows) Scan(dest ...any) error { return unavailable(r.Rows.Scan(dest...)) }

// unavailable returns err as EUNAVAILABLE, naming the database, when it
// says the database could not be reached or the connection was lost (the
// server refused it, shut down, crashed, is starting up or recovering, or
// the connection was cut), and err as it is otherwise. The cause stays in
// the chain (errors.Is, errors.As); the message names no host.
func unavailable(err error) error {
	if err == nil || paved.ErrorCode(err) != paved.EINTERNAL {
		return err
	}
	cause := lostDatabase(err)
	if cause == "" {
		return err
	}
	return &paved.Error{Code: paved.EUNAVAILABLE, Err: errors.Join(paved.ErrStoreUnavailable, err),
		Message: fmt.Sprintf("the PostgreSQL database is unavailable (%s): try again once it is back", cause)}
}

// lostDatabase says why err is one of the database being out of reach, or
// "" when it is not.
func lostDatabase(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08 is a connection exception; 57P01 to 57P03 are a server
		// shutting down (fast, immediate: a crash) or unable to take
		// connections yet (starting up, in recovery).
		if strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" {
			return pe.Message + " (SQLSTATE " + pe.Code + ")"
		}
		return ""
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
			syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN, syscall.ETIMEDOUT:
			return errno.Error()
		}
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, net.ErrClosed):
		return "the connection was closed"
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return "could not connect"
	}
	return ""
}
