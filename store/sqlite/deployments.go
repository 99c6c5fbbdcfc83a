package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

func insertDeployment(ctx context.Context, stmt *sql.Stmt, d *paved.Deployment, e record.Deployment) error {
	_, err := stmt.ExecContext(ctx, d.ID, d.App, d.Env, d.Author, d.CommitSHA, fmtTimePtr(d.CommitTime), e.Specs,
		d.RollbackOf, d.Runner, d.Status, d.Error, e.Objects, e.Inventory, d.Revision, fmtTime(d.CreatedAt),
		fmtTimePtr(d.StartedAt), fmtTimePtr(d.FinishedAt))
	switch {
	case isUnique(err):
		return record.Exists("deployment", d.ID)
	case isForeignKey(err):
		return record.NotFound("app", d.App)
	case err != nil:
		return fmt.Errorf("sqlite: create deployment: %w", err)
	}
	return nil
}

const insertDeploymentSQL = `INSERT INTO deployments (id, app, env, author, commit_sha, commit_time, specs, rollback_of,
	runner, status, error, objects, inventory, revision, created_at, started_at, finished_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateDeployment stores a new deployment of an existing app. The store
// sets an ID when empty, status queued when empty and CreatedAt when zero.
func (db *DB) CreateDeployment(ctx context.Context, d *paved.Deployment) error {
	return db.CreateDeployments(ctx, []*paved.Deployment{d})
}

// CreateDeployments stores many deployments in one transaction: imports and
// benchmarks seed thousands of rows in seconds this way.
func (db *DB) CreateDeployments(ctx context.Context, ds []*paved.Deployment) error {
	encoded := make([]record.Deployment, len(ds))
	for i, d := range ds {
		var err error
		if encoded[i], err = record.PrepareDeployment(d); err != nil {
			return err
		}
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, insertDeploymentSQL)
		if err != nil {
			return fmt.Errorf("sqlite: create deployment: %w", err)
		}
		defer stmt.Close()
		for i, d := range ds {
			if err := insertDeployment(ctx, stmt, d, encoded[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// summaryCols are the columns lists read: everything but objects, whose
// decoding costs ~10x the rest of a row (see BenchmarkListDeployments).
const summaryCols = `id, app, env, author, commit_sha, commit_time, specs, rollback_of, runner, status, error,
	inventory, revision, created_at, started_at, finished_at`

const deploymentCols = summaryCols + ", objects"

// scanDeployment scans summaryCols, and objects when withObjects.
func scanDeployment(s scanner, withObjects bool) (*paved.Deployment, error) {
	var d paved.Deployment
	var specs, objects, inventory, created string
	var commitTime, started, finished sql.NullString
	dest := []any{&d.ID, &d.App, &d.Env, &d.Author, &d.CommitSHA, &commitTime, &specs, &d.RollbackOf, &d.Runner, &d.Status,
		&d.Error, &inventory, &d.Revision, &created, &started, &finished}
	if withObjects {
		dest = append(dest, &objects)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if err := record.DecodeDeployment(&d, specs, objects, inventory); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	var err error
	if d.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if d.CommitTime, err = parseTimePtr(commitTime); err != nil {
		return nil, err
	}
	if d.StartedAt, err = parseTimePtr(started); err != nil {
		return nil, err
	}
	if d.FinishedAt, err = parseTimePtr(finished); err != nil {
		return nil, err
	}
	return &d, nil
}

// GetDeployment returns a deployment by ID.
func (db *DB) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	d, err := scanDeployment(db.r.QueryRowContext(ctx, "SELECT "+deploymentCols+" FROM deployments WHERE id = ?", id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("deployment", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get deployment: %w", err)
	}
	return d, nil
}

// scanSummary scans a deployment without its objects.
func scanSummary(s scanner) (paved.Deployment, error) {
	d, err := scanDeployment(s, false)
	if err != nil {
		return paved.Deployment{}, fmt.Errorf("sqlite: scan deployment: %w", err)
	}
	return *d, nil
}

// ListDeployments lists an app's deployments, newest first, at most limit
// (all when limit <= 0); env "" lists every environment. ENOTFOUND when the
// app does not exist. Objects are left out (nil): GetDeployment and
// LastSuccessful return them.
func (db *DB) ListDeployments(ctx context.Context, app, env string, limit int) ([]paved.Deployment, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var ds []paved.Deployment
	var err error
	if env == "" {
		ds, err = queryList(ctx, db.r, scanSummary, "SELECT "+summaryCols+` FROM deployments
			WHERE app = ? ORDER BY created_at DESC, n DESC LIMIT ?`, app, limit)
	} else {
		ds, err = queryList(ctx, db.r, scanSummary, "SELECT "+summaryCols+` FROM deployments
			WHERE app = ? AND env = ? ORDER BY created_at DESC, n DESC LIMIT ?`, app, env, limit)
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
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deployments SET author = ?, commit_sha = ?, commit_time = ?, specs = ?,
			rollback_of = ?, status = ?, error = ?, objects = ?, inventory = ?, revision = ?, started_at = ?, finished_at = ?
			WHERE id = ?`,
			d.Author, d.CommitSHA, fmtTimePtr(d.CommitTime), e.Specs, d.RollbackOf, d.Status, d.Error, e.Objects,
			e.Inventory, d.Revision, fmtTimePtr(d.StartedAt), fmtTimePtr(d.FinishedAt), d.ID)
		if err != nil {
			return fmt.Errorf("sqlite: update deployment: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("deployment", d.ID)
		}
		return nil
	})
}

