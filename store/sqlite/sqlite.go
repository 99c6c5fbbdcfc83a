// Package sqlite is paved's embedded store: paved.Store on one SQLite file
// (modernc.org/sqlite, pure Go), the default when no PostgreSQL is given.
//
// The file is opened in WAL mode so that readers never wait for the writer.
// Writes go through a pool of one connection: SQLite allows one writer at a
// time, and queueing writers in Go rather than in SQLite's busy handler keeps
// them fair and cancellable. Reads use a separate pool of query-only
// connections that run in parallel.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

var _ paved.Store = (*DB)(nil)

// dsnCommon configures every connection. busy_timeout still matters with
// one writer: another process (the sqlite3 shell) may hold the lock a moment.
const dsnCommon = "_busy_timeout=10000&_foreign_keys=1&_synchronous=NORMAL"

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a paved.Store on a SQLite file.
type DB struct {
	path string
	w    *sql.DB // one connection: every write, in a transaction
	r    *sql.DB // query-only connections for reads
}

// Open opens (creating if needed) the SQLite database at path and applies
// the migrations it lacks. The file and its directory are created readable
// by the owner only: the store holds token hashes and sealed secrets.
func Open(path string) (*DB, error) { return open(path, true) }

// OpenExisting opens the SQLite database at path as it is: it must exist
// and be at the schema this paved uses; nothing is created or migrated (for
// commands run beside a server, such as the break-glass admin token).
func OpenExisting(path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "sqlite: no paved store at %s: %v", path, err)
	}
	db, err := open(path, false)
	if err != nil {
		return nil, err
	}
	want, err := record.LatestMigration(migrations, "migrations/*.sql")
	if err == nil {
		var have int
		if have, err = db.SchemaVersion(context.Background()); err == nil {
			err = record.SameSchema(have, want)
		}
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func open(path string, migrate bool) (*DB, error) {
	if path == "" {
		return nil, paved.Errorf(paved.EINVALID, "sqlite: database path is required")
	}
	if strings.ContainsRune(path, '?') {
		return nil, paved.Errorf(paved.EINVALID, "sqlite: database path %q must not contain '?'", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create data dir: %w", err)
	}
	if migrate {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		f.Close()
	}

	w, err := sql.Open("sqlite", path+"?"+dsnCommon+"&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: path, w: w}
	if migrate {
		if err := db.migrate(context.Background()); err != nil {
			w.Close()
			return nil, err
		}
	}

	r, err := sql.Open("sqlite", path+"?"+dsnCommon+"&_query_only=1")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(5 * time.Minute)
	db.r = r
	return db, nil
}

// Close closes both pools; the WAL is checkpointed by the last connection.
func (db *DB) Close() error {
	return errors.Join(db.r.Close(), db.w.Close())
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Backup writes a consistent copy of the database to path (which must not
// exist) with VACUUM INTO, while the store keeps serving reads and writes.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return paved.Errorf(paved.ECONFLICT, "backup %s already exists", path)
	}
	// VACUUM INTO only reads this database, but query_only connections
	// refuse it, and the writer must stay free: use a connection of its own.
	c, err := sql.Open("sqlite", db.path+"?"+dsnCommon)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer c.Close()
	// The copy holds token hashes and sealed secrets like the database:
	// create it owner-only first (VACUUM INTO accepts an empty file).
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", path, err)
	}
	f.Close()
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("sqlite: backup to %s: %w", path, err)
	}
	return nil
}

// migrate applies, in one transaction, every embedded migration that
// schema_migrations does not list yet.
//
// Foreign keys are off meanwhile, as SQLite's procedure for rebuilding a
// table requires (dropping a referenced table fails otherwise, and the
// pragma does nothing inside a transaction); foreign_key_check then vets
// the result before it commits.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	// The writer pool has one connection: hold it across the pragmas.
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := applyMigrations(ctx, tx, names); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit migrations: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = ON"); err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	return nil
}

func applyMigrations(ctx context.Context, tx *sql.Tx, names []string) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("sqlite: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	if err := rows.Close(); err != nil {
		return err
	}
	ran := false
	for _, name := range names {
		base := filepath.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: name must start with a number", base)
		}
		if applied[v] {
			continue
		}
		ran = true
		script, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(script)); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			v, base, fmtTime(record.Now())); err != nil {
			return fmt.Errorf("sqlite: record migration %s: %w", base, err)
		}
	}
	if !ran {
		return nil
	}
	// The check reads every foreign key: only after a migration ran.
	var table string
	var rowid sql.NullInt64
	var parent string
	var fkid int
	err = tx.QueryRowContext(ctx, "PRAGMA foreign_key_check").Scan(&table, &rowid, &parent, &fkid)
	switch {
	case err == nil:
		return fmt.Errorf("sqlite: migrations left a row of %s (rowid %d) without its %s", table, rowid.Int64, parent)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: check foreign keys after migrations: %w", err)
	}
	return nil
}

// SchemaVersion is the highest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.r.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	return int(v.Int64), err
}

// write runs fn in a write transaction (BEGIN IMMEDIATE on the one writer
// connection).
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// Timestamps are stored as fixed-width UTC text with microseconds: text
// comparison orders them, and microseconds are what PostgreSQL keeps, so both
// stores return the same instant.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func fmtTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtTime(*t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		// Rows written by hand (the sqlite3 shell) may use any RFC 3339 form.
		t, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("sqlite: bad timestamp %q: %w", s, err)
		}
	}
	return t.UTC(), nil
}

func parseTimePtr(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isUnique(err error) bool {
	c := code(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func isForeignKey(err error) bool { return code(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY }

type scanner interface{ Scan(dest ...any) error }

// querier is a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryList runs a read (in a pool or a transaction) and scans every row
// with scan.
func queryList[T any](ctx context.Context, db querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
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
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return out, nil
}

// appExists reports ENOTFOUND for a missing app; lists call it only when
// they come back empty, to tell "none yet" from "no such app".
func (db *DB) appExists(ctx context.Context, app string) error {
	var one int
	err := db.r.QueryRowContext(ctx, "SELECT 1 FROM apps WHERE name = ?", app).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return record.NotFound("app", app)
	}
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// firstNames runs a query of names and the count of every match
// (COUNT(*) OVER ()), limited to the first few: what a conflict names.
func firstNames(ctx context.Context, q querier, query string, args ...any) (names []string, total int, err error) {
	type row struct {
		name  string
		total int
	}
	rows, err := queryList(ctx, q, func(s scanner) (row, error) {
		var r row
		if err := s.Scan(&r.name, &r.total); err != nil {
			return r, fmt.Errorf("sqlite: scan name: %w", err)
		}
		return r, nil
	}, query, args...)
	for _, r := range rows {
		names, total = append(names, r.name), r.total
	}
	return names, total, err
}
