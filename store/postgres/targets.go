package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

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
	_, err := db.pool.Exec(ctx, `INSERT INTO targets (name, type, context, in_cluster, server, sealed, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.Name, t.Type, t.Context, t.InCluster, t.Server, sealedArg(t.Sealed), t.CreatedAt)
	if uniqueViolation(err) != "" {
		return record.Exists("target", t.Name)
	}
	if err != nil {
		return fmt.Errorf("postgres: put target: %w", err)
	}
	return nil
}

// sealedArg stores no credentials as NULL, so that nil and empty read back
// the same (nil) from both stores.
func sealedArg(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func scanTarget(r pgx.Row) (paved.TargetInfo, error) {
	var t paved.TargetInfo
	if err := r.Scan(&t.Name, &t.Type, &t.Context, &t.InCluster, &t.Server, &t.Sealed, &t.CreatedAt); err != nil {
		return t, err
	}
	if len(t.Sealed) == 0 {
		t.Sealed = nil
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// GetTarget returns the registered target called name, Sealed included.
func (db *DB) GetTarget(ctx context.Context, name string) (*paved.TargetInfo, error) {
	t, err := scanTarget(db.pool.QueryRow(ctx, "SELECT "+record.TargetCols+" FROM targets WHERE name = $1", name))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("target", name)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get target: %w", err)
	}
	return &t, nil
}

// ListTargets lists registered targets by name.
func (db *DB) ListTargets(ctx context.Context) ([]paved.TargetInfo, error) {
	return queryList(ctx, db, func(r pgx.Row) (paved.TargetInfo, error) {
		t, err := scanTarget(r)
		if err != nil {
			return t, fmt.Errorf("postgres: scan target: %w", err)
		}
		return t, nil
	}, "SELECT "+record.TargetCols+" FROM targets ORDER BY name")
}

// DeleteTarget deletes a registered target; ENOTFOUND when there is none.
func (db *DB) DeleteTarget(ctx context.Context, name string) error {
	tag, err := db.pool.Exec(ctx, "DELETE FROM targets WHERE name = $1", name)
	if err != nil {
		return fmt.Errorf("postgres: delete target: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.NotFound("target", name)
	}
	return nil
}
