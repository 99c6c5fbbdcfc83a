package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// PutPolicy stores p as the next version of its policy (1 for a new ID),
// sets p.Version and returns it. Every version is kept. Policies are
// stored as definitions are: the whole policy as the body, numbered by an
// upsert on policy_heads, which locks the policy's row, so servers writing
// the same policy at once get consecutive versions. A zero CreatedAt is
// kept zero (the platform stamps it); created_at is when the row was
// written.
func (db *DB) PutPolicy(ctx context.Context, p *paved.Policy) (int, error) {
	if err := record.PreparePolicy(p); err != nil {
		return 0, err
	}
	var version int
	err := db.write(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO policy_heads (id, version) VALUES ($1, 1)
			ON CONFLICT (id) DO UPDATE SET version = policy_heads.version + 1 RETURNING version`, p.ID).Scan(&version)
		if err != nil {
			return fmt.Errorf("postgres: put policy: %w", err)
		}
		body, err := record.EncodePolicy(p, version)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO policies (id, version, body, created_at) VALUES ($1, $2, $3, $4)",
			p.ID, version, body, record.Now())
		if err != nil {
			return fmt.Errorf("postgres: put policy: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	p.Version = version
	return version, nil
}

func scanPolicy(r pgx.Row) (paved.Policy, error) {
	var body []byte
	var version int
	if err := r.Scan(&body, &version); err != nil {
		return paved.Policy{}, fmt.Errorf("postgres: scan policy: %w", err)
	}
	p, err := record.DecodePolicy(body, version)
	if err != nil {
		return p, fmt.Errorf("postgres: %w", err)
	}
	return p, nil
}

// ListPolicies returns the latest version of every policy, by ID.
func (db *DB) ListPolicies(ctx context.Context) ([]paved.Policy, error) {
	return queryList(ctx, db, scanPolicy, `SELECT p.body, p.version FROM policy_heads h
		JOIN policies p ON p.id = h.id AND p.version = h.version ORDER BY h.id`)
}

// PolicyHistory returns every version of a policy, oldest first; none (no
// error) for an ID never stored, such as a built-in policy's.
func (db *DB) PolicyHistory(ctx context.Context, id string) ([]paved.Policy, error) {
	return queryList(ctx, db, scanPolicy, "SELECT body, version FROM policies WHERE id = $1 ORDER BY version", id)
}
