package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// CreateApp stores a new app of an existing team; CreatedAt is set to now
// when zero.
func (db *DB) CreateApp(ctx context.Context, a *paved.App) error {
	if err := record.PrepareApp(a); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, "INSERT INTO apps ("+record.AppCols+") VALUES ($1, $2, $3, $4)", a.Name, a.Team, a.OnCall, a.CreatedAt)
	switch {
	case uniqueViolation(err) != "":
		return record.Exists("app", a.Name)
	case fkViolation(err) != "":
		return record.NotFound("team", a.Team)
	case err != nil:
		return fmt.Errorf("postgres: create app: %w", err)
	}
	return nil
}

func scanApp(r pgx.Row) (paved.App, error) {
	var a paved.App
	err := r.Scan(&a.Name, &a.Team, &a.OnCall, &a.CreatedAt)
	a.CreatedAt = a.CreatedAt.UTC()
	return a, err
}

// GetApp returns the app called name.
func (db *DB) GetApp(ctx context.Context, name string) (*paved.App, error) {
	a, err := scanApp(db.pool.QueryRow(ctx, "SELECT "+record.AppCols+" FROM apps WHERE name = $1", name))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("app", name)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get app: %w", err)
	}
	return &a, nil
}

// ListApps lists apps by name.
func (db *DB) ListApps(ctx context.Context) ([]paved.App, error) {
	return queryList(ctx, db, scanApp, "SELECT "+record.AppCols+" FROM apps ORDER BY name")
}

// UpdateApp saves an app's team, which must exist, and its on-call contact.
func (db *DB) UpdateApp(ctx context.Context, a *paved.App) error {
	if err := record.Required("app", "name", a.Name, "team", a.Team); err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, "UPDATE apps SET team = $1, on_call = $2 WHERE name = $3", a.Team, a.OnCall, a.Name)
	switch {
	case fkViolation(err) != "":
		return record.NoTeam(a.Team)
	case err != nil:
		return fmt.Errorf("postgres: update app: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.NotFound("app", a.Name)
	}
	return nil
}

