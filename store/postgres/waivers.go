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

// CreateWaiver stores a new waiver, whose caller set its ID and every
// field. Its app is named, not referenced: it need not exist, and the
// waiver outlives it.
func (db *DB) CreateWaiver(ctx context.Context, w *paved.Waiver) error {
	if err := record.PrepareWaiver(w); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, "INSERT INTO waivers ("+record.WaiverCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
		w.ID, w.Rule, w.App, w.Env, w.Reason, w.Status, w.RequestedBy, w.RequestedAt, w.Owner, w.DecidedBy, w.DecidedAt, w.ExpiresAt)
	if uniqueViolation(err) != "" {
		return record.Exists("waiver", w.ID)
	}
	if err != nil {
		return fmt.Errorf("postgres: create waiver: %w", err)
	}
	return nil
}

// DecideWaiver sets a requested waiver's status, decider and decision time
// in one update and returns the waiver as stored; ECONFLICT when it is
// already decided, ENOTFOUND when there is none. Servers deciding one
// waiver at once queue on its row, and the update re-checks the status
// after the wait (READ COMMITTED): one wins, the others update nothing.
// Only then is the status read, in a statement of its own, so that it sees
// the winner's decision (the update's snapshot predates it).
func (db *DB) DecideWaiver(ctx context.Context, id string, status paved.WaiverStatus, by string, at time.Time) (*paved.Waiver, error) {
	at, err := record.PrepareDecision(status, by, at)
	if err != nil {
		return nil, err
	}
	w, err := scanWaiver(db.pool.WriteRow(ctx, "UPDATE waivers SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'requested' RETURNING "+record.WaiverCols,
		status, by, at, id))
	switch {
	case err == nil:
		return &w, nil
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("postgres: decide waiver: %w", err)
	}
	var was paved.WaiverStatus
	err = db.pool.QueryRow(ctx, "SELECT status FROM waivers WHERE id = $1", id).Scan(&was)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, record.NoWaiver(id)
	case err != nil:
		return nil, fmt.Errorf("postgres: decide waiver: %w", err)
	}
	return nil, record.WaiverDecided(id, was)
}

func scanWaiver(r pgx.Row) (paved.Waiver, error) {
	var w paved.Waiver
	if err := r.Scan(&w.ID, &w.Rule, &w.App, &w.Env, &w.Reason, &w.Status, &w.RequestedBy, &w.RequestedAt, &w.Owner,
		&w.DecidedBy, &w.DecidedAt, &w.ExpiresAt); err != nil {
		return w, err
	}
	w.RequestedAt, w.ExpiresAt = w.RequestedAt.UTC(), w.ExpiresAt.UTC()
	w.DecidedAt = utc(w.DecidedAt)
	return w, nil
}

// GetWaiver returns the waiver id.
func (db *DB) GetWaiver(ctx context.Context, id string) (*paved.Waiver, error) {
	w, err := scanWaiver(db.pool.QueryRow(ctx, "SELECT "+record.WaiverCols+" FROM waivers WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NoWaiver(id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get waiver: %w", err)
	}
	return &w, nil
}

// ListWaivers lists waivers newest first (by RequestedAt, then ID), of an
// app, an environment and a status when the filter names them; none, not
// ENOTFOUND, for an app that does not exist (or no longer does).
func (db *DB) ListWaivers(ctx context.Context, f paved.WaiverFilter) ([]paved.Waiver, error) {
	var w where
	w.eq("app", f.App)
	w.eq("env", f.Env)
	w.eq("status", string(f.Status))
	return queryList(ctx, db, func(r pgx.Row) (paved.Waiver, error) {
		wv, err := scanWaiver(r)
		if err != nil {
			return wv, fmt.Errorf("postgres: scan waiver: %w", err)
		}
		return wv, nil
	}, "SELECT "+record.WaiverCols+" FROM waivers"+w.String()+" ORDER BY requested_at DESC, id DESC", w.args...)
}
