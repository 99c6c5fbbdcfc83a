package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

var _ paved.Coordinator = (*DB)(nil)

// Heartbeat records that server is alive at the given time.
func (db *DB) Heartbeat(ctx context.Context, server string, at time.Time) error {
	if err := record.Required("heartbeat", "server", server); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO servers (id, seen_at) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, server, fmtTime(at))
		if err != nil {
			return fmt.Errorf("sqlite: heartbeat: %w", err)
		}
		return nil
	})
}

// orphaned selects the deployments FailOrphaned fails; its arguments are
// staleBefore and except twice. The states are literals for the partial
// index deployments_unfinished.
const orphaned = `status IN ('queued', 'running') AND (runner = ''
	OR NOT EXISTS (SELECT 1 FROM servers WHERE servers.id = deployments.runner AND servers.seen_at >= ?))
	AND (? = '' OR runner != ?)`

const (
	selectOrphanedSQL = "SELECT " + record.DeploymentCols + " FROM deployments WHERE " + orphaned + " ORDER BY created_at, n"
	failOrphanedSQL   = "UPDATE deployments SET status = ?, error = ?, finished_at = ? WHERE " + orphaned
)

// FailOrphaned fails, in one transaction, the queued or running deployments
// that have no runner or whose runner has sent no heartbeat since
// staleBefore, and returns them (objects included) as failed, oldest first.
func (db *DB) FailOrphaned(ctx context.Context, staleBefore time.Time, except, reason string, at time.Time) ([]paved.Deployment, error) {
	at = record.Time(at)
	var out []paved.Deployment
	err := db.write(ctx, func(tx *sql.Tx) error {
		// The writer transaction is exclusive: nothing changes between the
		// select and the update.
		rows, err := tx.QueryContext(ctx, selectOrphanedSQL, fmtTime(staleBefore), except, except)
		if err != nil {
			return fmt.Errorf("sqlite: find orphaned deployments: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDeployment(rows, true)
			if err != nil {
				return fmt.Errorf("sqlite: scan deployment: %w", err)
			}
			d.Status, d.Error, d.FinishedAt = paved.DeploymentFailed, reason, &at
			out = append(out, *d)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: find orphaned deployments: %w", err)
		}
		if len(out) == 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, failOrphanedSQL,
			paved.DeploymentFailed, reason, fmtTime(at), fmtTime(staleBefore), except, except)
		if err != nil {
			return fmt.Errorf("sqlite: fail orphaned deployments: %w", err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(out)) {
			return fmt.Errorf("sqlite: fail orphaned deployments: updated %d rows, selected %d", n, len(out))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AcquireLease takes the named lease for holder until the given time when
// it is free, expired (until before now) or holder's already, and reports
// whether holder has it. The upsert runs in the writer transaction, so two
// callers cannot both see the lease free.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error) {
	if err := record.Required("lease", "name", name, "holder", holder); err != nil {
		return false, err
	}
	var got bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		// When the lease is someone else's and current, the WHERE skips the
		// update and RETURNING yields no row.
		var h string
		err := tx.QueryRowContext(ctx, `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
			WHERE leases.until < ? OR leases.holder = excluded.holder
			RETURNING holder`, name, holder, fmtTime(until), fmtTime(now)).Scan(&h)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return fmt.Errorf("sqlite: acquire lease %q: %w", name, err)
		}
		got = h == holder
		return nil
	})
	return got, err
}

// ReleaseLease gives up holder's lease; another holder's lease is left
// alone.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM leases WHERE name = ? AND holder = ?", name, holder); err != nil {
			return fmt.Errorf("sqlite: release lease %q: %w", name, err)
		}
		return nil
	})
}

// ClearLeases drops every lease, for a store restored from a backup: the
// servers that held them are not the ones that will serve it.
func (db *DB) ClearLeases(ctx context.Context) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM leases"); err != nil {
			return fmt.Errorf("sqlite: clear leases: %w", err)
		}
		return nil
	})
}

// RenewLease extends holder's lease while holder holds it unexpired.
func (db *DB) RenewLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE leases SET until = ? WHERE name = ? AND holder = ? AND until >= ?",
			fmtTime(until), name, holder, fmtTime(now))
		if err != nil {
			return fmt.Errorf("sqlite: renew lease %q: %w", name, err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}
