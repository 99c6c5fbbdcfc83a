package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

var _ paved.TargetStore = (*DB)(nil)

// PutTarget stores a new registered target; CreatedAt is set to now when
// zero. Kubeconfig is never stored: the caller seals it into Sealed.
func (db *DB) PutTarget(ctx context.Context, t *paved.TargetInfo) error {
	if err := record.PrepareTarget(t); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO targets (name, type, context, in_cluster, server, sealed, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.Name, t.Type, t.Context, t.InCluster, t.Server, sealedArg(t.Sealed), fmtTime(t.CreatedAt))
		if isUnique(err) {
			return record.Exists("target", t.Name)
		}
		if err != nil {
			return fmt.Errorf("sqlite: put target: %w", err)
		}
		return nil
	})
}

// sealedArg stores no credentials as NULL, so that nil and empty read back
// the same (nil) from both stores.
func sealedArg(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func scanTarget(s scanner) (paved.TargetInfo, error) {
	var t paved.TargetInfo
	var created string
	if err := s.Scan(&t.Name, &t.Type, &t.Context, &t.InCluster, &t.Server, &t.Sealed, &created); err != nil {
		return t, err
	}
	if len(t.Sealed) == 0 {
		t.Sealed = nil
	}
	var err error
	t.CreatedAt, err = parseTime(created)
	return t, err
}

// GetTarget returns the registered target called name, Sealed included.
func (db *DB) GetTarget(ctx context.Context, name string) (*paved.TargetInfo, error) {
	t, err := scanTarget(db.r.QueryRowContext(ctx, "SELECT "+record.TargetCols+" FROM targets WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("target", name)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get target: %w", err)
	}
	return &t, nil
}

// ListTargets lists registered targets by name.
func (db *DB) ListTargets(ctx context.Context) ([]paved.TargetInfo, error) {
	return queryList(ctx, db.r, func(s scanner) (paved.TargetInfo, error) {
		t, err := scanTarget(s)
		if err != nil {
			return t, fmt.Errorf("sqlite: scan target: %w", err)
		}
		return t, nil
	}, "SELECT "+record.TargetCols+" FROM targets ORDER BY name")
}

// DeleteTarget deletes a registered target; ENOTFOUND when there is none.
func (db *DB) DeleteTarget(ctx context.Context, name string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM targets WHERE name = ?", name)
		if err != nil {
			return fmt.Errorf("sqlite: delete target: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("target", name)
		}
		return nil
	})
}
