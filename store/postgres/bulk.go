package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
)

// BulkDeployments writes n deployment summaries made by row (no specs,
// plan or objects; every app must exist, which it does not check) with
// COPY: the DORA benchmark seeds a million rows this way. It is for
// generators, not for the platform.
func (db *DB) BulkDeployments(ctx context.Context, n int, row func(i int, d *paved.Deployment)) error {
	i := 0
	var d paved.Deployment
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		d = paved.Deployment{}
		row(i, &d)
		i++
		return []any{d.ID, string(d.Kind), d.App, d.Env, d.EnvID, string(d.EnvType), d.Author, d.CommitTime,
			string(d.Status), d.CreatedAt, d.StartedAt, d.FinishedAt, d.Fix}, nil
	})
	_, err := db.pool.CopyFrom(ctx, pgx.Identifier{"deployments"}, []string{"id", "kind", "app", "env", "env_id", "env_type",
		"author", "commit_time", "status", "created_at", "started_at", "finished_at", "fix"}, src)
	if err != nil {
		return fmt.Errorf("postgres: bulk deployments: %w", err)
	}
	// Index-only scans need the visibility map, and the planner figures.
	if _, err := db.pool.Exec(ctx, "VACUUM ANALYZE deployments"); err != nil {
		return fmt.Errorf("postgres: bulk deployments: %w", err)
	}
	return nil
}
