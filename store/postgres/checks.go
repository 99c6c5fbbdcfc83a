package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutCheck defines or redefines a manual check (an upsert on scope and
// id); its confirmations stay.
func (db *DB) PutCheck(ctx context.Context, c *paved.ManualCheck) error {
	if err := record.PrepareCheck(c); err != nil {
		return err
	}
	return db.write(ctx, func(tx pgx.Tx) error {
		// A check that now asks something else, or of another role, is
		// confirmed anew; the row lock orders it with confirmations.
		if _, err := tx.Exec(ctx, "SELECT 1 FROM manual_checks WHERE scope = $1 AND id = $2 FOR UPDATE", c.Scope, c.ID); err != nil {
			return fmt.Errorf("postgres: put check: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM check_confirmations WHERE scope = $1 AND check_id = $2 AND EXISTS"+
			" (SELECT 1 FROM manual_checks WHERE scope = $1 AND id = $2 AND (title <> $3 OR role <> $4))", c.Scope, c.ID, c.Title, c.Role); err != nil {
			return fmt.Errorf("postgres: put check: %w", err)
		}
		_, err := tx.Exec(ctx, "INSERT INTO manual_checks ("+record.CheckCols+") VALUES ($1, $2, $3, $4, $5, $6, $7)"+
			" ON CONFLICT (scope, id) DO UPDATE SET title = excluded.title, how = excluded.how, role = excluded.role",
			c.Scope, c.ID, c.Title, c.How, c.Role, c.CreatedBy, c.CreatedAt)
		if err != nil {
			return fmt.Errorf("postgres: put check: %w", err)
		}
		return nil
	})
}

func scanCheck(r pgx.Row) (paved.ManualCheck, error) {
	var c paved.ManualCheck
	if err := r.Scan(&c.Scope, &c.ID, &c.Title, &c.How, &c.Role, &c.CreatedBy, &c.CreatedAt); err != nil {
		return c, err
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return c, nil
}

// GetCheck returns one manual check; ENOTFOUND when there is none.
func (db *DB) GetCheck(ctx context.Context, scope, id string) (*paved.ManualCheck, error) {
	c, err := scanCheck(db.pool.QueryRow(ctx, "SELECT "+record.CheckCols+" FROM manual_checks WHERE scope = $1 AND id = $2", scope, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("check", scope+"/"+id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get check: %w", err)
	}
	return &c, nil
}

// DeleteCheck removes a manual check and its confirmations in one
// transaction; ENOTFOUND when there is no such check.
func (db *DB) DeleteCheck(ctx context.Context, scope, id string) error {
	return db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM manual_checks WHERE scope = $1 AND id = $2", scope, id)
		if err != nil {
			return fmt.Errorf("postgres: delete check: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return record.NotFound("check", scope+"/"+id)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM check_confirmations WHERE scope = $1 AND check_id = $2", scope, id); err != nil {
			return fmt.Errorf("postgres: delete check confirmations: %w", err)
		}
		return nil
	})
}

// ListChecks lists the checks of a scope ("" for all), by scope and id.
func (db *DB) ListChecks(ctx context.Context, scope string) ([]paved.ManualCheck, error) {
	out, err := queryList(ctx, db, scanCheck, "SELECT "+record.CheckCols+" FROM manual_checks WHERE $1 = '' OR scope = $1 ORDER BY scope, id", scope)
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
	return db.write(ctx, func(tx pgx.Tx) error {
		// The check's row, locked (FOR SHARE), must still ask this role: a
		// concurrent delete or change of role waits or wins.
		var role string
		err := tx.QueryRow(ctx, "SELECT role FROM manual_checks WHERE scope = $1 AND id = $2 FOR SHARE", c.Scope, c.CheckID).Scan(&role)
		if errors.Is(err, pgx.ErrNoRows) {
			return record.NotFound("check", c.Scope+"/"+c.CheckID)
		}
		if err != nil {
			return fmt.Errorf("postgres: put confirmation: %w", err)
		}
		if role != string(c.Role) {
			return record.CheckRoleChanged(c)
		}
		_, err = tx.Exec(ctx, "INSERT INTO check_confirmations ("+record.ConfirmationCols+") VALUES ($1, $2, $3, $4, $5, $6)"+
			" ON CONFLICT (scope, subject, check_id) DO UPDATE SET confirmed_by = excluded.confirmed_by, role = excluded.role, confirmed_at = excluded.confirmed_at",
			c.Scope, c.CheckID, c.Subject, c.By, c.Role, c.At)
		if err != nil {
			return fmt.Errorf("postgres: put confirmation: %w", err)
		}
		return nil
	})
}

// ListConfirmations lists a subject's confirmations in a scope, by check.
func (db *DB) ListConfirmations(ctx context.Context, scope, subject string) ([]paved.CheckConfirmation, error) {
	out, err := queryList(ctx, db, func(r pgx.Row) (paved.CheckConfirmation, error) {
		var c paved.CheckConfirmation
		if err := r.Scan(&c.Scope, &c.CheckID, &c.Subject, &c.By, &c.Role, &c.At); err != nil {
			return c, fmt.Errorf("postgres: scan confirmation: %w", err)
		}
		c.At = c.At.UTC()
		return c, nil
	}, "SELECT "+record.ConfirmationCols+" FROM check_confirmations WHERE scope = $1 AND subject = $2 ORDER BY check_id", scope, subject)
	if out == nil && err == nil {
		out = []paved.CheckConfirmation{}
	}
	return out, err
}