// LastSuccessful returns the newest succeeded deployment of an app's
// environment; ENOTFOUND when there is none.
func (db *DB) LastSuccessful(ctx context.Context, app, env string) (*paved.Deployment, error) {
	d, err := scanDeployment(db.r.QueryRowContext(ctx, "SELECT "+deploymentCols+` FROM deployments
		WHERE app = ? AND env = ? AND status = ? ORDER BY created_at DESC, n DESC LIMIT 1`, app, env, paved.DeploymentSucceeded), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NoSuccessfulDeployment(app, env)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: last successful deployment: %w", err)
	}
	return d, nil
}

// AppendEvent appends e to a deployment's event log and sets e.Seq (1, 2,
// 3... per deployment) and e.Time when zero.
func (db *DB) AppendEvent(ctx context.Context, deploymentID string, e *paved.Event) error {
	record.Stamp(&e.Time)
	var seq int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		// Writes are serialized, so MAX+1 cannot race.
		err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE deployment = ?", deploymentID).Scan(&seq)
		if err != nil {
			return fmt.Errorf("sqlite: append event: %w", err)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO events (deployment, seq, time, level, message) VALUES (?, ?, ?, ?, ?)",
			deploymentID, seq, fmtTime(e.Time), e.Level, e.Message)
		if isForeignKey(err) {
			return record.NotFound("deployment", deploymentID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: append event: %w", err)
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
	events, err := queryList(ctx, db.r, func(s scanner) (paved.Event, error) {
		var e paved.Event
		var t string
		if err := s.Scan(&e.Seq, &t, &e.Level, &e.Message); err != nil {
			return e, fmt.Errorf("sqlite: scan event: %w", err)
		}
		var err error
		e.Time, err = parseTime(t)
		return e, err
	}, "SELECT seq, time, level, message FROM events WHERE deployment = ? AND seq > ? ORDER BY seq", deploymentID, after)
	if err == nil && len(events) == 0 {
		var one int
		err = db.r.QueryRowContext(ctx, "SELECT 1 FROM deployments WHERE id = ?", deploymentID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
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
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "INSERT INTO audit (time, actor, action, target, result) VALUES (?, ?, ?, ?, ?) RETURNING id",
			fmtTime(e.Time), e.Actor, e.Action, e.Target, e.Result).Scan(&id)
		if err != nil {
			return fmt.Errorf("sqlite: audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.ID = id
	return nil
}

// ListAudit returns the newest audit entries first, at most limit (all when
// limit <= 0).
func (db *DB) ListAudit(ctx context.Context, limit int) ([]paved.AuditEntry, error) {
	if limit <= 0 {
		limit = -1
	}
	return queryList(ctx, db.r, func(s scanner) (paved.AuditEntry, error) {
		var e paved.AuditEntry
		var t string
		if err := s.Scan(&e.ID, &t, &e.Actor, &e.Action, &e.Target, &e.Result); err != nil {
			return e, fmt.Errorf("sqlite: scan audit entry: %w", err)
		}
		var err error
		e.Time, err = parseTime(t)
		return e, err
	}, "SELECT id, time, actor, action, target, result FROM audit ORDER BY id DESC LIMIT ?", limit)
}
