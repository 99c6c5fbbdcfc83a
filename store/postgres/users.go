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

// CreateTeam stores a new team; CreatedAt is set to now when zero.
func (db *DB) CreateTeam(ctx context.Context, t *paved.Team) error {
	if err := record.PrepareTeam(t); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, "INSERT INTO teams (name, cohort, pioneering, created_at) VALUES ($1, $2, $3, $4)",
		t.Name, t.Cohort, t.Pioneering, t.CreatedAt)
	if uniqueViolation(err) != "" {
		return record.Exists("team", t.Name)
	}
	if err != nil {
		return fmt.Errorf("postgres: create team: %w", err)
	}
	return nil
}

// ListTeams lists teams by name.
func (db *DB) ListTeams(ctx context.Context) ([]paved.Team, error) {
	return queryList(ctx, db, func(r pgx.Row) (paved.Team, error) {
		var t paved.Team
		if err := r.Scan(&t.Name, &t.Cohort, &t.Pioneering, &t.CreatedAt); err != nil {
			return t, fmt.Errorf("postgres: scan team: %w", err)
		}
		t.CreatedAt = t.CreatedAt.UTC()
		return t, nil
	}, "SELECT name, cohort, pioneering, created_at FROM teams ORDER BY name")
}

// CreateUser stores a new user; CreatedAt is set to now when zero.
func (db *DB) CreateUser(ctx context.Context, u *paved.User) error {
	teams, err := record.PrepareUser(u)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, "INSERT INTO users (name, role, teams, created_at) VALUES ($1, $2, $3, $4)",
		u.Name, u.Role, teams, u.CreatedAt)
	if uniqueViolation(err) != "" {
		return record.Exists("user", u.Name)
	}
	if err != nil {
		return fmt.Errorf("postgres: create user: %w", err)
	}
	return nil
}

const userCols = "users.name, users.role, users.teams, users.created_at"

func scanUser(r pgx.Row) (paved.User, error) {
	var u paved.User
	var teams []byte
	if err := r.Scan(&u.Name, &u.Role, &teams, &u.CreatedAt); err != nil {
		return u, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	if err := record.DecodeUser(&u, teams); err != nil {
		return u, fmt.Errorf("postgres: %w", err)
	}
	return u, nil
}

// GetUser returns the user called name.
func (db *DB) GetUser(ctx context.Context, name string) (*paved.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE name = $1", name))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("user", name)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get user: %w", err)
	}
	return &u, nil
}

// ListUsers lists users by name.
func (db *DB) ListUsers(ctx context.Context) ([]paved.User, error) {
	return queryList(ctx, db, scanUser, "SELECT "+userCols+" FROM users ORDER BY name")
}

// CreateToken stores a token of an existing user. An empty ID is replaced
// by a random one; CreatedAt is set to now when zero.
func (db *DB) CreateToken(ctx context.Context, t *paved.Token) error {
	if err := record.PrepareToken(t); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, "INSERT INTO tokens (id, user_name, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
		t.ID, t.User, t.Hash, t.CreatedAt, t.ExpiresAt)
	switch {
	case uniqueViolation(err) == "tokens_hash_key":
		return record.TokenHashExists()
	case uniqueViolation(err) != "":
		return record.Exists("token", t.ID)
	case fkViolation(err) != "":
		return record.NotFound("user", t.User)
	case err != nil:
		return fmt.Errorf("postgres: create token: %w", err)
	}
	return nil
}

// UserByTokenHash returns the user of the token with this hash, unless the
// token has expired. Both cases are ENOTFOUND with the same message, so
// that a caller cannot probe which hashes exist.
func (db *DB) UserByTokenHash(ctx context.Context, hash []byte) (*paved.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, "SELECT "+userCols+` FROM tokens JOIN users ON users.name = tokens.user_name
		WHERE tokens.hash = $1 AND (tokens.expires_at IS NULL OR tokens.expires_at > $2)`, hash, time.Now()))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.TokenNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: user by token: %w", err)
	}
	return &u, nil
}
