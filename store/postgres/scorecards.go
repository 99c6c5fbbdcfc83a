package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutScorecard stores sc as the next version of its scorecard (1 for a
// new id), as PutPolicy stores policies: the upsert on scorecard_heads
// locks the scorecard's row, so servers writing one at once get
// consecutive versions.
func (db *DB) PutScorecard(ctx context.Context, sc *paved.Scorecard) (int, error) {
	if err := record.PrepareScorecard(sc); err != nil {
		return 0, err
	}
	var version int
	err := db.write(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO scorecard_heads (id, version) VALUES ($1, 1)
			ON CONFLICT (id) DO UPDATE SET version = scorecard_heads.version + 1 RETURNING version`, sc.ID).Scan(&version)
		if err != nil {
			return fmt.Errorf("postgres: put scorecard: %w", err)
		}
		body, err := record.EncodeScorecard(sc, version)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO scorecard_versions (id, version, body, created_at) VALUES ($1, $2, $3, $4)",
			sc.ID, version, body, record.Now())
		if err != nil {
			return fmt.Errorf("postgres: put scorecard: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	sc.Version = version
	return version, nil
}

// ListScorecards returns the latest version of every scorecard, by id.
func (db *DB) ListScorecards(ctx context.Context) ([]paved.Scorecard, error) {
	out, err := queryList(ctx, db, func(r pgx.Row) (paved.Scorecard, error) {
		var body []byte
		var version int
		if err := r.Scan(&body, &version); err != nil {
			return paved.Scorecard{}, fmt.Errorf("postgres: scan scorecard: %w", err)
		}
		return record.DecodeScorecard(body, version)
	}, `SELECT v.body, v.version FROM scorecard_heads h
		JOIN scorecard_versions v ON v.id = h.id AND v.version = h.version ORDER BY h.id`)
	if out == nil && err == nil {
		out = []paved.Scorecard{}
	}
	return out, err
}

const scorecardResultsSQL = `SELECT app, scorecard, seq, version, level, passed, failed, recorded_at FROM scorecard_results
	WHERE app = $1 AND scorecard = $2 ORDER BY seq DESC LIMIT $3`

func scanScorecardRecord(row pgx.Row) (paved.ScorecardRecord, int, error) {
	var r paved.ScorecardRecord
	var seq int
	var passed, failed []byte
	if err := row.Scan(&r.App, &r.Scorecard, &seq, &r.Version, &r.Level, &passed, &failed, &r.At); err != nil {
		return r, 0, err
	}
	r.At = r.At.UTC()
	var err error
	if r.Passed, err = record.DecodeNames(passed); err != nil {
		return r, 0, fmt.Errorf("postgres: scorecard result: %w", err)
	}
	if r.Failed, err = record.DecodeNames(failed); err != nil {
		return r, 0, fmt.Errorf("postgres: scorecard result: %w", err)
	}
	return r, seq, nil
}

// RecordScorecardResult stores r as the app's next result on its
// scorecard unless the latest is the same. Servers recording one app's
// result on one scorecard at once take turns, by a transaction-scoped
// advisory lock on the pair, so a change is never stored twice nor lost.
func (db *DB) RecordScorecardResult(ctx context.Context, r *paved.ScorecardRecord) (bool, error) {
	if err := record.PrepareScorecardRecord(r); err != nil {
		return false, err
	}
	passed, err := record.Encode(r.Passed)
	if err != nil {
		return false, err
	}
	failed, err := record.Encode(r.Failed)
	if err != nil {
		return false, err
	}
	stored := false
	err = db.write(ctx, func(tx pgx.Tx) error {
		stored = false // on each run: a transaction aborted for a concurrent one is run again
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('scorecard_results/' || $1 || '/' || $2, 0))", r.App, r.Scorecard); err != nil {
			return fmt.Errorf("postgres: record scorecard result: %w", err)
		}
		latest, seq, err := scanScorecardRecord(tx.QueryRow(ctx, scorecardResultsSQL, r.App, r.Scorecard, 1))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return fmt.Errorf("postgres: record scorecard result: %w", err)
		case latest.Same(r):
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO scorecard_results (app, scorecard, seq, version, level, passed, failed, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.App, r.Scorecard, seq+1, r.Version, string(r.Level), passed, failed, r.At); err != nil {
			return fmt.Errorf("postgres: record scorecard result: %w", err)
		}
		stored = true
		return nil
	})
	return stored, err
}

// ScorecardResults lists an app's results on a scorecard, newest first;
// none, not ENOTFOUND, for an app or scorecard without any.
func (db *DB) ScorecardResults(ctx context.Context, app, scorecard string, limit int) ([]paved.ScorecardRecord, error) {
	out, err := queryList(ctx, db, func(row pgx.Row) (paved.ScorecardRecord, error) {
		r, _, err := scanScorecardRecord(row)
		if err != nil {
			return r, fmt.Errorf("postgres: scan scorecard result: %w", err)
		}
		return r, nil
	}, scorecardResultsSQL, app, scorecard, record.ScorecardResultLimit(limit))
	if out == nil && err == nil {
		out = []paved.ScorecardRecord{}
	}
	return out, err
}
