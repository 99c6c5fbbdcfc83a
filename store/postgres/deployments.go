package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

const insertDeploymentSQL = `INSERT INTO deployments (id, kind, app, env, env_id, env_type, target, author, commit_sha,
	commit_time, source, runner, status, error, inventory, revision, rollout, replaced_by, created_at, started_at, finished_at,
	fix, specs, plan, objects)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`

func deploymentError(d *paved.Deployment, err error) error {
	switch {
	case uniqueViolation(err) != "":
		return record.Exists("deployment", d.ID)
	case err != nil:
		return fmt.Errorf("postgres: create deployment: %w", err)
	}
	return nil
}

// CreateDeployment stores a new deployment of an existing app. The store
// sets an ID when empty, kind deploy and status queued when empty and
// CreatedAt when zero.
func (db *DB) CreateDeployment(ctx context.Context, d *paved.Deployment) error {
	return db.CreateDeployments(ctx, []*paved.Deployment{d})
}

// CreateDeployments stores many deployments in one transaction, sent as one
// batch: imports and benchmarks seed thousands of rows in seconds this way.
func (db *DB) CreateDeployments(ctx context.Context, ds []*paved.Deployment) error {
	var args [][]any
	for _, d := range ds {
		e, err := record.PrepareDeployment(d)
		if err != nil {
			return err
		}
		args = append(args, []any{d.ID, d.Kind, d.App, d.Env, d.EnvID, d.EnvType, d.Target, d.Author, d.CommitSHA,
			d.CommitTime, d.Source, d.Runner, d.Status, d.Error, e.Inventory, d.Revision, d.Rollout, d.ReplacedBy, d.CreatedAt,
			d.StartedAt, d.FinishedAt, d.Fix, e.Specs, e.Plan, e.Objects})
	}
	apps := record.DeploymentApps(ds)
	return db.write(ctx, func(tx pgx.Tx) error {
		// A batch of its own on each run: a transaction aborted for a
		// concurrent one is run again.
		batch := &pgx.Batch{}
		for _, a := range args {
			batch.Queue(insertDeploymentSQL, a...)
		}
		// Deployments reference no app, so that they outlive it (migration
		// 6): the apps are checked here instead, their rows locked as a
		// foreign key check would. A deployment and the deletion of its
		// app take turns: one stored first is kept, one after is refused.
		rows, _ := tx.Query(ctx, "SELECT name FROM apps WHERE name = ANY($1) FOR KEY SHARE", apps)
		found, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("postgres: create deployment: %w", err)
		}
		for _, app := range apps {
			if !slices.Contains(found, app) {
				return record.NotFound("app", app)
			}
		}
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

// scanDeployment scans record.SummaryCols, and the specs, plan and objects
// (record.DeploymentCols) when full.
func scanDeployment(r pgx.Row, full bool) (*paved.Deployment, error) {
	var d paved.Deployment
	var specs, plan, objects, inventory []byte
	dest := []any{&d.ID, &d.Kind, &d.App, &d.Env, &d.EnvID, &d.EnvType, &d.Target, &d.Author, &d.CommitSHA, &d.CommitTime,
		&d.Source, &d.Runner, &d.Status, &d.Error, &inventory, &d.Revision, &d.Rollout, &d.ReplacedBy, &d.CreatedAt, &d.StartedAt, &d.FinishedAt, &d.Fix}
	if full {
		dest = append(dest, &specs, &plan, &objects)
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	d.CreatedAt = d.CreatedAt.UTC()
	d.CommitTime = utc(d.CommitTime)
	d.StartedAt = utc(d.StartedAt)
	d.FinishedAt = utc(d.FinishedAt)
	if err := record.DecodeDeployment(&d, specs, plan, objects, inventory); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &d, nil
}

// scanSummary scans a deployment without its specs, plan and objects.
func scanSummary(r pgx.Row) (paved.Deployment, error) {
	d, err := scanDeployment(r, false)
	if err != nil {
		return paved.Deployment{}, fmt.Errorf("postgres: scan deployment: %w", err)
	}
	return *d, nil
}

// GetDeployment returns a deployment by ID, in full.
func (db *DB) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	d, err := scanDeployment(db.pool.QueryRow(ctx, "SELECT "+record.DeploymentCols+" FROM deployments WHERE id = $1", id), true)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("deployment", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get deployment: %w", err)
	}
	return d, nil
}

// DeploymentStatus reads a deployment's status alone.
func (db *DB) DeploymentStatus(ctx context.Context, id string) (paved.DeploymentStatus, error) {
	var st string
	err := db.pool.QueryRow(ctx, "SELECT status FROM deployments WHERE id = $1", id).Scan(&st)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", record.NotFound("deployment", id)
	case err != nil:
		return "", fmt.Errorf("postgres: deployment status: %w", err)
	}
	return paved.DeploymentStatus(st), nil
}

// ListDeployments lists deployment summaries, newest first, at most
// f.Limit (100 when 0, all when negative). With an app, ENOTFOUND when the
// app does not exist.
func (db *DB) ListDeployments(ctx context.Context, f paved.DeploymentFilter) ([]paved.Deployment, error) {
	var w where
	w.eq("app", f.App)
	w.eq("env", f.Env)
	w.eq("env_id", f.EnvID)
	w.eq("runner", f.Runner)
	w.eq("kind", string(f.Kind))
	w.eq("env_type", string(f.EnvType))
	if f.CreatedSince != nil {
		w.add("created_at >= ?", *f.CreatedSince)
	}
	if f.CreatedBefore != nil {
		w.add("created_at < ?", *f.CreatedBefore)
	}
	if f.FinishedAfter != nil {
		w.add("finished_at > ?", *f.FinishedAfter)
	}
	if len(f.Statuses) > 0 {
		// Literals, not a parameter: the statuses are the four of the
		// domain (checked), and the partial index of unfinished
		// deployments serves only a query that names them.
		in, err := record.StatusList(f.Statuses)
		if err != nil {
			return nil, err
		}
		w.conds = append(w.conds, "status IN ("+in+")")
	}
	q := "SELECT " + record.SummaryCols + " FROM deployments" + w.String() + " ORDER BY created_at DESC, n DESC"
	if f.Oldest {
		q = "SELECT " + record.SummaryCols + " FROM deployments" + w.String() + " ORDER BY created_at, n"
	}
	if limit := record.DeploymentLimit(f.Limit); limit >= 0 {
		q += " LIMIT " + w.next(limit)
	}
	ds, err := queryList(ctx, db, scanSummary, q, w.args...)
	if err == nil && len(ds) == 0 && f.App != "" {
		err = db.appExists(ctx, f.App)
	}
	return ds, err
}

// StartDeployment moves a queued deployment of runner to running.
func (db *DB) StartDeployment(ctx context.Context, id, runner string, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE deployments SET status = 'running', started_at = $1
		WHERE id = $2 AND status = 'queued' AND runner = $3`, record.Time(at), id, runner)
	if err != nil {
		return fmt.Errorf("postgres: start deployment: %w", err)
	}
	return db.moved(ctx, tag.RowsAffected(), id, runner, "queued")
}

// RecordInventory writes what runner's running deployment may have applied.
func (db *DB) RecordInventory(ctx context.Context, id, runner string, inventory []paved.ObjectRef) error {
	inv, err := record.Encode(inventory)
	if err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, `UPDATE deployments SET inventory = $1 WHERE id = $2 AND status = 'running' AND runner = $3`, inv, id, runner)
	if err != nil {
		return fmt.Errorf("postgres: record inventory: %w", err)
	}
	return db.moved(ctx, tag.RowsAffected(), id, runner, "running")
}

// FinishDeployment records the result of runner's running deployment (a
// queued one may only fail): a compare and swap on the status and the
// runner, and, when lease is not "", on runner holding that lease unexpired
// at at, so that a server that lost its lease never overwrites what another
// recorded nor records a success over another's work.
func (db *DB) FinishDeployment(ctx context.Context, id, runner, lease string, status paved.DeploymentStatus, r *paved.DeploymentResult, at time.Time) error {
	if err := record.CheckFinish(status); err != nil {
		return err
	}
	objects, inventory, err := record.EncodeResult(r)
	if err != nil {
		return err
	}
	// Objects are written once: a rollback carries them from its creation,
	// a deployment gets them here. FOR SHARE locks the lease's row until
	// the update commits: another server's AcquireLease waits for it, and
	// one that took the lease first is seen (the row is re-read after the
	// wait), so the check and the write are one compare and swap.
	tag, err := db.pool.Exec(ctx, `UPDATE deployments SET status = $1, error = $2, inventory = $3, revision = $4, rollout = $5,
			finished_at = $6, objects = CASE WHEN objects = 'null'::jsonb THEN $7::jsonb ELSE objects END, replaced_by = $10
		WHERE id = $8 AND runner = $9 AND (status = 'running' OR (status = 'queued' AND $1 = 'failed'))
			AND ($11 = '' OR EXISTS (SELECT 1 FROM leases WHERE name = $11 AND holder = $9 AND until >= $6 FOR SHARE))`,
		string(status), r.Error, inventory, r.Revision, string(r.Rollout), record.Time(at), objects, id, runner, r.ReplacedBy, lease)
	if err != nil {
		return fmt.Errorf("postgres: finish deployment: %w", err)
	}
	if tag.RowsAffected() > 0 || lease == "" {
		return db.moved(ctx, tag.RowsAffected(), id, runner, "running")
	}
	var st, rn string
	switch err := db.pool.QueryRow(ctx, "SELECT status, runner FROM deployments WHERE id = $1", id).Scan(&st, &rn); {
	case errors.Is(err, pgx.ErrNoRows):
		return record.NotFound("deployment", id)
	case err != nil:
		return fmt.Errorf("postgres: finish deployment: %w", err)
	}
	return record.NotFinished(id, runner, lease, st, rn)
}

// moved turns an update that matched no row into ENOTFOUND or ECONFLICT.
func (db *DB) moved(ctx context.Context, n int64, id, runner, want string) error {
	if n > 0 {
		return nil
	}
	var one int
	if err := db.pool.QueryRow(ctx, "SELECT 1 FROM deployments WHERE id = $1", id).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
		return record.NotFound("deployment", id)
	}
	return record.NotMine(id, runner, want)
}

// LastSuccessful returns the succeeded deployment of an environment
// incarnation that finished last; ENOTFOUND when there is none.
func (db *DB) LastSuccessful(ctx context.Context, envID string) (*paved.Deployment, error) {
	// Without a finish time a succeeded deployment never wins: DESC puts
	// NULLs first here, last in SQLite, and both stores must agree.
	d, err := scanDeployment(db.pool.QueryRow(ctx, "SELECT "+record.DeploymentCols+` FROM deployments
		WHERE env_id = $1 AND status = 'succeeded' AND finished_at IS NOT NULL ORDER BY finished_at DESC, n DESC LIMIT 1`, envID), true)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NoSuccessfulDeployment(envID)
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
	err := db.pool.WriteRow(ctx, "INSERT INTO audit (time, actor, action, target, result) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		e.Time, e.Actor, e.Action, e.Target, e.Result).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("postgres: audit: %w", err)
	}
	return nil
}

// ListAudit returns the newest audit entries first, at most f.Limit (100
// when 0).
func (db *DB) ListAudit(ctx context.Context, f paved.AuditFilter) ([]paved.AuditEntry, error) {
	var w where
	w.eq("actor", f.Actor)
	w.eq("action", f.Action)
	w.eq("target", f.Target)
	w.eq("result", f.Result)
	if f.Since != nil {
		w.add("time >= ?", *f.Since)
	}
	if f.Before != nil {
		w.add("time < ?", *f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = record.DefaultLimit
	}
	// Newest first by time, the id breaking ties: the index audit_time
	// serves it, with or without filters.
	q := "SELECT id, time, actor, action, target, result FROM audit" + w.String() + " ORDER BY time DESC, id DESC LIMIT " + w.next(limit)
	return queryList(ctx, db, func(r pgx.Row) (paved.AuditEntry, error) {
		var e paved.AuditEntry
		if err := r.Scan(&e.ID, &e.Time, &e.Actor, &e.Action, &e.Target, &e.Result); err != nil {
			return e, fmt.Errorf("postgres: scan audit entry: %w", err)
		}
		e.Time = e.Time.UTC()
		return e, nil
	}, q, w.args...)
}
