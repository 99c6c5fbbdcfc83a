// Package postgres is paved's store for grown-up installations: paved.Store
// on PostgreSQL (pgx), shared by several paved servers behind a load
// balancer.
//
// Nothing is kept in memory between calls, so any replica can serve any
// request; numbering that must not race between servers (definition
// versions, event sequence numbers) is done with row locks inside one
// transaction.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

var _ paved.Store = (*DB)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the pg_advisory_xact_lock key that makes servers
// starting at once migrate one after the other ("paved" in ASCII).
const migrationLock int64 = 0x7061766564

// DB is a paved.Store on a PostgreSQL database.
type DB struct {
	pool dbPool
}

// Open connects to the database at url (postgres://user:pass@host/db?...;
// pgxpool options such as pool_max_conns and runtime parameters such as
// search_path are accepted) and applies the migrations it lacks.
func Open(ctx context.Context, url string) (*DB, error) { return open(ctx, url, true) }

// OpenExisting connects to the database at url as it is: it must be at the
// schema this paved uses; nothing is migrated (for commands run beside a
// server, such as the break-glass admin token).
func OpenExisting(ctx context.Context, url string) (*DB, error) {
	db, err := open(ctx, url, false)
	if err != nil {
		return nil, err
	}
	want, err := record.LatestMigration(migrations, "migrations/*.sql")
	if err == nil {
		var have int
		if have, err = db.SchemaVersion(ctx); err == nil {
			err = record.SameSchema(have, want)
		} else if strings.Contains(err.Error(), "schema_migrations") {
			err = paved.Errorf(paved.EINVALID, "postgres: the database holds no paved store (no schema_migrations): %v", err)
		}
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func open(ctx context.Context, url string, migrate bool) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "postgres: bad database URL: %v", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, paved.Errorf(paved.EUNAVAILABLE, "postgres: cannot reach %s: %v", cfg.ConnConfig.Host, err)
	}
	db := &DB{pool: dbPool{pool: pool}}
	if migrate {
		if err := db.migrate(ctx); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// migrate applies, in one transaction, every embedded migration that
// schema_migrations does not list yet. The transaction first takes an
// advisory lock, so that of several servers starting at once one migrates
// and the others wait, then find nothing left to do.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	return db.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return fmt.Errorf("postgres: lock for migrations: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return fmt.Errorf("postgres: create schema_migrations: %w", err)
		}
		rows, _ := tx.Query(ctx, "SELECT version FROM schema_migrations")
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return fmt.Errorf("postgres: read schema_migrations: %w", err)
		}
		applied := map[int]bool{}
		for _, v := range versions {
			applied[v] = true
		}
		for _, name := range names {
			base := filepath.Base(name)
			v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
			if err != nil {
				return fmt.Errorf("postgres: migration %s: name must start with a number", base)
			}
			if applied[v] {
				continue
			}
			script, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			// Without arguments pgx sends the script with the simple
			// protocol, which runs several statements.
			if _, err := tx.Exec(ctx, string(script)); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", base, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", v, base); err != nil {
				return fmt.Errorf("postgres: record migration %s: %w", base, err)
			}
		}
		return nil
	})
}

// SchemaVersion is the highest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	err := db.pool.QueryRow(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	if v == nil {
		return 0, err
	}
	return *v, err
}

// write runs fn in a transaction (dbPool.inTx): a database lost on the way
// is EUNAVAILABLE, and a transaction aborted for a concurrent one is run
// again, so fn must be safe to run again.
func (db *DB) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return db.pool.inTx(ctx, fn)
}

// utc returns what pgx scanned (a time in the local zone) in UTC.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// constraint returns the constraint a unique (23505) or foreign key (23503)
// violation names, or "".
func constraint(err error, code string) string {
	var e *pgconn.PgError
	if errors.As(err, &e) && e.Code == code {
		if e.ConstraintName == "" {
			return "?"
		}
		return e.ConstraintName
	}
	return ""
}

func uniqueViolation(err error) string { return constraint(err, "23505") }
func fkViolation(err error) string     { return constraint(err, "23503") }

// queryList runs a read and scans every row with scan.
func queryList[T any](ctx context.Context, db *DB, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return out, nil
}

// writeList runs a statement that changes rows and returns them
// (UPDATE ... RETURNING) as a write (dbPool.WriteRows), scanning each.
func writeList[T any](ctx context.Context, db *DB, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := db.pool.WriteRows(ctx, func(rows pgx.Rows) error {
		out = nil // each run anew
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return out, nil
}

// firstNames runs, in tx, a query of names and the count of every match
// (COUNT(*) OVER ()), limited to the first few: what a conflict names.
func firstNames(ctx context.Context, tx pgx.Tx, query string, args ...any) (names []string, total int, err error) {
	rows, _ := tx.Query(ctx, query, args...)
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name, &total); err != nil {
			return nil, 0, fmt.Errorf("postgres: scan name: %w", err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("postgres: %w", err)
	}
	return names, total, nil
}

// appExists reports ENOTFOUND for a missing app; lists call it only when
// they come back empty, to tell "none yet" from "no such app".
func (db *DB) appExists(ctx context.Context, app string) error {
	var one int
	err := db.pool.QueryRow(ctx, "SELECT 1 FROM apps WHERE name = $1", app).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return record.NotFound("app", app)
	}
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// where builds a WHERE clause with numbered placeholders.
type where struct {
	conds []string
	args  []any
}

// add appends a condition whose "?" is the next placeholder.
func (w *where) add(cond string, v any) {
	w.args = append(w.args, v)
	w.conds = append(w.conds, strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1))
}

// eq adds "col = v" unless v is empty.
func (w *where) eq(col, v string) {
	if v != "" {
		w.add(col+" = ?", v)
	}
}

// next is the placeholder of the next argument, for what follows the
// clause (a LIMIT).
func (w *where) next(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
