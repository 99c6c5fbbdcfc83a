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
	budget, err := record.PrepareTeam(t)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, "INSERT INTO teams (name, cohort, pioneering, budget, created_at) VALUES ($1, $2, $3, $4, $5)",
		t.Name, t.Cohort, t.Pioneering, budget, t.CreatedAt)
	if uniqueViolation(err) != "" {
		return record.Exists("team", t.Name)
	}
	if err != nil {
		return fmt.Errorf("postgres: create team: %w", err)
	}
	return nil
}

func scanTeam(r pgx.Row) (paved.Team, error) {
	var t paved.Team
	var budget []byte
	if err := r.Scan(&t.Name, &t.Cohort, &t.Pioneering, &budget, &t.CreatedAt); err != nil {
		return t, fmt.Errorf("postgres: scan team: %w", err)
	}
	if err := record.DecodeTeam(&t, budget); err != nil {
		return t, fmt.Errorf("postgres: %w", err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// GetTeam returns the team called name.
func (db *DB) GetTeam(ctx context.Context, name string) (*paved.Team, error) {
	t, err := scanTeam(db.pool.QueryRow(ctx, "SELECT "+record.TeamCols+" FROM teams WHERE name = $1", name))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("team", name)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get team: %w", err)
	}
	return &t, nil
}

// ListTeams lists teams by name.
func (db *DB) ListTeams(ctx context.Context) ([]paved.Team, error) {
	return queryList(ctx, db, scanTeam, "SELECT "+record.TeamCols+" FROM teams ORDER BY name")
}

// UpdateTeam saves a team's cohort, pioneering flag and budget (nil
// removes it).
func (db *DB) UpdateTeam(ctx context.Context, t *paved.Team) error {
	budget, err := record.EncodeBudget(t.Budget)
	if err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, "UPDATE teams SET cohort = $1, pioneering = $2, budget = $3 WHERE name = $4",
		t.Cohort, t.Pioneering, budget, t.Name)
	if err != nil {
		return fmt.Errorf("postgres: update team: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.NotFound("team", t.Name)
	}
	return nil
}

// DeleteTeam deletes a team that owns no app and takes it out of every
// user's teams, in one transaction. The team's row is locked first: an app
// created in or handed to the team meanwhile waits for it (its foreign key
// check shares that lock), then finds the team gone.
func (db *DB) DeleteTeam(ctx context.Context, name string) error {
	return db.write(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM teams WHERE name = $1 FOR UPDATE", name).Scan(&one)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return record.NotFound("team", name)
		case err != nil:
			return fmt.Errorf("postgres: delete team: %w", err)
		}
		apps, total, err := firstNames(ctx, tx, "SELECT name, COUNT(*) OVER () FROM apps WHERE team = $1 ORDER BY name LIMIT $2", name, record.InUseNames)
		if err != nil {
			return err
		}
		if total > 0 {
			return record.TeamInUse(name, apps, total)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM teams WHERE name = $1", name); err != nil {
			return fmt.Errorf("postgres: delete team: %w", err)
		}
		// Members stay, without the team; their rows are locked, so that
		// no other write of theirs interleaves.
		rows, _ := tx.Query(ctx, "SELECT name, teams FROM users WHERE teams @> jsonb_build_array($1::text) ORDER BY name FOR UPDATE", name)
		members, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (paved.User, error) {
			var u paved.User
			var teams []byte
			if err := r.Scan(&u.Name, &teams); err != nil {
				return u, err
			}
			return u, record.DecodeUser(&u, teams)
		})
		if err != nil {
			return fmt.Errorf("postgres: delete team: members: %w", err)
		}
		for i := range members {
			teams, err := record.LeaveTeam(&members[i], name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE users SET teams = $1 WHERE name = $2", teams, members[i].Name); err != nil {
				return fmt.Errorf("postgres: delete team: update user %s: %w", members[i].Name, err)
			}
		}
		return nil
	})
}

// CreateUser stores a new user; CreatedAt is set to now when zero.
func (db *DB) CreateUser(ctx context.Context, u *paved.User) error {
	teams, err := record.PrepareUser(u)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, "INSERT INTO users (name, role, teams, disabled, created_at) VALUES ($1, $2, $3, $4, $5)",
		u.Name, u.Role, teams, u.Disabled, u.CreatedAt)
	if uniqueViolation(err) != "" {
		return record.Exists("user", u.Name)
	}
	if err != nil {
		return fmt.Errorf("postgres: create user: %w", err)
	}
	return nil
}

// UpdateUser saves a user's role, teams and disabled flag.
func (db *DB) UpdateUser(ctx context.Context, u *paved.User) error {
	teams, err := record.PrepareUser(u)
	if err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, "UPDATE users SET role = $1, teams = $2, disabled = $3 WHERE name = $4", u.Role, teams, u.Disabled, u.Name)
	if err != nil {
		return fmt.Errorf("postgres: update user: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return record.NotFound("user", u.Name)
	}
	return nil
}

