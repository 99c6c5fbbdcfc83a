package postgres

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// dbPool is the connection pool, reached only through methods whose errors
// say, when the database cannot be reached or went away, that it is
// unavailable (storeError): the statements of the store go through it, and
// what a transaction meets is turned at its end (inTx). The pool itself is
// not exposed, so that no new path can bypass the mapping.
type dbPool struct{ pool *pgxpool.Pool }

// conflictAttempts is how many times a statement or transaction the
// database aborted for a concurrent one (a deadlock, a serialization
// failure: the database undid it all) is run in all before its error is
// returned, as EUNAVAILABLE (nothing changed: try again; keptUndoing).
const conflictAttempts = 4

// Exec runs a statement that may change something; one that deadlocked is
// run again (the database rolled it back).
func (p dbPool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := againOnConflict(ctx, func() error {
		var err error
		tag, err = p.pool.Exec(ctx, sql, args...)
		return storeError(ctx, err, true)
	})
	return tag, err
}

// Query runs a read.
func (p dbPool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	r, err := p.pool.Query(ctx, sql, args...)
	return rows{Rows: r, ctx: ctx}, storeError(ctx, err, false)
}

// QueryRow runs a read of one row.
func (p dbPool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{Row: p.pool.QueryRow(ctx, sql, args...), ctx: ctx}
}

// WriteRow runs a statement that changes something and returns one row
// (INSERT ... RETURNING): its answer lost on the way says it may have been
// done.
func (p dbPool) WriteRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{Row: p.pool.QueryRow(ctx, sql, args...), ctx: ctx, write: true}
}

// WriteRows runs a statement that changes something and returns rows
// (UPDATE ... RETURNING), which read goes through: an answer lost on the
// way, the rows' included, says it may have been done (the statement
// commits on its own, whether or not its rows arrive). One the database
// undid for a concurrent one is run again, read with it: read must build
// what it keeps anew on each run.
func (p dbPool) WriteRows(ctx context.Context, read func(pgx.Rows) error, sql string, args ...any) error {
	return againOnConflict(ctx, func() error {
		r, err := p.pool.Query(ctx, sql, args...)
		if err != nil {
			return storeError(ctx, err, true)
		}
		err = read(r)
		r.Close()
		if err == nil {
			err = r.Err()
		}
		return storeError(ctx, err, true)
	})
}

// CopyFrom bulk-inserts rows.
func (p dbPool) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	n, err := p.pool.CopyFrom(ctx, table, columns, src)
	return n, storeError(ctx, err, true)
}

// Close closes the pool.
func (p dbPool) Close() { p.pool.Close() }

// inTx runs fn in a transaction and commits it. A database lost on the way
// is EUNAVAILABLE (storeError), whether at the start, in fn or at the
// commit; only a commit whose answer was lost may have been done. A
// transaction the database aborted for a concurrent one is run again
// (fn must build everything it returns anew on each run), up to
// conflictAttempts times.
func (p dbPool) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return againOnConflict(ctx, func() error {
		tx, err := p.pool.Begin(ctx)
		if err != nil {
			return storeError(ctx, err, false)
		}
		// After a commit this does nothing; after a panic in fn it
		// gives the connection back.
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		if err := fn(tx); err != nil {
			return storeError(ctx, err, false)
		}
		return storeError(ctx, tx.Commit(ctx), true)
	})
}

// againOnConflict runs f again, after a short random pause, while it fails
// because the database aborted it for a concurrent statement, up to
// conflictAttempts times in all or until ctx ends; then that error says
// the database kept undoing it (EUNAVAILABLE, never ECONFLICT: callers
// take a conflict for a final answer).
func againOnConflict(ctx context.Context, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if !abortedForConflict(err) {
			return err
		}
		if attempt == conflictAttempts {
			return keptUndoing(err, attempt)
		}
		select {
		case <-ctx.Done():
			return keptUndoing(err, attempt)
		case <-time.After(time.Duration(attempt)*10*time.Millisecond + rand.N(10*time.Millisecond)):
		}
	}
}

type row struct {
	pgx.Row
	ctx   context.Context
	write bool
}

func (r row) Scan(dest ...any) error { return storeError(r.ctx, r.Row.Scan(dest...), r.write) }

type rows struct {
	pgx.Rows
	ctx context.Context
}

func (r rows) Err() error { return storeError(r.ctx, r.Rows.Err(), false) }

func (r rows) Scan(dest ...any) error { return storeError(r.ctx, r.Rows.Scan(dest...), false) }
