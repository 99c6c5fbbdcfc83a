package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutSignOff stores a role's sign-off for an app, replacing that role's
// previous one (an upsert on (app, role): of two at once, the later
// write wins, whole). Its app is named, not referenced: it need not exist.
func (db *DB) PutSignOff(ctx context.Context, s *paved.SignOff) error {
	if err := record.PrepareSignOff(s); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, "INSERT INTO signoffs ("+record.SignOffCols+") VALUES ($1, $2, $3, $4, $5, $6)"+
		" ON CONFLICT (app, role) DO UPDATE SET signed_by = excluded.signed_by, signed_at = excluded.signed_at,"+
		" policies_digest = excluded.policies_digest, types_digest = excluded.types_digest",
		s.App, s.Role, s.By, s.At, s.Policies, s.Types)
	if err != nil {
		return fmt.Errorf("postgres: put sign-off: %w", err)
	}
	return nil
}

// ListSignOffs lists an app's sign-offs, one per role, by role; none, not
// ENOTFOUND, for an app without any (or that does not exist).
func (db *DB) ListSignOffs(ctx context.Context, app string) ([]paved.SignOff, error) {
	out, err := queryList(ctx, db, func(r pgx.Row) (paved.SignOff, error) {
		var s paved.SignOff
		if err := r.Scan(&s.App, &s.Role, &s.By, &s.At, &s.Policies, &s.Types); err != nil {
			return s, fmt.Errorf("postgres: scan sign-off: %w", err)
		}
		s.At = s.At.UTC()
		return s, nil
	}, "SELECT "+record.SignOffCols+" FROM signoffs WHERE app = $1 ORDER BY role", app)
	if out == nil && err == nil {
		out = []paved.SignOff{}
	}
	return out, err
}
