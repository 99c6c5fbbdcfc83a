package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutCheck defines or redefines a manual check (an upsert on scope and
// id); its confirmations stay.
func (db *DB) PutCheck(ctx context.Context, c *paved.ManualCheck) error {
	if err := record.PrepareCheck(c); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		// A check that now asks something else, or of another role, is
		// confirmed anew.
		if _, err := tx.ExecContext(ctx, "DELETE FROM check_confirmations WHERE scope = ? AND check_id = ? AND EXISTS"+
			" (SELECT 1 FROM manual_checks WHERE scope = ? AND id = ? AND (title <> ? OR role <> ?))", c.Scope, c.ID, c.Scope, c.ID, c.Title, c.Role); err != nil {
			return fmt.Errorf("sqlite: put check: %w", err)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO manual_checks ("+record.CheckCols+") VALUES (?, ?, ?, ?, ?, ?, ?)"+
			" ON CONFLICT (scope, id) DO UPDATE SET title = excluded.title, how = excluded.how, role = excluded.role",
			c.Scope, c.ID, c.Title, c.How, c.Role, c.CreatedBy, fmtTime(c.CreatedAt))
		if err != nil {
			return fmt.Errorf("sqlite: put check: %w", err)
		}
		return nil
	})
}

func scanCheck(sc scanner) (paved.ManualCheck, error) {
	var c paved.ManualCheck
	var at string
	if err := sc.Scan(&c.Scope, &c.ID, &c.Title, &c.How, &c.Role, &c.CreatedBy, &at); err != nil {
		return c, err
	}
	var err error
	c.CreatedAt, err = parseTime(at)
	return c, err
}

// GetCheck returns one manual check; ENOTFOUND when there is none.
func (db *DB) GetCheck(ctx context.Context, scope, id string) (*paved.ManualCheck, error) {
	c, err := scanCheck(db.r.QueryRowContext(ctx, "SELECT "+record.CheckCols+" FROM manual_checks WHERE scope = ? AND id = ?", scope, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("check", scope+"/"+id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get check: %w", err)
	}
	return &c, nil
}

// DeleteCheck removes a manual check and its confirmations in one
// transaction; ENOTFOUND when there is no such check.
func (db *DB) DeleteCheck(ctx context.Context, scope, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM manual_checks WHERE scope = ? AND id = ?", scope, id)
		if err != nil {
			return fmt.Errorf("sqlite: delete check: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("check", scope+"/"+id)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM check_confirmations WHERE scope = ? AND check_id = ?", scope, id); err != nil {
			return fmt.Errorf("sqlite: delete check confirmations: %w", err)
		}
		return nil
	})
}

// ListChecks lists the checks of a scope ("" for all), by scope and id.
func (db *DB) ListChecks(ctx context.Context, scope string) ([]paved.ManualCheck, error) {
	out, err := queryList(ctx, db.r, scanCheck, "SELECT "+record.CheckCols+" FROM manual_checks WHERE ? = '' OR scope = ? ORDER BY scope, id", scope, scope)
	if out == nil && err == nil {
		out = []paved.ManualCheck{}
	}
	return out, err
}

// PutConfirmation stores a confirmation, replacing the subject's earlier
// one of the same check.
func (db *DB) PutConfirmation(ctx context.Context, c *paved.CheckConfirmation) error {
	if err := record.PrepareConfirmation(c); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO check_confirmations ("+record.ConfirmationCols+") SELECT ?, ?, ?, ?, ?, ?"+
			" WHERE EXISTS (SELECT 1 FROM manual_checks WHERE scope = ? AND id = ? AND role = ?)"+
			" ON CONFLICT (scope, subject, check_id) DO UPDATE SET confirmed_by = excluded.confirmed_by, role = excluded.role, confirmed_at = excluded.confirmed_at",
			c.Scope, c.CheckID, c.Subject, c.By, c.Role, fmtTime(c.At), c.Scope, c.CheckID, c.Role)
		if err != nil {
			return fmt.Errorf("sqlite: put confirmation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM manual_checks WHERE scope = ? AND id = ?", c.Scope, c.CheckID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return record.NotFound("check", c.Scope+"/"+c.CheckID)
			}
			return record.CheckRoleChanged(c)
		}
		return nil
	})
}

// ListConfirmations lists a subject's confirmations in a scope, by check.
func (db *DB) ListConfirmations(ctx context.Context, scope, subject string) ([]paved.CheckConfirmation, error) {
	out, err := queryList(ctx, db.r, func(sc scanner) (paved.CheckConfirmation, error) {
		var c paved.CheckConfirmation
		var at string
		if err := sc.Scan(&c.Scope, &c.CheckID, &c.Subject, &c.By, &c.Role, &at); err != nil {
			return c, fmt.Errorf("sqlite: scan confirmation: %w", err)
		}
		var err error
		c.At, err = parseTime(at)
		return c, err
	}, "SELECT "+record.ConfirmationCols+" FROM check_confirmations WHERE scope = ? AND subject = ? ORDER BY check_id", scope, subject)
	if out == nil && err == nil {
		out = []paved.CheckConfirmation{}
	}
	return out, err
}