// DeleteUser deletes a user and every token of theirs, in one transaction.
// What they did stays: the audit log and their deployments keep their name.
// The user's row is locked first: a token issued meanwhile waits for it
// (its foreign key check shares that lock), then finds the user gone.
func (db *DB) DeleteUser(ctx context.Context, name string) error {
	return db.write(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM users WHERE name = $1 FOR UPDATE", name).Scan(&one)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return record.NotFound("user", name)
		case err != nil:
			return fmt.Errorf("postgres: delete user: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM tokens WHERE user_name = $1", name); err != nil {
			return fmt.Errorf("postgres: delete user's tokens: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM users WHERE name = $1", name); err != nil {
			return fmt.Errorf("postgres: delete user: %w", err)
		}
		return nil
	})
}

// userRow receives record.UserCols.
type userRow struct {
	u     paved.User
	teams []byte
}

func (r *userRow) dest() []any {
	return []any{&r.u.Name, &r.u.Role, &r.teams, &r.u.Disabled, &r.u.CreatedAt}
}

func (r *userRow) user() (paved.User, error) {
	r.u.CreatedAt = r.u.CreatedAt.UTC()
	if err := record.DecodeUser(&r.u, r.teams); err != nil {
		return r.u, fmt.Errorf("postgres: %w", err)
	}
	return r.u, nil
}

func scanUser(row pgx.Row) (paved.User, error) {
	var r userRow
	if err := row.Scan(r.dest()...); err != nil {
		return paved.User{}, err
	}
	return r.user()
}

// GetUser returns the user called name.
func (db *DB) GetUser(ctx context.Context, name string) (*paved.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, "SELECT "+record.UserCols+" FROM users WHERE name = $1", name))
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
	return queryList(ctx, db, scanUser, "SELECT "+record.UserCols+" FROM users ORDER BY name")
}

// CreateToken stores a token of an existing user. An empty ID is replaced
// by a random one; CreatedAt is set to now when zero.
func (db *DB) CreateToken(ctx context.Context, t *paved.Token) error {
	if err := record.PrepareToken(t); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO tokens (id, user_name, name, hash, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, t.User, t.Name, t.Hash, t.CreatedBy, t.CreatedAt, t.ExpiresAt)
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

// tokenDest is where a row of record.TokenCols goes.
func tokenDest(t *paved.Token) []any {
	return []any{&t.ID, &t.User, &t.Name, &t.Hash, &t.CreatedBy, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt}
}

// tokenUTC turns the times a row gave t into UTC.
func tokenUTC(t *paved.Token) {
	t.CreatedAt = t.CreatedAt.UTC()
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = utc(t.ExpiresAt), utc(t.LastUsedAt), utc(t.RevokedAt)
}

func scanToken(r pgx.Row) (paved.Token, error) {
	var t paved.Token
	if err := r.Scan(tokenDest(&t)...); err != nil {
		return t, err
	}
	tokenUTC(&t)
	return t, nil
}

// TokenByHash returns the token with this hash, whatever its state, and its
// user, in one read (it runs on every authenticated request); ENOTFOUND,
// without naming the hash, when there is none.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*paved.Token, *paved.User, error) {
	var t paved.Token
	var ur userRow
	err := db.pool.QueryRow(ctx, "SELECT "+record.TokenCols+", "+record.UserCols+` FROM tokens
		JOIN users ON users.name = tokens.user_name WHERE tokens.hash = $1`, hash).Scan(append(tokenDest(&t), ur.dest()...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, record.TokenNotFound()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: token by hash: %w", err)
	}
	tokenUTC(&t)
	u, err := ur.user()
	if err != nil {
		return nil, nil, err
	}
	return &t, &u, nil
}

// ListTokens lists tokens, oldest first.
func (db *DB) ListTokens(ctx context.Context, f paved.TokenFilter) ([]paved.Token, error) {
	var w where
	w.eq("user_name", f.User)
	if f.ActiveAt != nil {
		w.add("revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", *f.ActiveAt)
	}
	return queryList(ctx, db, func(r pgx.Row) (paved.Token, error) {
		t, err := scanToken(r)
		if err != nil {
			return t, fmt.Errorf("postgres: scan token: %w", err)
		}
		return t, nil
	}, "SELECT "+record.TokenCols+" FROM tokens"+w.String()+" ORDER BY created_at, id", w.args...)
}

// RevokeTokens revokes a user's token (id) or every one not yet revoked.
func (db *DB) RevokeTokens(ctx context.Context, user, id string, at time.Time) (int, error) {
	var w where
	w.eq("user_name", user)
	w.conds = append(w.conds, "revoked_at IS NULL")
	w.eq("id", id)
	set := w.next(record.Time(at))
	tag, err := db.pool.Exec(ctx, "UPDATE tokens SET revoked_at = "+set+w.String(), w.args...)
	if err != nil {
		return 0, fmt.Errorf("postgres: revoke tokens: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// TouchToken records at as a token's last use unless a use was recorded
// less than every before it: the condition is in the update, so that
// requests that arrive together write once.
func (db *DB) TouchToken(ctx context.Context, id string, at time.Time, every time.Duration) error {
	if _, err := db.pool.Exec(ctx, "UPDATE tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)",
		record.Time(at), id, record.Time(at.Add(-every))); err != nil {
		return fmt.Errorf("postgres: touch token: %w", err)
	}
	return nil
}
