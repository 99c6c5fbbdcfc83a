package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// CreateApp stores a new app of an existing team; CreatedAt is set to now
// when zero.
func (db *DB) CreateApp(ctx context.Context, a *paved.App) error {
	if err := record.PrepareApp(a); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO apps ("+record.AppCols+") VALUES (?, ?, ?, ?)",
			a.Name, a.Team, a.OnCall, fmtTime(a.CreatedAt))
		switch {
		case isUnique(err):
			return record.Exists("app", a.Name)
		case isForeignKey(err):
			return record.NotFound("team", a.Team)
		case err != nil:
			return fmt.Errorf("sqlite: create app: %w", err)
		}
		return nil
	})
}

func scanApp(s scanner) (paved.App, error) {
	var a paved.App
	var created string
	if err := s.Scan(&a.Name, &a.Team, &a.OnCall, &created); err != nil {
		return a, err
	}
	var err error
	a.CreatedAt, err = parseTime(created)
	return a, err
}

// GetApp returns the app called name.
func (db *DB) GetApp(ctx context.Context, name string) (*paved.App, error) {
	a, err := scanApp(db.r.QueryRowContext(ctx, "SELECT "+record.AppCols+" FROM apps WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("app", name)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get app: %w", err)
	}
	return &a, nil
}

// ListApps lists apps by name.
func (db *DB) ListApps(ctx context.Context) ([]paved.App, error) {
	return queryList(ctx, db.r, scanApp, "SELECT "+record.AppCols+" FROM apps ORDER BY name")
}

// UpdateApp saves an app's team, which must exist, and its on-call contact.
func (db *DB) UpdateApp(ctx context.Context, a *paved.App) error {
	if err := record.Required("app", "name", a.Name, "team", a.Team); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE apps SET team = ?, on_call = ? WHERE name = ?", a.Team, a.OnCall, a.Name)
		switch {
		case isForeignKey(err):
			return record.NoTeam(a.Team)
		case err != nil:
			return fmt.Errorf("sqlite: update app: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("app", a.Name)
		}
		return nil
	})
}

// DeleteApp deletes an app that has no environment. Its deployments and
// their events stay: they reference no app (migration 6). The writer is
// exclusive: no environment is created between the check and the delete.
func (db *DB) DeleteApp(ctx context.Context, name string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		envs, total, err := firstNames(ctx, tx, "SELECT name, COUNT(*) OVER () FROM environments WHERE app = ? ORDER BY name LIMIT ?", name, record.InUseNames)
		if err != nil {
			return err
		}
		if total > 0 {
			return record.AppInUse(name, envs, total)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM apps WHERE name = ?", name)
		if err != nil {
			return fmt.Errorf("sqlite: delete app: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("app", name)
		}
		return nil
	})
}

// CreateEnvironment stores a new environment of an existing app; it gets an
// ID when it has none and CreatedAt now when zero.
func (db *DB) CreateEnvironment(ctx context.Context, e *paved.Environment) error {
	enc, err := record.PrepareEnvironment(e)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		// The writer transaction is exclusive: no other environment can
		// take the namespace between the check and the insert.
		var app, name string
		err := tx.QueryRowContext(ctx, "SELECT app, name FROM environments WHERE target = ? AND namespace = ? AND namespace != '' LIMIT 1", e.Target, e.Namespace).Scan(&app, &name)
		switch {
		case err == nil:
			return record.NamespaceTaken(e.Target, e.Namespace, app, name)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite: create environment: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO environments (id, app, name, type, target, namespace, "values", health, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.App, e.Name, e.Type, e.Target, e.Namespace, enc.Values, enc.Health, fmtTimePtr(e.ExpiresAt), fmtTime(e.CreatedAt))
		switch {
		case isUnique(err):
			return record.Exists("environment", record.EnvironmentKey(e.App, e.Name))
		case isForeignKey(err):
			return record.NotFound("app", e.App)
		case err != nil:
			return fmt.Errorf("sqlite: create environment: %w", err)
		}
		return nil
	})
}

func scanEnv(s scanner) (paved.Environment, error) {
	var e paved.Environment
	var values, health, created string
	var expires sql.NullString
	if err := s.Scan(&e.ID, &e.App, &e.Name, &e.Type, &e.Target, &e.Namespace, &values, &health, &expires, &created); err != nil {
		return e, err
	}
	if err := record.DecodeEnvironment(&e, values, health); err != nil {
		return e, fmt.Errorf("sqlite: %w", err)
	}
	var err error
	if e.ExpiresAt, err = parseTimePtr(expires); err != nil {
		return e, err
	}
	e.CreatedAt, err = parseTime(created)
	return e, err
}

// GetEnvironment returns an app's environment.
func (db *DB) GetEnvironment(ctx context.Context, app, name string) (*paved.Environment, error) {
	e, err := scanEnv(db.r.QueryRowContext(ctx, "SELECT "+record.EnvCols+" FROM environments WHERE app = ? AND name = ?", app, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("environment", record.EnvironmentKey(app, name))
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get environment: %w", err)
	}
	return &e, nil
}

// ListEnvironments lists environments by app and name; with an app,
// ENOTFOUND when the app does not exist.
func (db *DB) ListEnvironments(ctx context.Context, f paved.EnvironmentFilter) ([]paved.Environment, error) {
	q := "SELECT " + record.EnvCols + " FROM environments WHERE 1 = 1"
	var args []any
	for _, c := range []struct{ col, v string }{{"app", f.App}, {"target", f.Target}, {"namespace", f.Namespace}, {"type", string(f.Type)}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	envs, err := queryList(ctx, db.r, scanEnv, q+" ORDER BY app, name", args...)
	if err == nil && len(envs) == 0 && f.App != "" {
		err = db.appExists(ctx, f.App)
	}
	return envs, err
}

// SetHealth records an environment's health.
func (db *DB) SetHealth(ctx context.Context, app, name string, h paved.EnvironmentHealth) error {
	health, err := record.EncodeHealth(&h)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE environments SET health = ? WHERE app = ? AND name = ?", health, app, name)
		if err != nil {
			return fmt.Errorf("sqlite: set health: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("environment", record.EnvironmentKey(app, name))
		}
		return nil
	})
}

// DeleteEnvironment deletes an environment. It refuses (ECONFLICT) while
// the environment still has resources: their sealed state is what
// deprovisioning needs, so the caller deletes them first.
func (db *DB) DeleteEnvironment(ctx context.Context, app, name string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM environments WHERE app = ? AND name = ?", app, name)
		if isForeignKey(err) {
			var n int
			tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM resources WHERE app = ? AND env = ?", app, name).Scan(&n)
			return record.EnvironmentInUse(app, name, n)
		}
		if err != nil {
			return fmt.Errorf("sqlite: delete environment: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("environment", record.EnvironmentKey(app, name))
		}
		return nil
	})
}

// SetExpiry sets the expiry of the environment incarnation id.
func (db *DB) SetExpiry(ctx context.Context, id string, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE environments SET expires_at = ? WHERE id = ?", fmtTime(record.Time(at)), id)
		if err != nil {
			return fmt.Errorf("sqlite: set expiry: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("environment", id)
		}
		return nil
	})
}

// ExpiredEnvironments lists environments whose ExpiresAt is at or before
// now, the longest expired first.
func (db *DB) ExpiredEnvironments(ctx context.Context, now time.Time) ([]paved.Environment, error) {
	return queryList(ctx, db.r, scanEnv, "SELECT "+record.EnvCols+` FROM environments
		WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, app, name`, fmtTime(record.Time(now)))
}
