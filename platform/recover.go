package platform

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"paved.dev/paved"
)

// DefaultRecoveryTTL is how long a break-glass admin token lasts unless
// told otherwise: long enough to log in and issue proper tokens.
const DefaultRecoveryTTL = 24 * time.Hour

// LocalOperator is the actor the audit log names for the break-glass
// admin token: whoever holds the store on the server's host. No user may
// take the name (see reservedUserNames).
const LocalOperator = "local-operator"

// RecoverAdmin issues a token for the admin user name when nobody can log
// in as one. It works on the store alone, as the `paved server
// recover-admin` command does beside a running server, and is never
// reachable through the API: the user is created if missing, enabled and
// made an admin if need be, and the audit log records what was done as the
// local operator's. maxTTL bounds ttl (0: the default maximum).
func RecoverAdmin(ctx context.Context, st paved.Store, log *slog.Logger, name string, ttl, maxTTL time.Duration) (tok *paved.IssuedToken, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now().UTC()
	sys := paved.WithActor(ctx, &paved.User{Name: LocalOperator, Role: paved.RoleAdmin})
	var done []string
	defer func() {
		target := name
		if len(done) > 0 {
			target += " (" + strings.Join(done, ", ") + ")"
		}
		writeAudit(sys, st, log, now, "admin.recover", target, err)
	}()
	ttl, maxTTL = cmp.Or(ttl, DefaultRecoveryTTL), cmp.Or(maxTTL, MaxTokenTTL)
	if ttl < 0 || ttl > maxTTL {
		return nil, paved.Errorf(paved.EINVALID, "ttl: %v is not between 0 and the longest token lifetime, %v", ttl, maxTTL)
	}
	u, err := st.GetUser(ctx, name)
	switch {
	case paved.ErrorCode(err) == paved.ENOTFOUND:
		if err := validUserName(name); err != nil {
			return nil, err
		}
		u = &paved.User{Name: name, Role: paved.RoleAdmin, CreatedAt: now}
		if err := st.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		done = append(done, "created")
	case err != nil:
		return nil, err
	default:
		if u.Disabled {
			done = append(done, "enabled")
		}
		if u.Role != paved.RoleAdmin {
			done = append(done, fmt.Sprintf("made admin, was %s", u.Role))
		}
		if len(done) > 0 {
			u.Disabled, u.Role = false, paved.RoleAdmin
			if err := st.UpdateUser(ctx, u); err != nil {
				return nil, err
			}
		}
	}
	tok, err = issueToken(sys, st, now, u.Name, "break-glass "+now.Format(time.RFC3339), ttl, "")
	if err != nil {
		return nil, err
	}
	done = append(done, "token "+tok.ID)
	log.Warn("issued a break-glass admin token", "user", u.Name, "token", tok.ID, "expires", tok.ExpiresAt)
	return tok, nil
}
