package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutDefinition stores d as the next version of its definition (1 for a new
// ID), sets d.Version and returns it. Every version is kept.
func (db *DB) PutDefinition(ctx context.Context, d *paved.ResourceDefinition) (int, error) {
	if err := record.PrepareDefinition(d); err != nil {
		return 0, err
	}
	var version int
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO definition_heads (id, version) VALUES (?, 1)
			ON CONFLICT (id) DO UPDATE SET version = version + 1 RETURNING version`, d.ID).Scan(&version)
		if err != nil {
			return fmt.Errorf("sqlite: put definition: %w", err)
		}
		body, err := record.EncodeDefinition(d, version)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO definitions (id, version, body, created_at) VALUES (?, ?, ?, ?)",
			d.ID, version, body, fmtTime(record.Now()))
		if err != nil {
			return fmt.Errorf("sqlite: put definition: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	d.Version = version
	return version, nil
}

func scanDefinition(s scanner) (paved.ResourceDefinition, error) {
	var body string
	var version int
	if err := s.Scan(&body, &version); err != nil {
		return paved.ResourceDefinition{}, err
	}
	d, err := record.DecodeDefinition(body, version)
	if err != nil {
		return d, fmt.Errorf("sqlite: %w", err)
	}
	return d, nil
}

// ListDefinitions returns the latest version of every definition, by ID.
func (db *DB) ListDefinitions(ctx context.Context) ([]paved.ResourceDefinition, error) {
	return queryList(ctx, db.r, scanDefinition, `SELECT d.body, d.version FROM definition_heads h
		JOIN definitions d ON d.id = h.id AND d.version = h.version ORDER BY h.id`)
}

// DefinitionHistory returns every version of a definition, oldest first;
// ENOTFOUND when there is none.
func (db *DB) DefinitionHistory(ctx context.Context, id string) ([]paved.ResourceDefinition, error) {
	defs, err := queryList(ctx, db.r, scanDefinition, "SELECT body, version FROM definitions WHERE id = ? ORDER BY version", id)
	if err == nil && len(defs) == 0 {
		return nil, record.NotFound("definition", id)
	}
	return defs, err
}

// GetDefinition returns one version of a definition.
func (db *DB) GetDefinition(ctx context.Context, id string, version int) (*paved.ResourceDefinition, error) {
	d, err := scanDefinition(db.r.QueryRowContext(ctx, "SELECT body, version FROM definitions WHERE id = ? AND version = ?", id, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.DefinitionVersionNotFound(id, version)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get definition: %w", err)
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
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO resources (app, env, uid, definition_id, definition_version, driver, status,
				status_reason, outputs, secret_names, sealed, labels, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (app, env, uid, definition_id, driver) DO UPDATE SET definition_version = excluded.definition_version,
				status = excluded.status, status_reason = excluded.status_reason,
				outputs = excluded.outputs, secret_names = excluded.secret_names, sealed = excluded.sealed,
				labels = excluded.labels, updated_at = excluded.updated_at`,
			r.App, r.Env, string(r.UID), r.DefinitionID, r.DefinitionVersion, r.Driver, r.Status, r.StatusReason,
			e.Outputs, e.SecretNames, r.Sealed, e.Labels, fmtTime(r.UpdatedAt))
		if isForeignKey(err) {
			return record.NotFound("environment", record.EnvironmentKey(r.App, r.Env))
		}
		if err != nil {
			return fmt.Errorf("sqlite: put resource: %w", err)
		}
		return nil
	})
}

func scanResource(s scanner) (paved.StoredResource, error) {
	var r paved.StoredResource
	var uid, outputs, secrets, labels, updated string
	if err := s.Scan(&r.App, &r.Env, &uid, &r.DefinitionID, &r.DefinitionVersion, &r.Driver, &r.Status, &r.StatusReason,
		&outputs, &secrets, &r.Sealed, &labels, &updated); err != nil {
		return r, fmt.Errorf("sqlite: scan resource: %w", err)
	}
	r.UID = paved.ResourceUID(uid)
	if err := record.DecodeResource(&r, outputs, secrets, labels); err != nil {
		return r, fmt.Errorf("sqlite: %w", err)
	}
	var err error
	r.UpdatedAt, err = parseTime(updated)
	return r, err
}

// ListResources lists resources by app, env, UID and definition; env ""
// lists every environment of the app, app "" every app. ENOTFOUND when the
// named app does not exist.
func (db *DB) ListResources(ctx context.Context, f paved.ResourceFilter) ([]paved.StoredResource, error) {
	q, args := listResourcesSQL(f)
	res, err := queryList(ctx, db.r, scanResource, q, args...)
	if err == nil && len(res) == 0 && f.App != "" {
		err = db.appExists(ctx, f.App)
	}
	return res, err
}

// listResourcesSQL is the query of ListResources and its arguments.
func listResourcesSQL(f paved.ResourceFilter) (string, []any) {
	q := "SELECT " + record.ResourceCols + " FROM resources WHERE 1 = 1"
	var args []any
	for _, c := range []struct{ col, v string }{{"app", f.App}, {"env", f.Env}, {"status", string(f.Status)}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	return q + " ORDER BY app, env, uid, definition_id, driver", args
}

// SetResourceStatus marks one resource active or orphaned.
func (db *DB) SetResourceStatus(ctx context.Context, k paved.ResourceKey, st paved.ResourceStatus, reason string) error {
	if st != paved.ResourceActive && st != paved.ResourceOrphaned {
		return paved.Errorf(paved.EINVALID, "resource: status %q is neither active nor orphaned", st)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE resources SET status = ?, status_reason = ?, updated_at = ?
			WHERE app = ? AND env = ? AND uid = ? AND definition_id = ? AND driver = ?`,
			st, reason, fmtTime(record.Now()), k.App, k.Env, string(k.UID), k.Definition, k.Driver)
		if err != nil {
			return fmt.Errorf("sqlite: set resource status: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.ResourceNotFound(k)
		}
		return nil
	})
}

// DeleteResource deletes one resource; ENOTFOUND when there is none.
func (db *DB) DeleteResource(ctx context.Context, k paved.ResourceKey) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM resources WHERE app = ? AND env = ? AND uid = ? AND definition_id = ? AND driver = ?",
			k.App, k.Env, string(k.UID), k.Definition, k.Driver)
		if err != nil {
			return fmt.Errorf("sqlite: delete resource: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.ResourceNotFound(k)
		}
		return nil
	})
}
