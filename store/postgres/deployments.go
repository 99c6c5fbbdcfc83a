package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

const insertDeploymentSQL = `INSERT INTO deployments (id, app, env, author, commit_sha, commit_time, specs, rollback_of,
	runner, status, error, objects, inventory, revision, created_at, started_at, finished_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`

func deploymentError(d *paved.Deployment, err error) error {
	switch {
	case uniqueViolation(err) != "":
		return record.Exists("deployment", d.ID)
	case fkViolation(err) != "":
		return record.NotFound("app", d.App)
	case err != nil:
		return fmt.Errorf("postgres: create deployment: %w", err)
	}
	return nil
}

// CreateDeployment stores a new deployment of an existing app. The store
// sets an ID when empty, status queued when empty and CreatedAt when zero.
func (db *DB) CreateDeployment(ctx context.Context, d *paved.Deployment) error {
	return db.CreateDeployments(ctx, []*paved.Deployment{d})
}

// CreateDeployments stores many deployments in one transaction, sent as one
// batch: imports and benchmarks seed thousands of rows in seconds this way.
func (db *DB) CreateDeployments(ctx context.Context, ds []*paved.Deployment) error {
	batch := &pgx.Batch{}
	for _, d := range ds {
		e, err := record.PrepareDeployment(d)
		if err != nil {
			return err
		}
		batch.Queue(insertDeploymentSQL, d.ID, d.App, d.Env, d.Author, d.CommitSHA, d.CommitTime, e.Specs, d.RollbackOf,
			d.Runner, d.Status, d.Error, e.Objects, e.Inventory, d.Revision, d.CreatedAt, d.StartedAt, d.FinishedAt)
	}
	return db.write(ctx, func(tx pgx.Tx) error {
		results := tx.SendBatch(ctx, batch)
		for _, d := range ds {
			if _, err := results.Exec(); err != nil {
				results.Close()
				return deploymentError(d, err)
			}
		}
		return results.Close()
	})
}

// summaryCols are the columns lists read: everything but objects, whose
// decoding costs ~10x the rest of a row (see BenchmarkListDeployments).
const summaryCols = `id, app, env, author, commit_sha, commit_time, specs, rollback_of, runner, status, error,
	inventory, revision, created_at, started_at, finished_at`

const deploymentCols = summaryCols + ", objects"

// scanDeployment scans summaryCols, and objects when withObjects.
func scanDeployment(r pgx.Row, withObjects bool) (*paved.Deployment, error) {
	var d paved.Deployment
	var specs, objects, inventory []byte
	dest := []any{&d.ID, &d.App, &d.Env, &d.Author, &d.CommitSHA, &d.CommitTime, &specs, &d.RollbackOf, &d.Runner, &d.Status,
		&d.Error, &inventory, &d.Revision, &d.CreatedAt, &d.StartedAt, &d.FinishedAt}
	if withObjects {
		dest = append(dest, &objects)
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	d.CreatedAt = d.CreatedAt.UTC()
	d.CommitTime = utc(d.CommitTime)
	d.StartedAt = utc(d.StartedAt)
	d.FinishedAt = utc(d.FinishedAt)
	if err := record.DecodeDeployment(&d, specs, objects, inventory); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &d, nil
}

// scanSummary scans a deployment without its objects.
func scanSummary(r pgx.Row) (paved.Deployment, error) {
	d, err := scanDeployment(r, false)
	if err != nil {
		return paved.Deployment{}, fmt.Errorf("postgres: scan deployment: %w", err)
	}
	return *d, nil
}

// GetDeployment returns a deployment by ID.
func (db *DB) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	d, err := scanDeployment(db.pool.QueryRow(ctx, "SELECT "+deploymentCols+" FROM deployments WHERE id = $1", id), true)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("deployment", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get deployment: %w", err)
	}
	return d, nil
}

// ListDeployments lists an app's deployments, newest first, at most limit
// (all when limit <= 0); env "" lists every environment. ENOTFOUND when the
// app does not exist. Objects are left out (nil): GetDeployment and
// LastSuccessful return them.
func (db *DB) ListDeployments(ctx context.Context, app, env string, limit int) ([]paved.Deployment, error) {
	var ds []paved.Deployment
	var err error
	if env == "" {
		ds, err = queryList(ctx, db, scanSummary, "SELECT "+summaryCols+` FROM deployments
			WHERE app = $1 ORDER BY created_at DESC, n DESC LIMIT $2`, app, limitArg(limit))
	} else {
		ds, err = queryList(ctx, db, scanSummary, "SELECT "+summaryCols+` FROM deployments
			WHERE app = $1 AND env = $2 ORDER BY created_at DESC, n DESC LIMIT $3`, app, env, limitArg(limit))
	}
	if err == nil && len(ds) == 0 {
		err = db.appExists(ctx, app)
	}
	return ds, err
}

