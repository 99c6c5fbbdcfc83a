package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

const insertDeploymentSQL = `INSERT INTO deployments (id, kind, app, env, env_id, env_type, target, author, commit_sha,
	commit_time, source, runner, status, error, inventory, revision, rollout, replaced_by, created_at, started_at, finished_at,
	fix, specs, plan, objects)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func insertDeployment(ctx context.Context, stmt *sql.Stmt, d *paved.Deployment, e record.Deployment) error {
	_, err := stmt.ExecContext(ctx, d.ID, d.Kind, d.App, d.Env, d.EnvID, d.EnvType, d.Target, d.Author, d.CommitSHA,
		fmtTimePtr(d.CommitTime), d.Source, d.Runner, d.Status, d.Error, e.Inventory, d.Revision, d.Rollout, d.ReplacedBy,
		fmtTime(d.CreatedAt), fmtTimePtr(d.StartedAt), fmtTimePtr(d.FinishedAt), d.Fix, e.Specs, e.Plan, e.Objects)
	switch {
	case isUnique(err):
		return record.Exists("deployment", d.ID)
	case err != nil:
		return fmt.Errorf("sqlite: create deployment: %w", err)
	}
	return nil
}

// CreateDeployment stores a new deployment of an existing app. The store
// sets an ID when empty, kind deploy and status queued when empty and
// CreatedAt when zero.
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
		// Deployments reference no app, so that they outlive it (migration
		// 6): the app is checked here instead, in the writer's transaction,
		// which no DeleteApp runs beside.
		for _, app := range record.DeploymentApps(ds) {
			var one int
			err := tx.QueryRowContext(ctx, "SELECT 1 FROM apps WHERE name = ?", app).Scan(&one)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return record.NotFound("app", app)
			case err != nil:
				return fmt.Errorf("sqlite: create deployment: %w", err)
			}
		}
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

// scanDeployment scans record.SummaryCols, and the specs, plan and objects
// (record.DeploymentCols) when full.
func scanDeployment(s scanner, full bool) (*paved.Deployment, error) {
	var d paved.Deployment
	var specs, plan, objects, inventory, created string
	var commitTime, started, finished sql.NullString
	dest := []any{&d.ID, &d.Kind, &d.App, &d.Env, &d.EnvID, &d.EnvType, &d.Target, &d.Author, &d.CommitSHA, &commitTime,
		&d.Source, &d.Runner, &d.Status, &d.Error, &inventory, &d.Revision, &d.Rollout, &d.ReplacedBy, &created, &started, &finished, &d.Fix}
	if full {
		dest = append(dest, &specs, &plan, &objects)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if err := record.DecodeDeployment(&d, specs, plan, objects, inventory); err != nil {
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

const getDeploymentSQL = "SELECT " + record.DeploymentCols + " FROM deployments WHERE id = ?"

// GetDeployment returns a deployment by ID, in full.
func (db *DB) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	d, err := scanDeployment(db.r.QueryRowContext(ctx, getDeploymentSQL, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("deployment", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get deployment: %w", err)
	}
	return d, nil
}

// DeploymentStatus reads a deployment's status alone.
func (db *DB) DeploymentStatus(ctx context.Context, id string) (paved.DeploymentStatus, error) {
	var st paved.DeploymentStatus
	err := db.r.QueryRowContext(ctx, "SELECT status FROM deployments WHERE id = ?", id).Scan(&st)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", record.NotFound("deployment", id)
	case err != nil:
		return "", fmt.Errorf("sqlite: deployment status: %w", err)
	}
	return st, nil
}

// scanSummary scans a deployment without its specs, plan and objects.
func scanSummary(s scanner) (paved.Deployment, error) {
	d, err := scanDeployment(s, false)
	if err != nil {
		return paved.Deployment{}, fmt.Errorf("sqlite: scan deployment: %w", err)
	}
	return *d, nil
}

// ListDeployments lists deployment summaries, newest first, at most
// f.Limit (100 when 0, all when negative). With an app, ENOTFOUND when the
// app does not exist.
func (db *DB) ListDeployments(ctx context.Context, f paved.DeploymentFilter) ([]paved.Deployment, error) {
	q, args, err := listDeploymentsSQL(f)
	if err != nil {
		return nil, err
	}
	ds, err := queryList(ctx, db.r, scanSummary, q, args...)
	if err == nil && len(ds) == 0 && f.App != "" {
		err = db.appExists(ctx, f.App)
	}
	return ds, err
}

// listDeploymentsSQL is the query of ListDeployments, newest first, and
// its arguments.
func listDeploymentsSQL(f paved.DeploymentFilter) (string, []any, error) {
	where, args, err := deploymentFilter(f)
	if err != nil {
		return "", nil, err
	}
	order := " ORDER BY created_at DESC, n DESC LIMIT ?"
	if f.Oldest {
		order = " ORDER BY created_at, n LIMIT ?"
	}
	// SQLite reads a negative limit as none.
	return "SELECT " + record.SummaryCols + " FROM deployments" + where + order,
		append(args, record.DeploymentLimit(f.Limit)), nil
}

// lastSuccessfulSQL is the one definition of an environment's last
// successful deployment. A succeeded deployment without a finish time
// never wins: NULLs sort last here but first in PostgreSQL, and both
// stores must agree.
const lastSuccessfulSQL = "SELECT " + record.DeploymentCols + ` FROM deployments
	WHERE env_id = ? AND status = 'succeeded' AND finished_at IS NOT NULL ORDER BY finished_at DESC, n DESC LIMIT 1`

func deploymentFilter(f paved.DeploymentFilter) (string, []any, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.App != "" {
		add("app = ?", f.App)
	}
	if f.Env != "" {
		add("env = ?", f.Env)
	}
	if f.EnvID != "" {
		add("env_id = ?", f.EnvID)
	}
	if f.Runner != "" {
		add("runner = ?", f.Runner)
	}
	if f.Kind != "" {
		add("kind = ?", string(f.Kind))
	}
	if f.EnvType != "" {
		add("env_type = ?", string(f.EnvType))
	}
	if f.CreatedSince != nil {
		add("created_at >= ?", fmtTime(*f.CreatedSince))
	}
	if f.CreatedBefore != nil {
		add("created_at < ?", fmtTime(*f.CreatedBefore))
	}
	if f.FinishedAfter != nil {
		add("finished_at > ?", fmtTime(*f.FinishedAfter))
	}
	if len(f.Statuses) > 0 {
		// Literals, not parameters: the statuses are the four of the
		// domain (checked), and the partial index of unfinished
		// deployments serves only a query that names them.
		in, err := record.StatusList(f.Statuses)
		if err != nil {
			return "", nil, err
		}
		where = append(where, "status IN ("+in+")")
	}
	if len(where) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(where, " AND "), args, nil
}

// StartDeployment moves a queued deployment of runner to running.
func (db *DB) StartDeployment(ctx context.Context, id, runner string, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deployments SET status = 'running', started_at = ?
			WHERE id = ? AND status = 'queued' AND runner = ?`, fmtTime(record.Time(at)), id, runner)
		if err != nil {
			return fmt.Errorf("sqlite: start deployment: %w", err)
		}
		return db.moved(ctx, tx, res, id, runner, "queued")
	})
}

