package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutScorecard stores sc as the next version of its scorecard (1 for a
// new id), as PutPolicy stores policies, sets sc.Version and returns it.
func (db *DB) PutScorecard(ctx context.Context, sc *paved.Scorecard) (int, error) {
	if err := record.PrepareScorecard(sc); err != nil {
		return 0, err
	}
	var version int
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO scorecard_heads (id, version) VALUES (?, 1)
			ON CONFLICT (id) DO UPDATE SET version = version + 1 RETURNING version`, sc.ID).Scan(&version)
		if err != nil {
			return fmt.Errorf("sqlite: put scorecard: %w", err)
		}
		body, err := record.EncodeScorecard(sc, version)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO scorecard_versions (id, version, body, created_at) VALUES (?, ?, ?, ?)",
			sc.ID, version, body, fmtTime(record.Now()))
		if err != nil {
			return fmt.Errorf("sqlite: put scorecard: %w", err)
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
	out, err := queryList(ctx, db.r, func(s scanner) (paved.Scorecard, error) {
		var body string
		var version int
		if err := s.Scan(&body, &version); err != nil {
			return paved.Scorecard{}, fmt.Errorf("sqlite: scan scorecard: %w", err)
		}
		return record.DecodeScorecard(body, version)
	}, `SELECT v.body, v.version FROM scorecard_heads h
		JOIN scorecard_versions v ON v.id = h.id AND v.version = h.version ORDER BY h.id`)
	if out == nil && err == nil {
		out = []paved.Scorecard{}
	}
	return out, err
}

// scorecardResultsSQL reads an app's results on a scorecard, newest first,
// by the key.
const scorecardResultsSQL = `SELECT app, scorecard, seq, version, level, passed, failed, recorded_at FROM scorecard_results
	WHERE app = ? AND scorecard = ? ORDER BY seq DESC LIMIT ?`

func scanScorecardRecord(s scanner) (paved.ScorecardRecord, int, error) {
	var r paved.ScorecardRecord
	var seq int
	var passed, failed, at string
	if err := s.Scan(&r.App, &r.Scorecard, &seq, &r.Version, &r.Level, &passed, &failed, &at); err != nil {
		return r, 0, err
	}
	var err error
	if r.Passed, err = record.DecodeNames(passed); err != nil {
		return r, 0, fmt.Errorf("sqlite: scorecard result: %w", err)
	}
	if r.Failed, err = record.DecodeNames(failed); err != nil {
		return r, 0, fmt.Errorf("sqlite: scorecard result: %w", err)
	}
	r.At, err = parseTime(at)
	return r, seq, err
}

// RecordScorecardResult stores r as the app's next result on its
// scorecard unless the latest is the same; one transaction on the one
// writer, so two records never race.
func (db *DB) RecordScorecardResult(ctx context.Context, r *paved.ScorecardRecord) (bool, error) {
	if err := record.PrepareScorecardRecord(r); err != nil {
		return false, err
	}
	stored := false
	err := db.write(ctx, func(tx *sql.Tx) error {
		latest, seq, err := scanScorecardRecord(tx.QueryRowContext(ctx, scorecardResultsSQL, r.App, r.Scorecard, 1))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("sqlite: record scorecard result: %w", err)
		case latest.Same(r):
			return nil
		}
		passed, err := record.Encode(r.Passed)
		if err != nil {
			return err
		}
		failed, err := record.Encode(r.Failed)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO scorecard_results (app, scorecard, seq, version, level, passed, failed, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.App, r.Scorecard, seq+1, r.Version, string(r.Level), passed, failed, fmtTime(r.At)); err != nil {
			return fmt.Errorf("sqlite: record scorecard result: %w", err)
		}
		stored = true
		return nil
	})
	return stored, err
}

// ScorecardResults lists an app's results on a scorecard, newest first;
// none, not ENOTFOUND, for an app or scorecard without any.
func (db *DB) ScorecardResults(ctx context.Context, app, scorecard string, limit int) ([]paved.ScorecardRecord, error) {
	out, err := queryList(ctx, db.r, func(s scanner) (paved.ScorecardRecord, error) {
		r, _, err := scanScorecardRecord(s)
		if err != nil {
			return r, fmt.Errorf("sqlite: scan scorecard result: %w", err)
		}
		return r, nil
	}, scorecardResultsSQL, app, scorecard, record.ScorecardResultLimit(limit))
	if out == nil && err == nil {
		out = []paved.ScorecardRecord{}
	}
	return out, err
}
