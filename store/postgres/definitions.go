package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutDefinition stores d as the next version of its definition (1 for a new
// ID), sets d.Version and returns it. Every version is kept. The upsert on
// definition_heads locks the definition's row, so servers writing the same
// definition at once get consecutive versions.
func (db *DB) PutDefinition(ctx context.Context, d *paved.ResourceDefinition) (int, error) {
	if err := record.PrepareDefinition(d); err != nil {
		return 0, err
	}
	var version int
	err := db.write(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO definition_heads (id, version) VALUES ($1, 1)
			ON CONFLICT (id) DO UPDATE SET version = definition_heads.version + 1 RETURNING version`, d.ID).Scan(&version)
		if err != nil {
			return fmt.Errorf("postgres: put definition: %w", err)
		}
		body, err := record.EncodeDefinition(d, version)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO definitions (id, version, body, created_at) VALUES ($1, $2, $3, $4)",
			d.ID, version, body, record.Now())
		if err != nil {
			return fmt.Errorf("postgres: put definition: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	d.Version = version
	return version, nil
}

func scanDefinition(r pgx.Row) (paved.ResourceDefinition, error) {
	var body []byte
	var version int
	if err := r.Scan(&body, &version); err != nil {
		return paved.ResourceDefinition{}, fmt.Errorf("postgres: scan definition: %w", err)
	}
	d, err := record.DecodeDefinition(body, version)
	if err != nil {
		return d, fmt.Errorf("postgres: %w", err)
	}
	return d, nil
}

// ListDefinitions returns the latest version of every definition, by ID.
func (db *DB) ListDefinitions(ctx context.Context) ([]paved.ResourceDefinition, error) {
	return queryList(ctx, db, scanDefinition, `SELECT d.body, d.version FROM definition_heads h
		JOIN definitions d ON d.id = h.id AND d.version = h.version ORDER BY h.id`)
}

// DefinitionHistory returns every version of a definition, oldest first;
// ENOTFOUND when there is none.
func (db *DB) DefinitionHistory(ctx context.Context, id string) ([]paved.ResourceDefinition, error) {
	defs, err := queryList(ctx, db, scanDefinition, "SELECT body, version FROM definitions WHERE id = $1 ORDER BY version", id)
	if err == nil && len(defs) == 0 {
		return nil, record.NotFound("definition", id)
	}
	return defs, err
}

// GetDefinition returns one version of a definition.
func (db *DB) GetDefinition(ctx context.Context, id string, version int) (*paved.ResourceDefinition, error) {
	d, err := scanDefinition(db.pool.QueryRow(ctx, "SELECT body, version FROM definitions WHERE id = $1 AND version = $2", id, version))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.DefinitionVersionNotFound(id, version)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get definition: %w", err)
	}
	return &d, nil
}

// PutResource creates or replaces the resource (app, env, UID, definition)
// of an existing environment. Sealed is kept as opaque bytes. UpdatedAt is
// set to now when zero, Status to active when empty.
func (db *DB) PutResource(ctx context.Context, r *paved.StoredResource) error {
	e, err := record.PrepareResource(r)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO resources (app, env, uid, definition_id, definition_version, driver, status,
			status_reason, outputs, secret_names, sealed, labels, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (app, env, uid, definition_id, driver) DO UPDATE SET definition_version = excluded.definition_version,
			status = excluded.status, status_reason = excluded.status_reason,
			outputs = excluded.outputs, secret_names = excluded.secret_names, sealed = excluded.sealed,
			labels = excluded.labels, updated_at = excluded.updated_at`,
		r.App, r.Env, string(r.UID), r.DefinitionID, r.DefinitionVersion, r.Driver, r.Status, r.StatusReason,
		e.Outputs, e.SecretNames, r.Sealed, e.Labels, r.UpdatedAt)
	if fkViolation(err) != "" {
		return record.NotFound("environment", record.EnvironmentKey(r.App, r.Env))
	}
	if err != nil {
		return fmt.Errorf("postgres: put resource: %w", err)
	}
	return nil
}

func scanResource(row pgx.Row) (paved.StoredResource, error) {
	var r paved.StoredResource
	var uid string
	var outputs, secrets, labels []byte
	if err := row.Scan(&r.App, &r.Env, &uid, &r.DefinitionID, &r.DefinitionVersion, &r.Driver, &r.Status, &r.StatusReason,
		&outputs, &secrets, &r.Sealed, &labels, &r.UpdatedAt); err != nil {
		return r, fmt.Errorf("postgres: scan resource: %w", err)
	}
	r.UID = paved.ResourceUID(uid)
	r.UpdatedAt = r.UpdatedAt.UTC()
	if err := record.DecodeResource(&r, outputs, secrets, labels); err != nil {
		return r, fmt.Errorf("postgres: %w", err)
	}
	return r, nil
}

// ListResources lists resources by app, env, UID and definition; env ""
// lists every environment of the app, app "" every app. ENOTFOUND when the
// named app does not exist.
func (db *DB) ListResources(ctx context.Context, f paved.ResourceFilter) ([]paved.StoredResource, error) {
	var w where
	w.eq("app", f.App)
	w.eq("env", f.Env)
	w.eq("status", string(f.Status))
	res, err := queryList(ctx, db, scanResource, "SELECT "+record.ResourceCols+" FROM resources"+w.String()+
		" ORDER BY app, env, uid, definition_id, driver", w.args...)
	if err == nil && len(res) == 0 && f.App != "" {
		err = db.appExists(ctx, f.App)
	}
	return res, err
}

// SetResourceStatus marks one resource active or orphaned.
func (db *DB) SetResourceStatus(ctx context.Context, k paved.ResourceKey, st paved.ResourceStatus, reason string) error {
	if st != paved.ResourceActive && st != paved.ResourceOrphaned {
		return paved.Errorf(paved.EINVALID, "resource: status %q is neither active nor orphaned", st)
	}
	tag, err := db.pool.Exec(ctx, `UPDATE resources SET status = $1, status_reason = $2, updated_at = $3
		WHERE app = $4 AND env = $5 AND uid = $6 AND definition_id = $7 AND driver = $8`,
		st, reason, record.Now(), k.App, k.Env, string(k.UID), k.Definition, k.Driver)
	if err != nil {
		return fmt.Errorf("postgres: set resource status: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.ResourceNotFound(k)
	}
	return nil
}

// DeleteResource deletes one resource; ENOTFOUND when there is none.
func (db *DB) DeleteResource(ctx context.Context, k paved.ResourceKey) error {
	tag, err := db.pool.Exec(ctx, "DELETE FROM resources WHERE app = $1 AND env = $2 AND uid = $3 AND definition_id = $4 AND driver = $5",
		k.App, k.Env, string(k.UID), k.Definition, k.Driver)
	if err != nil {
		return fmt.Errorf("postgres: delete resource: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.ResourceNotFound(k)
	}
	return nil
}
