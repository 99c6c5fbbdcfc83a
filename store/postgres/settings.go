package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved/store/record"
)

// InstallationID returns this store's installation id, making it on first
// use: concurrent first calls, from any server, agree (the insert keeps
// the first value).
func (db *DB) InstallationID(ctx context.Context) (string, error) {
	_, err := db.pool.Exec(ctx, "INSERT INTO settings (key, value) VALUES ('installation_id', $1) ON CONFLICT (key) DO NOTHING",
		"i-"+record.NewID()[:16])
	if err != nil {
		return "", fmt.Errorf("postgres: installation id: %w", err)
	}
	var id string
	if err := db.pool.QueryRow(ctx, "SELECT value FROM settings WHERE key = 'installation_id'").Scan(&id); err != nil {
		return "", fmt.Errorf("postgres: installation id: %w", err)
	}
	return id, nil
}

// MVPMode reads the MVP mode an admin set; set is false when none was.
func (db *DB) MVPMode(ctx context.Context) (on, set bool, err error) {
	var v string
	err = db.pool.QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", record.MVPModeKey).Scan(&v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf("postgres: mvp mode: %w", err)
	}
	if on, err = record.DecodeMVPMode(v); err != nil {
		return false, false, fmt.Errorf("postgres: %w", err)
	}
	return on, true, nil
}

// SetMVPMode records the MVP mode, replacing the one set before (one
// atomic upsert: of two at once, the later wins).
func (db *DB) SetMVPMode(ctx context.Context, on bool) error {
	if _, err := db.pool.Exec(ctx, "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		record.MVPModeKey, record.EncodeMVPMode(on)); err != nil {
		return fmt.Errorf("postgres: set mvp mode: %w", err)
	}
	return nil
}
