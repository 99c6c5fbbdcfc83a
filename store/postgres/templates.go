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

// PutTemplate stores a version of a template with its files. A version
// stored before is left as it is when its digest is the same (stored
// false) and refused (ECONFLICT) when not. Of two servers putting one
// version at once, the insert of the second waits on the first's row and
// then inserts nothing; the digest read after it sees the first's.
func (db *DB) PutTemplate(ctx context.Context, t *paved.Template) (bool, error) {
	if err := record.PrepareTemplate(t); err != nil {
		return false, err
	}
	body, err := record.Encode(t)
	if err != nil {
		return false, err
	}
	stored := false
	err = db.write(ctx, func(tx pgx.Tx) error {
		stored = false // on each run: a transaction aborted for a concurrent one is run again
		tag, err := tx.Exec(ctx, `INSERT INTO templates (name, version, digest, body, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (name, version) DO NOTHING`, t.Name, t.Version, t.Digest, body, t.CreatedAt)
		if err != nil {
			return fmt.Errorf("postgres: put template: %w", err)
		}
		if tag.RowsAffected() == 1 {
			stored = true
			return nil
		}
		var digest string
		if err := tx.QueryRow(ctx, "SELECT digest FROM templates WHERE name = $1 AND version = $2", t.Name, t.Version).Scan(&digest); err != nil {
			return fmt.Errorf("postgres: put template: %w", err)
		}
		if digest != t.Digest {
			return record.TemplateVersionTaken(t.Name, t.Version)
		}
		return nil
	})
	return stored, err
}

func scanTemplate(r pgx.Row) (paved.Template, error) {
	var body []byte
	if err := r.Scan(&body); err != nil {
		return paved.Template{}, err
	}
	t, err := record.DecodeTemplate(body)
	if err != nil {
		return t, fmt.Errorf("postgres: %w", err)
	}
	return t, nil
}

// GetTemplate returns one version of a template; ENOTFOUND when none.
func (db *DB) GetTemplate(ctx context.Context, name, version string) (*paved.Template, error) {
	t, err := scanTemplate(db.pool.QueryRow(ctx, "SELECT body FROM templates WHERE name = $1 AND version = $2", name, version))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("template", name+" "+version)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get template: %w", err)
	}
	return &t, nil
}

// ListTemplates returns the version of each template stored last, by name.
func (db *DB) ListTemplates(ctx context.Context) ([]paved.Template, error) {
	return queryList(ctx, db, scanTemplate, `SELECT DISTINCT ON (name) body FROM templates ORDER BY name, seq DESC`)
}

// TemplateHistory returns every version of a template as stored, oldest
// first.
func (db *DB) TemplateHistory(ctx context.Context, name string) ([]paved.Template, error) {
	return queryList(ctx, db, scanTemplate, "SELECT body FROM templates WHERE name = $1 ORDER BY seq", name)
}

// CreateScaffold stores a scaffold record.
func (db *DB) CreateScaffold(ctx context.Context, s *paved.Scaffold) error {
	if err := record.PrepareScaffold(s); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO scaffolds (id, app, team, template, version, created_by, created_at, time_saved_seconds)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.ID, s.App, s.Team, s.Template, s.Version, s.CreatedBy, s.CreatedAt, int64(time.Duration(s.TimeSaved)/time.Second))
	if uniqueViolation(err) != "" {
		return record.Exists("scaffold", s.ID)
	}
	if err != nil {
		return fmt.Errorf("postgres: create scaffold: %w", err)
	}
	return nil
}

func scanScaffold(r pgx.Row) (paved.Scaffold, error) {
	var s paved.Scaffold
	var secs int64
	if err := r.Scan(&s.ID, &s.App, &s.Team, &s.Template, &s.Version, &s.CreatedBy, &s.CreatedAt, &secs); err != nil {
		return s, fmt.Errorf("postgres: scan scaffold: %w", err)
	}
	s.CreatedAt, s.TimeSaved = s.CreatedAt.UTC(), paved.Duration(time.Duration(secs)*time.Second)
	return s, nil
}

// ListScaffolds returns scaffolds newest first.
func (db *DB) ListScaffolds(ctx context.Context, f paved.ScaffoldFilter) ([]paved.Scaffold, error) {
	return queryList(ctx, db, scanScaffold, `SELECT id, app, team, template, version, created_by, created_at, time_saved_seconds
		FROM scaffolds WHERE ($1 = '' OR team = $1) AND ($2 = '' OR template = $2) ORDER BY created_at DESC, id DESC`, f.Team, f.Template)
}

// ScaffoldTimeSaved reads the time a scaffold is assumed to save; set is
// false when none was set.
func (db *DB) ScaffoldTimeSaved(ctx context.Context) (time.Duration, bool, error) {
	var v string
	err := db.pool.QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", record.ScaffoldTimeSavedKey).Scan(&v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("postgres: scaffold time saved: %w", err)
	}
	d, err := record.DecodeSeconds(record.ScaffoldTimeSavedKey, v)
	if err != nil {
		return 0, false, fmt.Errorf("postgres: %w", err)
	}
	return d, true, nil
}

// SetScaffoldTimeSaved records the time a scaffold is assumed to save (one
// upsert: of two at once, the later wins).
func (db *DB) SetScaffoldTimeSaved(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return paved.Errorf(paved.EINVALID, "time saved: %v is negative", d)
	}
	if _, err := db.pool.Exec(ctx, "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		record.ScaffoldTimeSavedKey, record.EncodeSeconds(d)); err != nil {
		return fmt.Errorf("postgres: set scaffold time saved: %w", err)
	}
	return nil
}
