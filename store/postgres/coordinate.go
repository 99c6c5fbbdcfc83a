package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

var _ paved.Coordinator = (*DB)(nil)

// Heartbeat records that server is alive at the given time.
func (db *DB) Heartbeat(ctx context.Context, server string, at time.Time) error {
	if err := record.Required("heartbeat", "server", server); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO servers (id, seen_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, server, record.Time(at))
	if err != nil {
		return fmt.Errorf("postgres: heartbeat: %w", err)
	}
	return nil
}

// FailOrphaned fails the queued or running deployments that have no runner
// or whose runner has sent no heartbeat since staleBefore, and returns them
// (objects included) as failed, oldest first.
//
// It is one UPDATE: when servers notice the same orphans at once, the
// update re-checks each row's status after waiting for its lock, so every
// orphan is failed and returned by exactly one of them. It is a write
// (writeList): when its answer is lost, the error says the deployments
// may have been failed.
func (db *DB) FailOrphaned(ctx context.Context, staleBefore time.Time, except, reason string, at time.Time) ([]paved.Deployment, error) {
	// The states are literals for the partial index deployments_unfinished.
	ds, err := writeList(ctx, db, scanFull, `WITH failed AS (
			UPDATE deployments SET status = $1, error = $2, finished_at = $3
			WHERE status IN ('queued', 'running') AND (runner = ''
				OR NOT EXISTS (SELECT 1 FROM servers WHERE servers.id = deployments.runner AND servers.seen_at >= $4))
				AND ($5 = '' OR runner != $5)
			RETURNING n, `+record.DeploymentCols+`)
		SELECT `+record.DeploymentCols+` FROM failed ORDER BY created_at, n`,
		paved.DeploymentFailed, reason, record.Time(at), record.Time(staleBefore), except)
	if err != nil {
		return nil, fmt.Errorf("postgres: fail orphaned deployments: %w", err)
	}
	return ds, nil
}

// scanFull scans a deployment with its objects.
func scanFull(r pgx.Row) (paved.Deployment, error) {
	d, err := scanDeployment(r, true)
	if err != nil {
		return paved.Deployment{}, fmt.Errorf("postgres: scan deployment: %w", err)
	}
	return *d, nil
}

// AcquireLease takes the named lease for holder until the given time when
// it is free, expired (until before now) or holder's already, and reports
// whether holder has it. It is one upsert: of servers racing for a free
// lease one inserts and the others, waiting on its row, find it current.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error) {
	if err := record.Required("lease", "name", name, "holder", holder); err != nil {
		return false, err
	}
	// When the lease is someone else's and current, the WHERE skips the
	// update and RETURNING yields no row.
	var h string
	err := db.pool.WriteRow(ctx, `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.until < $4 OR leases.holder = excluded.holder
		RETURNING holder`, name, holder, record.Time(until), record.Time(now)).Scan(&h)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("postgres: acquire lease %q: %w", name, err)
	}
	return h == holder, nil
}

// ReleaseLease gives up holder's lease; another holder's lease is left
// alone.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := db.pool.Exec(ctx, "DELETE FROM leases WHERE name = $1 AND holder = $2", name, holder); err != nil {
		return fmt.Errorf("postgres: release lease %q: %w", name, err)
	}
	return nil
}

// RenewLease extends holder's lease while holder holds it unexpired.
func (db *DB) RenewLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, "UPDATE leases SET until = $1 WHERE name = $2 AND holder = $3 AND until >= $4",
		record.Time(until), name, holder, record.Time(now))
	if err != nil {
		return false, fmt.Errorf("postgres: renew lease %q: %w", name, err)
	}
	return tag.RowsAffected() == 1, nil
}
