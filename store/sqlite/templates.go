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

// PutTemplate stores a version of a template with its files. A version
// stored before is left as it is when its digest is the same (stored
// false) and refused (ECONFLICT) when not; the writer is exclusive, so two
// puts of one version cannot both store it.
func (db *DB) PutTemplate(ctx context.Context, t *paved.Template) (bool, error) {
	if err := record.PrepareTemplate(t); err != nil {
		return false, err
	}
	body, err := record.Encode(t)
	if err != nil {
		return false, err
	}
	stored := false
	err = db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO templates (name, version, digest, body, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name, version) DO NOTHING`, t.Name, t.Version, t.Digest, body, fmtTime(t.CreatedAt))
		if err != nil {
			return fmt.Errorf("sqlite: put template: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			stored = true
			return nil
		}
		var digest string
		if err := tx.QueryRowContext(ctx, "SELECT digest FROM templates WHERE name = ? AND version = ?", t.Name, t.Version).Scan(&digest); err != nil {
			return fmt.Errorf("sqlite: put template: %w", err)
		}
		if digest != t.Digest {
			return record.TemplateVersionTaken(t.Name, t.Version)
		}
		return nil
	})
	return stored, err
}

func scanTemplate(s scanner) (paved.Template, error) {
	var body string
	if err := s.Scan(&body); err != nil {
		return paved.Template{}, err
	}
	t, err := record.DecodeTemplate(body)
	if err != nil {
		return t, fmt.Errorf("sqlite: %w", err)
	}
	return t, nil
}

// GetTemplate returns one version of a template; ENOTFOUND when none.
func (db *DB) GetTemplate(ctx context.Context, name, version string) (*paved.Template, error) {
	t, err := scanTemplate(db.r.QueryRowContext(ctx, "SELECT body FROM templates WHERE name = ? AND version = ?", name, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("template", name+" "+version)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get template: %w", err)
	}
	return &t, nil
}

// ListTemplates returns the version of each template stored last, by name.
func (db *DB) ListTemplates(ctx context.Context) ([]paved.Template, error) {
	return queryList(ctx, db.r, scanTemplate, `SELECT t.body FROM templates t
		WHERE t.seq = (SELECT max(seq) FROM templates l WHERE l.name = t.name) ORDER BY t.name`)
}

// TemplateHistory returns every version of a template as stored, oldest
// first.
func (db *DB) TemplateHistory(ctx context.Context, name string) ([]paved.Template, error) {
	return queryList(ctx, db.r, scanTemplate, "SELECT body FROM templates WHERE name = ? ORDER BY seq", name)
}

// CreateScaffold stores a scaffold record.
func (db *DB) CreateScaffold(ctx context.Context, s *paved.Scaffold) error {
	if err := record.PrepareScaffold(s); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO scaffolds (id, app, team, template, version, created_by, created_at, time_saved_seconds)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, s.App, s.Team, s.Template, s.Version, s.CreatedBy, fmtTime(s.CreatedAt), int64(time.Duration(s.TimeSaved)/time.Second))
		if isUnique(err) {
			return record.Exists("scaffold", s.ID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create scaffold: %w", err)
		}
		return nil
	})
}

func scanScaffold(sc scanner) (paved.Scaffold, error) {
	var s paved.Scaffold
	var at string
	var secs int64
	if err := sc.Scan(&s.ID, &s.App, &s.Team, &s.Template, &s.Version, &s.CreatedBy, &at, &secs); err != nil {
		return s, err
	}
	t, err := parseTime(at)
	s.CreatedAt, s.TimeSaved = t, paved.Duration(time.Duration(secs)*time.Second)
	return s, err
}

// ListScaffolds returns scaffolds newest first.
func (db *DB) ListScaffolds(ctx context.Context, f paved.ScaffoldFilter) ([]paved.Scaffold, error) {
	return queryList(ctx, db.r, scanScaffold, `SELECT id, app, team, template, version, created_by, created_at, time_saved_seconds
		FROM scaffolds WHERE (? = '' OR team = ?) AND (? = '' OR template = ?) ORDER BY created_at DESC, id DESC`,
		f.Team, f.Team, f.Template, f.Template)
}

// ScaffoldTimeSaved reads the time a scaffold is assumed to save; set is
// false when none was set.
func (db *DB) ScaffoldTimeSaved(ctx context.Context) (time.Duration, bool, error) {
	var v string
	err := db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", record.ScaffoldTimeSavedKey).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("sqlite: scaffold time saved: %w", err)
	}
	d, err := record.DecodeSeconds(record.ScaffoldTimeSavedKey, v)
	if err != nil {
		return 0, false, fmt.Errorf("sqlite: %w", err)
	}
	return d, true, nil
}

// SetScaffoldTimeSaved records the time a scaffold is assumed to save.
func (db *DB) SetScaffoldTimeSaved(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return paved.Errorf(paved.EINVALID, "time saved: %v is negative", d)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			record.ScaffoldTimeSavedKey, record.EncodeSeconds(d)); err != nil {
			return fmt.Errorf("sqlite: set scaffold time saved: %w", err)
		}
		return nil
	})
}
