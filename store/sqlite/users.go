package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// CreateTeam stores a new team; CreatedAt is set to now when zero.
func (db *DB) CreateTeam(ctx context.Context, t *paved.Team) error {
	if err := record.PrepareTeam(t); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO teams (name, cohort, pioneering, created_at) VALUES (?, ?, ?, ?)",
			t.Name, t.Cohort, t.Pioneering, fmtTime(t.CreatedAt))
		if isUnique(err) {
			return record.Exists("team", t.Name)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create team: %w", err)
		}
		return nil
	})
}

// ListTeams lists teams by name.
func (db *DB) ListTeams(ctx context.Context) ([]paved.Team, error) {
	return queryList(ctx, db.r, scanTeam, "SELECT name, cohort, pioneering, created_at FROM teams ORDER BY name")
}

func scanTeam(s scanner) (paved.Team, error) {
	var t paved.Team
	var created string
	if err := s.Scan(&t.Name, &t.Cohort, &t.Pioneering, &created); err != nil {
		return t, fmt.Errorf("sqlite: scan team: %w", err)
	}
	var err error
	t.CreatedAt, err = parseTime(created)
	return t, err
}

// CreateUser stores a new user; CreatedAt is set to now when zero.
func (db *DB) CreateUser(ctx context.Context, u *paved.User) error {
	teams, err := record.PrepareUser(u)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO users (name, role, teams, created_at) VALUES (?, ?, ?, ?)",
			u.Name, u.Role, teams, fmtTime(u.CreatedAt))
		if isUnique(err) {
			return record.Exists("user", u.Name)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create user: %w", err)
		}
		return nil
	})
}

const userCols = "users.name, users.role, users.teams, users.created_at"

func scanUser(s scanner) (paved.User, error) {
	var u paved.User
	var teams, created string
	if err := s.Scan(&u.Name, &u.Role, &teams, &created); err != nil {
		return u, err
	}
	if err := record.DecodeUser(&u, teams); err != nil {
		return u, fmt.Errorf("sqlite: %w", err)
	}
	var err error
	u.CreatedAt, err = parseTime(created)
	return u, err
}

// GetUser returns the user called name.
func (db *DB) GetUser(ctx context.Context, name string) (*paved.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("user", name)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get user: %w", err)
	}
	return &u, nil
}

// ListUsers lists users by name.
func (db *DB) ListUsers(ctx context.Context) ([]paved.User, error) {
	return queryList(ctx, db.r, scanUser, "SELECT "+userCols+" FROM users ORDER BY name")
}

// CreateToken stores a token of an existing user. An empty ID is replaced
// by a random one; CreatedAt is set to now when zero.
func (db *DB) CreateToken(ctx context.Context, t *paved.Token) error {
	if err := record.PrepareToken(t); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO tokens (id, user_name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			t.ID, t.User, t.Hash, fmtTime(t.CreatedAt), fmtTimePtr(t.ExpiresAt))
		switch {
		case isUnique(err) && strings.Contains(err.Error(), "tokens.hash"):
			return record.TokenHashExists()
		case isUnique(err):
			return record.Exists("token", t.ID)
		case isForeignKey(err):
			return record.NotFound("user", t.User)
		case err != nil:
			return fmt.Errorf("sqlite: create token: %w", err)
		}
		return nil
	})
}

// UserByTokenHash returns the user of the token with this hash, unless the
// token has expired. Both cases are ENOTFOUND with the same message, so
// that a caller cannot probe which hashes exist.
func (db *DB) UserByTokenHash(ctx context.Context, hash []byte) (*paved.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+userCols+` FROM tokens JOIN users ON users.name = tokens.user_name
		WHERE tokens.hash = ? AND (tokens.expires_at IS NULL OR tokens.expires_at > ?)`, hash, fmtTime(record.Now())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.TokenNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user by token: %w", err)
	}
	return &u, nil
}
