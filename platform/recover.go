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
func RecoverAdmin(ctx context.Context, st paved.Store, log *slog.Logger, name string, ttl, maxTTL time.Duration) (*paved.IssuedToken, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Platform{cfg: Config{Store: st, Now: time.Now, MaxTokenTTL: cmp.Or(maxTTL, MaxTokenTTL)}, log: log}
	return p.recoverAdmin(ctx, name, ttl)
}

func (p *Platform) recoverAdmin(ctx context.Context, name string, ttl time.Duration) (tok *paved.IssuedToken, err error) {
	sys := paved.WithActor(ctx, &paved.User{Name: LocalOperator, Role: paved.RoleAdmin})
	var done []string
	defer func() {
		target := name
		if len(done) > 0 {
			target += " (" + strings.Join(done, ", ") + ")"
		}
		p.audit(sys, "admin.recover", target, err)
	}()
	ttl = cmp.Or(ttl, DefaultRecoveryTTL)
	if ttl < 0 || ttl > p.cfg.MaxTokenTTL {
		return nil, paved.Errorf(paved.EINVALID, "ttl: %v is not between 0 and the longest token lifetime, %v", ttl, p.cfg.MaxTokenTTL)
	}
	u, err := p.cfg.Store.GetUser(ctx, name)
	switch {
	case paved.ErrorCode(err) == paved.ENOTFOUND:
		u = &paved.User{Name: name, Role: paved.RoleAdmin}
		if err := p.createUser(ctx, u); err != nil {
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
			if err := p.cfg.Store.UpdateUser(ctx, u); err != nil {
				return nil, err
			}
		}
	}
	tok, err = p.issueToken(sys, u.Name, "break-glass "+p.now().Format(time.RFC3339), ttl, "")
	if err != nil {
		return nil, err
	}
	done = append(done, "token "+tok.ID)
	p.log.Warn("issued a break-glass admin token", "user", u.Name, "token", tok.ID, "expires", tok.ExpiresAt)
	return tok, nil
}