// UpdateDeployment saves what changes in a deployment's life (status,
// error, objects, inventory, revision, start and finish times, commit and
// specs); its ID, app, env, runner and creation time stay as created.
func (db *DB) UpdateDeployment(ctx context.Context, d *paved.Deployment) error {
	e, err := record.PrepareDeploymentUpdate(d)
	if err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, `UPDATE deployments SET author = $1, commit_sha = $2, commit_time = $3, specs = $4,
		rollback_of = $5, status = $6, error = $7, objects = $8, inventory = $9, revision = $10, started_at = $11, finished_at = $12
		WHERE id = $13`,
		d.Author, d.CommitSHA, d.CommitTime, e.Specs, d.RollbackOf, d.Status, d.Error, e.Objects,
		e.Inventory, d.Revision, d.StartedAt, d.FinishedAt, d.ID)
	if err != nil {
		return fmt.Errorf("postgres: update deployment: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.NotFound("deployment", d.ID)
	}
	return nil
}

// LastSuccessful returns the newest succeeded deployment of an app's
// environment; ENOTFOUND when there is none.
func (db *DB) LastSuccessful(ctx context.Context, app, env string) (*paved.Deployment, error) {
	d, err := scanDeployment(db.pool.QueryRow(ctx, "SELECT "+deploymentCols+` FROM deployments
		WHERE app = $1 AND env = $2 AND status = $3 ORDER BY created_at DESC, n DESC LIMIT 1`, app, env, paved.DeploymentSucceeded), true)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NoSuccessfulDeployment(app, env)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: last successful deployment: %w", err)
	}
	return d, nil
}

// AppendEvent appends e to a deployment's event log and sets e.Seq (1, 2,
// 3... per deployment) and e.Time when zero.
func (db *DB) AppendEvent(ctx context.Context, deploymentID string, e *paved.Event) error {
	record.Stamp(&e.Time)
	var seq int64
	err := db.write(ctx, func(tx pgx.Tx) error {
		// Locking the deployment's row serializes appenders of one
		// deployment across servers, so MAX+1 cannot race; FOR NO KEY
		// UPDATE leaves the foreign key checks of other tables alone.
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM deployments WHERE id = $1 FOR NO KEY UPDATE", deploymentID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return record.NotFound("deployment", deploymentID)
		}
		if err != nil {
			return fmt.Errorf("postgres: append event: %w", err)
		}
		err = tx.QueryRow(ctx, `INSERT INTO events (deployment, seq, time, level, message)
			SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM events WHERE deployment = $1 RETURNING seq`,
			deploymentID, e.Time, e.Level, e.Message).Scan(&seq)
		if err != nil {
			return fmt.Errorf("postgres: append event: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.Seq = seq
	return nil
}

// Events returns a deployment's events with Seq > after, in order.
// ENOTFOUND when the deployment does not exist.
func (db *DB) Events(ctx context.Context, deploymentID string, after int64) ([]paved.Event, error) {
	events, err := queryList(ctx, db, func(r pgx.Row) (paved.Event, error) {
		var e paved.Event
		if err := r.Scan(&e.Seq, &e.Time, &e.Level, &e.Message); err != nil {
			return e, fmt.Errorf("postgres: scan event: %w", err)
		}
		e.Time = e.Time.UTC()
		return e, nil
	}, "SELECT seq, time, level, message FROM events WHERE deployment = $1 AND seq > $2 ORDER BY seq", deploymentID, after)
	if err == nil && len(events) == 0 {
		var one int
		err = db.pool.QueryRow(ctx, "SELECT 1 FROM deployments WHERE id = $1", deploymentID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, record.NotFound("deployment", deploymentID)
		}
	}
	return events, err
}

// Audit appends an audit entry and sets its ID and Time (when zero).
func (db *DB) Audit(ctx context.Context, e *paved.AuditEntry) error {
	if err := record.PrepareAudit(e); err != nil {
		return err
	}
	err := db.pool.QueryRow(ctx, "INSERT INTO audit (time, actor, action, target, result) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		e.Time, e.Actor, e.Action, e.Target, e.Result).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("postgres: audit: %w", err)
	}
	return nil
}

// ListAudit returns the newest audit entries first, at most limit (all when
// limit <= 0).
func (db *DB) ListAudit(ctx context.Context, limit int) ([]paved.AuditEntry, error) {
	return queryList(ctx, db, func(r pgx.Row) (paved.AuditEntry, error) {
		var e paved.AuditEntry
		if err := r.Scan(&e.ID, &e.Time, &e.Actor, &e.Action, &e.Target, &e.Result); err != nil {
			return e, fmt.Errorf("postgres: scan audit entry: %w", err)
		}
		e.Time = e.Time.UTC()
		return e, nil
	}, "SELECT id, time, actor, action, target, result FROM audit ORDER BY id DESC LIMIT $1", limitArg(limit))
}
