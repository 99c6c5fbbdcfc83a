package postgres

import (
	"context"
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

// PutResource creates or replaces the resource of an existing environment.
// Sealed is kept as opaque bytes. UpdatedAt is set to now when zero.
func (db *DB) PutResource(ctx context.Context, r *paved.StoredResource) error {
	e, err := record.PrepareResource(r)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO resources (app, env, uid, definition_id, driver, outputs, secret_names, sealed, labels, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (app, env, uid) DO UPDATE SET definition_id = excluded.definition_id, driver = excluded.driver,
			outputs = excluded.outputs, secret_names = excluded.secret_names, sealed = excluded.sealed,
			labels = excluded.labels, updated_at = excluded.updated_at`,
		r.App, r.Env, string(r.UID), r.DefinitionID, r.Driver, e.Outputs, e.SecretNames, r.Sealed, e.Labels, r.UpdatedAt)
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
	if err := row.Scan(&r.App, &r.Env, &uid, &r.DefinitionID, &r.Driver, &outputs, &secrets, &r.Sealed, &labels, &r.UpdatedAt); err != nil {
		return r, fmt.Errorf("postgres: scan resource: %w", err)
	}
	r.UID = paved.ResourceUID(uid)
	r.UpdatedAt = r.UpdatedAt.UTC()
	if err := record.DecodeResource(&r, outputs, secrets, labels); err != nil {
		return r, fmt.Errorf("postgres: %w", err)
	}
	return r, nil
}

// ListResources lists the resources of an app's environment by UID; env ""
// lists every environment of the app, app "" every app. ENOTFOUND when the
// named app does not exist.
func (db *DB) ListResources(ctx context.Context, app, env string) ([]paved.StoredResource, error) {
	// One statement per filter, so that each uses the primary key (a
	// generic plan of "$1 = '' OR app = $1" cannot).
	query := "SELECT app, env, uid, definition_id, driver, outputs, secret_names, sealed, labels, updated_at FROM resources"
	var args []any
	switch {
	case app != "" && env != "":
		query, args = query+" WHERE app = $1 AND env = $2", []any{app, env}
	case app != "":
		query, args = query+" WHERE app = $1", []any{app}
	case env != "":
		query, args = query+" WHERE env = $1", []any{env}
	}
	res, err := queryList(ctx, db, scanResource, query+" ORDER BY app, env, uid", args...)
	if err == nil && len(res) == 0 && app != "" {
		err = db.appExists(ctx, app)
	}
	return res, err
}

// DeleteResource deletes one resource; ENOTFOUND when there is none.
func (db *DB) DeleteResource(ctx context.Context, app, env string, uid paved.ResourceUID) error {
	tag, err := db.pool.Exec(ctx, "DELETE FROM resources WHERE app = $1 AND env = $2 AND uid = $3", app, env, string(uid))
	if err != nil {
		return fmt.Errorf("postgres: delete resource: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.ResourceNotFound(app, env, uid)
	}
	return nil
}
