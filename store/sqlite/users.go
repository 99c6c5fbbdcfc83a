package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// CreateTeam stores a new team; CreatedAt is set to now when zero.
func (db *DB) CreateTeam(ctx context.Context, t *paved.Team) error {
	budget, err := record.PrepareTeam(t)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO teams (name, cohort, pioneering, budget, created_at) VALUES (?, ?, ?, ?, ?)",
			t.Name, t.Cohort, t.Pioneering, budget, fmtTime(t.CreatedAt))
		if isUnique(err) {
			return record.Exists("team", t.Name)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create team: %w", err)
		}
		return nil
	})
}

// GetTeam returns the team called name.
func (db *DB) GetTeam(ctx context.Context, name string) (*paved.Team, error) {
	t, err := scanTeam(db.r.QueryRowContext(ctx, "SELECT "+record.TeamCols+" FROM teams WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("team", name)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get team: %w", err)
	}
	return &t, nil
}

// ListTeams lists teams by name.
func (db *DB) ListTeams(ctx context.Context) ([]paved.Team, error) {
	return queryList(ctx, db.r, scanTeam, "SELECT "+record.TeamCols+" FROM teams ORDER BY name")
}

// UpdateTeam saves a team's cohort, pioneering flag and budget (nil
// removes it).
func (db *DB) UpdateTeam(ctx context.Context, t *paved.Team) error {
	budget, err := record.EncodeBudget(t.Budget)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE teams SET cohort = ?, pioneering = ?, budget = ? WHERE name = ?",
			t.Cohort, t.Pioneering, budget, t.Name)
		if err != nil {
			return fmt.Errorf("sqlite: update team: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("team", t.Name)
		}
		return nil
	})
}

// DeleteTeam deletes a team that owns no app and takes it out of every
// user's teams, in one transaction. The writer is exclusive: no app joins
// the team between the check and the delete.
func (db *DB) DeleteTeam(ctx context.Context, name string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		apps, total, err := firstNames(ctx, tx, "SELECT name, COUNT(*) OVER () FROM apps WHERE team = ? ORDER BY name LIMIT ?", name, record.InUseNames)
		if err != nil {
			return err
		}
		if total > 0 {
			return record.TeamInUse(name, apps, total)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM teams WHERE name = ?", name)
		if err != nil {
			return fmt.Errorf("sqlite: delete team: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("team", name)
		}
		// Members stay, without the team.
		members, err := queryList(ctx, tx, func(s scanner) (paved.User, error) {
			var u paved.User
			var teams string
			if err := s.Scan(&u.Name, &teams); err != nil {
				return u, fmt.Errorf("sqlite: scan user: %w", err)
			}
			if err := record.DecodeUser(&u, teams); err != nil {
				return u, fmt.Errorf("sqlite: %w", err)
			}
			return u, nil
		}, "SELECT name, teams FROM users WHERE EXISTS (SELECT 1 FROM json_each(users.teams) WHERE value = ?) ORDER BY name", name)
		if err != nil {
			return err
		}
		for i := range members {
			teams, err := record.LeaveTeam(&members[i], name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE users SET teams = ? WHERE name = ?", teams, members[i].Name); err != nil {
				return fmt.Errorf("sqlite: delete team: update user %s: %w", members[i].Name, err)
			}
		}
		return nil
	})
}

func scanTeam(s scanner) (paved.Team, error) {
	var t paved.Team
	var budget, created string
	if err := s.Scan(&t.Name, &t.Cohort, &t.Pioneering, &budget, &created); err != nil {
		return t, fmt.Errorf("sqlite: scan team: %w", err)
	}
	if err := record.DecodeTeam(&t, budget); err != nil {
		return t, fmt.Errorf("sqlite: %w", err)
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
		_, err := tx.ExecContext(ctx, "INSERT INTO users (name, role, teams, disabled, created_at) VALUES (?, ?, ?, ?, ?)",
			u.Name, u.Role, teams, u.Disabled, fmtTime(u.CreatedAt))
		if isUnique(err) {
			return record.Exists("user", u.Name)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create user: %w", err)
		}
		return nil
	})
}

// UpdateUser saves a user's role, teams and disabled flag.
func (db *DB) UpdateUser(ctx context.Context, u *paved.User) error {
	teams, err := record.PrepareUser(u)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET role = ?, teams = ?, disabled = ? WHERE name = ?", u.Role, teams, u.Disabled, u.Name)
		if err != nil {
			return fmt.Errorf("sqlite: update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("user", u.Name)
		}
		return nil
	})
}

// DeleteUser deletes a user and every token of theirs, in one transaction.
// What they did stays: the audit log and their deployments keep their name.
func (db *DB) DeleteUser(ctx context.Context, name string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE user_name = ?", name); err != nil {
			return fmt.Errorf("sqlite: delete user's tokens: %w", err)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM users WHERE name = ?", name)
		if err != nil {
			return fmt.Errorf("sqlite: delete user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return record.NotFound("user", name)
		}
		return nil
	})
}

