package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"paved.dev/paved/store/record"
)

// InstallationID returns this store's installation id, making it on first
// use: concurrent first calls agree (the insert keeps the first value).
func (db *DB) InstallationID(ctx context.Context) (string, error) {
	var id string
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ('installation_id', ?) ON CONFLICT (key) DO NOTHING",
			"i-"+record.NewID()[:16]); err != nil {
			return fmt.Errorf("sqlite: installation id: %w", err)
		}
		return tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'installation_id'").Scan(&id)
	})
	return id, err
}

// MVPMode reads the MVP mode an admin set; set is false when none was.
func (db *DB) MVPMode(ctx context.Context) (on, set bool, err error) {
	var v string
	err = db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", record.MVPModeKey).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf("sqlite: mvp mode: %w", err)
	}
	if on, err = record.DecodeMVPMode(v); err != nil {
		return false, false, fmt.Errorf("sqlite: %w", err)
	}
	return on, true, nil
}

// SetMVPMode records the MVP mode, replacing the one set before.
func (db *DB) SetMVPMode(ctx context.Context, on bool) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			record.MVPModeKey, record.EncodeMVPMode(on)); err != nil {
			return fmt.Errorf("sqlite: set mvp mode: %w", err)
		}
		return nil
	})
}
