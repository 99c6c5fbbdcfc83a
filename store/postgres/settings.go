package postgres

import (
	"context"
	"fmt"

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