// DeleteApp deletes an app that has no environment. Its deployments and
// their events stay: they reference no app (migration 6). The app's row is
// locked first: an environment or a deployment created meanwhile waits for
// it (the environment's foreign key check, CreateDeployment's check, share
// that lock), then finds the app gone.
func (db *DB) DeleteApp(ctx context.Context, name string) error {
	return db.write(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM apps WHERE name = $1 FOR UPDATE", name).Scan(&one)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return record.NotFound("app", name)
		case err != nil:
			return fmt.Errorf("postgres: delete app: %w", err)
		}
		envs, total, err := firstNames(ctx, tx, "SELECT name, COUNT(*) OVER () FROM environments WHERE app = $1 ORDER BY name LIMIT $2", name, record.InUseNames)
		if err != nil {
			return err
		}
		if total > 0 {
			return record.AppInUse(name, envs, total)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM apps WHERE name = $1", name); err != nil {
			return fmt.Errorf("postgres: delete app: %w", err)
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
	return db.write(ctx, func(tx pgx.Tx) error {
		// Creates of one namespace on one target take turns (a lock for
		// the transaction), so that no two environments ever share it.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "paved/namespace/"+e.Target+"/"+e.Namespace); err != nil {
			return fmt.Errorf("postgres: create environment: %w", err)
		}
		var app, name string
		err := tx.QueryRow(ctx, "SELECT app, name FROM environments WHERE target = $1 AND namespace = $2 AND namespace != '' LIMIT 1", e.Target, e.Namespace).Scan(&app, &name)
		switch {
		case err == nil:
			return record.NamespaceTaken(e.Target, e.Namespace, app, name)
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("postgres: create environment: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO environments (id, app, name, type, target, namespace, "values", health, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			e.ID, e.App, e.Name, e.Type, e.Target, e.Namespace, enc.Values, enc.Health, e.ExpiresAt, e.CreatedAt)
		switch {
		case uniqueViolation(err) != "":
			return record.Exists("environment", record.EnvironmentKey(e.App, e.Name))
		case fkViolation(err) != "":
			return record.NotFound("app", e.App)
		case err != nil:
			return fmt.Errorf("postgres: create environment: %w", err)
		}
		return nil
	})
}

func scanEnv(r pgx.Row) (paved.Environment, error) {
	var e paved.Environment
	var values, health []byte
	if err := r.Scan(&e.ID, &e.App, &e.Name, &e.Type, &e.Target, &e.Namespace, &values, &health, &e.ExpiresAt, &e.CreatedAt); err != nil {
		return e, err
	}
	e.ExpiresAt = utc(e.ExpiresAt)
	e.CreatedAt = e.CreatedAt.UTC()
	if err := record.DecodeEnvironment(&e, values, health); err != nil {
		return e, fmt.Errorf("postgres: %w", err)
	}
	return e, nil
}

// GetEnvironment returns an app's environment.
func (db *DB) GetEnvironment(ctx context.Context, app, name string) (*paved.Environment, error) {
	e, err := scanEnv(db.pool.QueryRow(ctx, "SELECT "+record.EnvCols+" FROM environments WHERE app = $1 AND name = $2", app, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("environment", record.EnvironmentKey(app, name))
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get environment: %w", err)
	}
	return &e, nil
}

// ListEnvironments lists environments by app and name; with an app,
// ENOTFOUND when the app does not exist.
func (db *DB) ListEnvironments(ctx context.Context, f paved.EnvironmentFilter) ([]paved.Environment, error) {
	var w where
	w.eq("app", f.App)
	w.eq("target", f.Target)
	w.eq("namespace", f.Namespace)
	w.eq("type", string(f.Type))
	envs, err := queryList(ctx, db, scanEnv, "SELECT "+record.EnvCols+" FROM environments"+w.String()+" ORDER BY app, name", w.args...)
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
	tag, err := db.pool.Exec(ctx, "UPDATE environments SET health = $1 WHERE app = $2 AND name = $3", health, app, name)
	if err != nil {
		return fmt.Errorf("postgres: set health: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.NotFound("environment", record.EnvironmentKey(app, name))
	}
	return nil
}

// DeleteEnvironment deletes an environment. It refuses (ECONFLICT) while
// the environment still has resources: their sealed state is what
// deprovisioning needs, so the caller deletes them first.
func (db *DB) DeleteEnvironment(ctx context.Context, app, name string) error {
	tag, err := db.pool.Exec(ctx, "DELETE FROM environments WHERE app = $1 AND name = $2", app, name)
	if fkViolation(err) != "" {
		var n int
		db.pool.QueryRow(ctx, "SELECT COUNT(*) FROM resources WHERE app = $1 AND env = $2", app, name).Scan(&n)
		return record.EnvironmentInUse(app, name, n)
	}
	if err != nil {
		return fmt.Errorf("postgres: delete environment: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.NotFound("environment", record.EnvironmentKey(app, name))
	}
	return nil
}

// SetExpiry sets the expiry of the environment incarnation id.
func (db *DB) SetExpiry(ctx context.Context, id string, at time.Time) error {
	tag, err := db.pool.Exec(ctx, "UPDATE environments SET expires_at = $1 WHERE id = $2", record.Time(at), id)
	if err != nil {
		return fmt.Errorf("postgres: set expiry: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.NotFound("environment", id)
	}
	return nil
}

// ExpiredEnvironments lists environments whose ExpiresAt is at or before
// now, the longest expired first.
func (db *DB) ExpiredEnvironments(ctx context.Context, now time.Time) ([]paved.Environment, error) {
	return queryList(ctx, db, scanEnv, "SELECT "+record.EnvCols+` FROM environments
		WHERE expires_at IS NOT NULL AND expires_at <= $1 ORDER BY expires_at, app, name`, record.Time(now))
}