// userRow receives record.UserCols.
type userRow struct {
	u              paved.User
	teams, created string
}

func (r *userRow) dest() []any {
	return []any{&r.u.Name, &r.u.Role, &r.teams, &r.u.Disabled, &r.created}
}

func (r *userRow) user() (paved.User, error) {
	if err := record.DecodeUser(&r.u, r.teams); err != nil {
		return r.u, fmt.Errorf("sqlite: %w", err)
	}
	var err error
	r.u.CreatedAt, err = parseTime(r.created)
	return r.u, err
}

func scanUser(s scanner) (paved.User, error) {
	var r userRow
	if err := s.Scan(r.dest()...); err != nil {
		return paved.User{}, err
	}
	return r.user()
}

// GetUser returns the user called name.
func (db *DB) GetUser(ctx context.Context, name string) (*paved.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+record.UserCols+" FROM users WHERE name = ?", name))
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
	return queryList(ctx, db.r, scanUser, "SELECT "+record.UserCols+" FROM users ORDER BY name")
}

// CreateToken stores a token of an existing user. An empty ID is replaced
// by a random one; CreatedAt is set to now when zero.
func (db *DB) CreateToken(ctx context.Context, t *paved.Token) error {
	if err := record.PrepareToken(t); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (id, user_name, name, hash, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.User, t.Name, t.Hash, t.CreatedBy, fmtTime(t.CreatedAt), fmtTimePtr(t.ExpiresAt))
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

// tokenByHashSQL runs on every authenticated request: one read for the
// token and its user.
const tokenByHashSQL = "SELECT " + record.TokenCols + ", " + record.UserCols + ` FROM tokens
	JOIN users ON users.name = tokens.user_name WHERE tokens.hash = ?`

// tokenRow receives record.TokenCols.
type tokenRow struct {
	t                      paved.Token
	created                string
	expires, used, revoked sql.NullString
}

func (r *tokenRow) dest() []any {
	return []any{&r.t.ID, &r.t.User, &r.t.Name, &r.t.Hash, &r.t.CreatedBy, &r.created, &r.expires, &r.used, &r.revoked}
}

func (r *tokenRow) token() (paved.Token, error) {
	var err error
	if r.t.CreatedAt, err = parseTime(r.created); err != nil {
		return r.t, err
	}
	if r.t.ExpiresAt, err = parseTimePtr(r.expires); err != nil {
		return r.t, err
	}
	if r.t.LastUsedAt, err = parseTimePtr(r.used); err != nil {
		return r.t, err
	}
	r.t.RevokedAt, err = parseTimePtr(r.revoked)
	return r.t, err
}

func scanToken(s scanner) (paved.Token, error) {
	var r tokenRow
	if err := s.Scan(r.dest()...); err != nil {
		return paved.Token{}, err
	}
	return r.token()
}

// TokenByHash returns the token with this hash, whatever its state, and its
// user; ENOTFOUND, without naming the hash, when there is none.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*paved.Token, *paved.User, error) {
	var tr tokenRow
	var ur userRow
	err := db.r.QueryRowContext(ctx, tokenByHashSQL, hash).Scan(append(tr.dest(), ur.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, record.TokenNotFound()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: token by hash: %w", err)
	}
	t, err := tr.token()
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: token by hash: %w", err)
	}
	u, err := ur.user()
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: token by hash: %w", err)
	}
	return &t, &u, nil
}

// ListTokens lists tokens, oldest first.
func (db *DB) ListTokens(ctx context.Context, f paved.TokenFilter) ([]paved.Token, error) {
	q := "SELECT " + record.TokenCols + " FROM tokens WHERE 1 = 1"
	var args []any
	if f.User != "" {
		q += " AND user_name = ?"
		args = append(args, f.User)
	}
	if f.ActiveAt != nil {
		q += " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)"
		args = append(args, fmtTime(*f.ActiveAt))
	}
	return queryList(ctx, db.r, func(s scanner) (paved.Token, error) {
		t, err := scanToken(s)
		if err != nil {
			return t, fmt.Errorf("sqlite: scan token: %w", err)
		}
		return t, nil
	}, q+" ORDER BY created_at, id", args...)
}

// RevokeTokens revokes a user's token (id) or every one not yet revoked.
func (db *DB) RevokeTokens(ctx context.Context, user, id string, at time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		q := "UPDATE tokens SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL"
		args := []any{fmtTime(record.Time(at)), user}
		if id != "" {
			q += " AND id = ?"
			args = append(args, id)
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("sqlite: revoke tokens: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// TouchToken records at as a token's last use unless a use was recorded
// less than every before it: the condition is in the update, so that
// requests that arrive together write once.
func (db *DB) TouchToken(ctx context.Context, id string, at time.Time, every time.Duration) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)",
			fmtTime(record.Time(at)), id, fmtTime(record.Time(at.Add(-every)))); err != nil {
			return fmt.Errorf("sqlite: touch token: %w", err)
		}
		return nil
	})
}
