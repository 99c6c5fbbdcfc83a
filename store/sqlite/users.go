package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"paved.dev/paved"
)

// CreateTeam stores a new team; CreatedAt is set to now when zero.
func (db *DB) CreateTeam(ctx context.Context, t *paved.Team) error {
	if err := required("team", "name", t.Name); err != nil {
		return err
	}
	stamp(&t.CreatedAt)
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO teams (name, cohort, pioneering, created_at) VALUES (?, ?, ?, ?)",
			t.Name, t.Cohort, t.Pioneering, fmtTime(t.CreatedAt))
		if isUnique(err) {
			return paved.Errorf(paved.ECONFLICT, "team %q already exists", t.Name)
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
	if err := required("user", "name", u.Name, "role", u.Role); err != nil {
		return err
	}
	teams, err := encode(u.Teams)
	if err != nil {
		return err
	}
	stamp(&u.CreatedAt)
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO users (name, role, teams, created_at) VALUES (?, ?, ?, ?)",
			u.Name, u.Role, teams, fmtTime(u.CreatedAt))
		if isUnique(err) {
			return paved.Errorf(paved.ECONFLICT, "user %q already exists", u.Name)
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
	if err := decode(teams, &u.Teams, "user teams"); err != nil {
		return u, err
	}
	var err error
	u.CreatedAt, err = parseTime(created)
	return u, err
}

// GetUser returns the user called name.
func (db *DB) GetUser(ctx context.Context, name string) (*paved.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, paved.Errorf(paved.ENOTFOUND, "user %q not found", name)
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
	if err := required("token", "user", t.User); err != nil {
		return err
	}
	if len(t.Hash) == 0 {
		return paved.Errorf(paved.EINVALID, "token: hash is required")
	}
	if t.ID == "" {
		t.ID = newID()
	}
	stamp(&t.CreatedAt)
	t.ExpiresAt = stampPtr(t.ExpiresAt)
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO tokens (id, user_name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			t.ID, t.User, t.Hash, fmtTime(t.CreatedAt), fmtTimePtr(t.ExpiresAt))
		switch {
		case isUnique(err) && strings.Contains(err.Error(), "tokens.hash"):
			return paved.Errorf(paved.ECONFLICT, "a token with this hash already exists")
		case isUnique(err):
			return paved.Errorf(paved.ECONFLICT, "token %q already exists", t.ID)
		case isForeignKey(err):
			return paved.Errorf(paved.ENOTFOUND, "user %q not found", t.User)
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
		WHERE tokens.hash = ? AND (tokens.expires_at IS NULL OR tokens.expires_at > ?)`, hash, fmtTime(now())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, paved.Errorf(paved.ENOTFOUND, "token not found or expired")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user by token: %w", err)
	}
	return &u, nil
}
