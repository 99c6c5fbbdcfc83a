package sqlite

import (
	"context"
	"database/sql"
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
