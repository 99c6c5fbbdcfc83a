package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"paved.dev/paved"
)

// BulkDeployments writes n deployment summaries made by row (no specs,
// plan or objects; every app must exist, which it does not check) in one
// transaction through one prepared statement: the DORA benchmark seeds a
// million rows this way. It is for generators, not for the platform.
func (db *DB) BulkDeployments(ctx context.Context, n int, row func(i int, d *paved.Deployment)) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO deployments (id, kind, app, env, env_id, env_type, author, commit_time,
			status, created_at, started_at, finished_at, fix) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("sqlite: bulk deployments: %w", err)
		}
		defer stmt.Close()
		var d paved.Deployment
		for i := range n {
			d = paved.Deployment{}
			row(i, &d)
			if _, err := stmt.ExecContext(ctx, d.ID, d.Kind, d.App, d.Env, d.EnvID, d.EnvType, d.Author, fmtTimePtr(d.CommitTime),
				d.Status, fmtTime(d.CreatedAt), fmtTimePtr(d.StartedAt), fmtTimePtr(d.FinishedAt), d.Fix); err != nil {
				return fmt.Errorf("sqlite: bulk deployments: row %d: %w", i, err)
			}
		}
		return nil
	})
}
