package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutSignOff stores a role's sign-off for an app, replacing that role's
// previous one (an upsert on (app, role)). Its app is named, not
// referenced: it need not exist.
func (db *DB) PutSignOff(ctx context.Context, s *paved.SignOff) error {
	if err := record.PrepareSignOff(s); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO signoffs ("+record.SignOffCols+") VALUES (?, ?, ?, ?, ?, ?)"+
			" ON CONFLICT (app, role) DO UPDATE SET signed_by = excluded.signed_by, signed_at = excluded.signed_at,"+
			" policies_digest = excluded.policies_digest, types_digest = excluded.types_digest",
			s.App, s.Role, s.By, fmtTime(s.At), s.Policies, s.Types)
		if err != nil {
			return fmt.Errorf("sqlite: put sign-off: %w", err)
		}
		return nil
	})
}

// ListSignOffs lists an app's sign-offs, one per role, by role; none, not
// ENOTFOUND, for an app without any (or that does not exist).
func (db *DB) ListSignOffs(ctx context.Context, app string) ([]paved.SignOff, error) {
	out, err := queryList(ctx, db.r, func(sc scanner) (paved.SignOff, error) {
		var s paved.SignOff
		var at string
		if err := sc.Scan(&s.App, &s.Role, &s.By, &at, &s.Policies, &s.Types); err != nil {
			return s, fmt.Errorf("sqlite: scan sign-off: %w", err)
		}
		var err error
		s.At, err = parseTime(at)
		return s, err
	}, "SELECT "+record.SignOffCols+" FROM signoffs WHERE app = ? ORDER BY role", app)
	if out == nil && err == nil {
		out = []paved.SignOff{}
	}
	return out, err
}
