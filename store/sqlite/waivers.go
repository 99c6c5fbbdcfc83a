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

// CreateWaiver stores a new waiver, whose caller set its ID and every
// field. Its app is named, not referenced: it need not exist, and the
// waiver outlives it.
func (db *DB) CreateWaiver(ctx context.Context, w *paved.Waiver) error {
	if err := record.PrepareWaiver(w); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO waivers ("+record.WaiverCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			w.ID, w.Rule, w.App, w.Env, w.Reason, w.Status, w.RequestedBy, fmtTime(w.RequestedAt), w.Owner,
			w.DecidedBy, fmtTimePtr(w.DecidedAt), fmtTime(w.ExpiresAt))
		if isUnique(err) {
			return record.Exists("waiver", w.ID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create waiver: %w", err)
		}
		return nil
	})
}

// decideWaiverSQL decides a waiver only while it is requested, and returns
// it as stored.
const decideWaiverSQL = "UPDATE waivers SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'requested' RETURNING " + record.WaiverCols

// DecideWaiver sets a requested waiver's status, decider and decision time
// in one update and returns the waiver as stored; ECONFLICT when it is
// already decided, ENOTFOUND when there is none. The writer is exclusive:
// of two decisions of one waiver, the second finds it decided.
func (db *DB) DecideWaiver(ctx context.Context, id string, status paved.WaiverStatus, by string, at time.Time) (*paved.Waiver, error) {
	at, err := record.PrepareDecision(status, by, at)
	if err != nil {
		return nil, err
	}
	var w paved.Waiver
	err = db.write(ctx, func(tx *sql.Tx) error {
		var err error
		w, err = scanWaiver(tx.QueryRowContext(ctx, decideWaiverSQL, status, by, fmtTime(at), id))
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite: decide waiver: %w", err)
		}
		// Nothing was requested: say why.
		var was paved.WaiverStatus
		err = tx.QueryRowContext(ctx, "SELECT status FROM waivers WHERE id = ?", id).Scan(&was)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return record.NoWaiver(id)
		case err != nil:
			return fmt.Errorf("sqlite: decide waiver: %w", err)
		}
		return record.WaiverDecided(id, was)
	})
	if err != nil {
		return nil, err
	}
	return &w, nil
}

func scanWaiver(s scanner) (paved.Waiver, error) {
	var w paved.Waiver
	var requested, expires string
	var decided sql.NullString
	if err := s.Scan(&w.ID, &w.Rule, &w.App, &w.Env, &w.Reason, &w.Status, &w.RequestedBy, &requested, &w.Owner,
		&w.DecidedBy, &decided, &expires); err != nil {
		return w, err
	}
	var err error
	if w.RequestedAt, err = parseTime(requested); err != nil {
		return w, err
	}
	if w.DecidedAt, err = parseTimePtr(decided); err != nil {
		return w, err
	}
	w.ExpiresAt, err = parseTime(expires)
	return w, err
}

// GetWaiver returns the waiver id.
func (db *DB) GetWaiver(ctx context.Context, id string) (*paved.Waiver, error) {
	w, err := scanWaiver(db.r.QueryRowContext(ctx, "SELECT "+record.WaiverCols+" FROM waivers WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NoWaiver(id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get waiver: %w", err)
	}
	return &w, nil
}

// listWaiversSQL is the read of ListWaivers.
func listWaiversSQL(f paved.WaiverFilter) (string, []any) {
	q := "SELECT " + record.WaiverCols + " FROM waivers WHERE 1 = 1"
	var args []any
	for _, c := range []struct{ col, v string }{{"app", f.App}, {"env", f.Env}, {"status", string(f.Status)}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	return q + " ORDER BY requested_at DESC, id DESC", args
}

// ListWaivers lists waivers newest first (by RequestedAt, then ID), of an
// app, an environment and a status when the filter names them; none, not
// ENOTFOUND, for an app that does not exist (or no longer does).
func (db *DB) ListWaivers(ctx context.Context, f paved.WaiverFilter) ([]paved.Waiver, error) {
	q, args := listWaiversSQL(f)
	return queryList(ctx, db.r, func(s scanner) (paved.Waiver, error) {
		w, err := scanWaiver(s)
		if err != nil {
			return w, fmt.Errorf("sqlite: scan waiver: %w", err)
		}
		return w, nil
	}, q, args...)
}
