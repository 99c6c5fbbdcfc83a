package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutPolicy stores p as the next version of its policy (1 for a new ID),
// sets p.Version and returns it. Every version is kept. Policies are
// stored as definitions are: the whole policy as the body, numbered by an
// upsert on policy_heads. A zero CreatedAt is kept zero (the platform
// stamps it); created_at is when the row was written.
func (db *DB) PutPolicy(ctx context.Context, p *paved.Policy) (int, error) {
	if err := record.PreparePolicy(p); err != nil {
		return 0, err
	}
	var version int
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO policy_heads (id, version) VALUES (?, 1)
			ON CONFLICT (id) DO UPDATE SET version = version + 1 RETURNING version`, p.ID).Scan(&version)
		if err != nil {
			return fmt.Errorf("sqlite: put policy: %w", err)
		}
		body, err := record.EncodePolicy(p, version)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO policies (id, version, body, created_at) VALUES (?, ?, ?, ?)",
			p.ID, version, body, fmtTime(record.Now()))
		if err != nil {
			return fmt.Errorf("sqlite: put policy: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	p.Version = version
	return version, nil
}

func scanPolicy(s scanner) (paved.Policy, error) {
	var body string
	var version int
	if err := s.Scan(&body, &version); err != nil {
		return paved.Policy{}, err
	}
	p, err := record.DecodePolicy(body, version)
	if err != nil {
		return p, fmt.Errorf("sqlite: %w", err)
	}
	return p, nil
}

// ListPolicies returns the latest version of every policy, by ID.
func (db *DB) ListPolicies(ctx context.Context) ([]paved.Policy, error) {
	return queryList(ctx, db.r, scanPolicy, `SELECT p.body, p.version FROM policy_heads h
		JOIN policies p ON p.id = h.id AND p.version = h.version ORDER BY h.id`)
}

// PolicyHistory returns every version of a policy, oldest first; none (no
// error) for an ID never stored, such as a built-in policy's.
func (db *DB) PolicyHistory(ctx context.Context, id string) ([]paved.Policy, error) {
	return queryList(ctx, db.r, scanPolicy, "SELECT body, version FROM policies WHERE id = ? ORDER BY version", id)
}