// RecordInventory writes what runner's running deployment may have applied.
func (db *DB) RecordInventory(ctx context.Context, id, runner string, inventory []paved.ObjectRef) error {
	inv, err := record.Encode(inventory)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deployments SET inventory = ? WHERE id = ? AND status = 'running' AND runner = ?`, inv, id, runner)
		if err != nil {
			return fmt.Errorf("sqlite: record inventory: %w", err)
		}
		return db.moved(ctx, tx, res, id, runner, "running")
	})
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
	at = record.Time(at)
	return db.write(ctx, func(tx *sql.Tx) error {
		// Objects are written once: a rollback carries them from its
		// creation, a deployment gets them here. The writer transaction is
		// exclusive: the lease cannot change between the check and the
		// write.
		res, err := tx.ExecContext(ctx, `UPDATE deployments SET status = ?, error = ?, inventory = ?, revision = ?, rollout = ?,
				replaced_by = ?, finished_at = ?, objects = CASE WHEN objects = 'null' THEN ? ELSE objects END
			WHERE id = ? AND runner = ? AND (status = 'running' OR (status = 'queued' AND ? = 'failed'))
				AND (? = '' OR EXISTS (SELECT 1 FROM leases WHERE name = ? AND holder = ? AND until >= ?))`,
			status, r.Error, inventory, r.Revision, r.Rollout, r.ReplacedBy, fmtTime(at), objects, id, runner, status,
			lease, lease, runner, fmtTime(at))
		if err != nil {
			return fmt.Errorf("sqlite: finish deployment: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 || lease == "" {
			return db.moved(ctx, tx, res, id, runner, "running")
		}
		var st, rn string
		switch err := tx.QueryRowContext(ctx, "SELECT status, runner FROM deployments WHERE id = ?", id).Scan(&st, &rn); {
		case errors.Is(err, sql.ErrNoRows):
			return record.NotFound("deployment", id)
		case err != nil:
			return fmt.Errorf("sqlite: finish deployment: %w", err)
		}
		return record.NotFinished(id, runner, lease, st, rn)
	})
}

// moved turns an update that matched no row into ENOTFOUND or ECONFLICT.
func (db *DB) moved(ctx context.Context, tx *sql.Tx, res sql.Result, id, runner, want string) error {
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1 FROM deployments WHERE id = ?", id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return record.NotFound("deployment", id)
	}
	return record.NotMine(id, runner, want)
}

// LastSuccessful returns the succeeded deployment of an environment
// incarnation that finished last; ENOTFOUND when there is none.
func (db *DB) LastSuccessful(ctx context.Context, envID string) (*paved.Deployment, error) {
	d, err := scanDeployment(db.r.QueryRowContext(ctx, lastSuccessfulSQL, envID), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NoSuccessfulDeployment(envID)
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

const eventsSQL = "SELECT seq, time, level, message FROM events WHERE deployment = ? AND seq > ? ORDER BY seq"

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
	}, eventsSQL, deploymentID, after)
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

// ListAudit returns the newest audit entries first, at most f.Limit (100
// when 0).
func (db *DB) ListAudit(ctx context.Context, f paved.AuditFilter) ([]paved.AuditEntry, error) {
	q, args := listAuditSQL(f)
	return queryList(ctx, db.r, func(s scanner) (paved.AuditEntry, error) {
		var e paved.AuditEntry
		var t string
		if err := s.Scan(&e.ID, &t, &e.Actor, &e.Action, &e.Target, &e.Result); err != nil {
			return e, fmt.Errorf("sqlite: scan audit entry: %w", err)
		}
		var err error
		e.Time, err = parseTime(t)
		return e, err
	}, q, args...)
}

// listAuditSQL is the query of ListAudit and its arguments: newest first
// by time, the id breaking ties, which the index audit_time serves with or
// without filters.
func listAuditSQL(f paved.AuditFilter) (string, []any) {
	q := "SELECT id, time, actor, action, target, result FROM audit WHERE 1 = 1"
	var args []any
	if f.Actor != "" {
		q += " AND actor = ?"
		args = append(args, f.Actor)
	}
	if f.Action != "" {
		q += " AND action = ?"
		args = append(args, f.Action)
	}
	if f.Target != "" {
		q += " AND target = ?"
		args = append(args, f.Target)
	}
	if f.Result != "" {
		q += " AND result = ?"
		args = append(args, f.Result)
	}
	if f.Since != nil {
		q += " AND time >= ?"
		args = append(args, fmtTime(*f.Since))
	}
	if f.Before != nil {
		q += " AND time < ?"
		args = append(args, fmtTime(*f.Before))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = record.DefaultLimit
	}
	return q + " ORDER BY time DESC, id DESC LIMIT ?", append(args, limit)
}
